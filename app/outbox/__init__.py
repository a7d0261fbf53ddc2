from flask import Blueprint
from flask_babel import lazy_gettext as _l

from app.access import Role
from app.registry import NavItem, add_nav

bp = Blueprint("outbox", __name__, url_prefix="/outbox")

add_nav(NavItem(_l("Outbox"), "outbox.index", (Role.ADMIN,), order=92, section="manage"))
