from flask import Blueprint
from flask_babel import lazy_gettext as _l

from app.access import Role
from app.registry import NavItem, add_nav

bp = Blueprint("org", __name__, url_prefix="/settings")

add_nav(NavItem(_l("Settings"), "org.settings", (Role.ADMIN, Role.SOCIAL), order=95, section="manage"))
