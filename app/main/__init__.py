from flask import Blueprint
from flask_babel import lazy_gettext as _l

from app.access import Role
from app.registry import NavItem, add_nav

bp = Blueprint("main", __name__)

from app.main import panels  # noqa: E402,F401  (registers the home panels)

add_nav(NavItem(_l("Home"), "main.home", (Role.EMPLOYEE,), order=0))
