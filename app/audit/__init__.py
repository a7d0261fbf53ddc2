from flask import Blueprint
from flask_babel import lazy_gettext as _l

from app.access import Role
from app.registry import NavItem, add_nav

bp = Blueprint("audit", __name__, url_prefix="/audit")

add_nav(NavItem(_l("Audit log"), "audit.index", (Role.ADMIN,), order=90, section="manage"))
