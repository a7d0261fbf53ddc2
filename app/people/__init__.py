from flask import Blueprint
from flask_babel import lazy_gettext as _l

from app.access import Role
from app.registry import NavItem, add_nav

bp = Blueprint("people", __name__, url_prefix="/people")

from app.people import demo  # noqa: E402,F401  (registers the demo loader)

add_nav(NavItem(_l("People"), "people.index", (Role.ADMIN,), order=80, section="manage"))
add_nav(NavItem(_l("Departments"), "people.departments", (Role.ADMIN,), order=81, section="manage"))
add_nav(NavItem(_l("Import people"), "people.import_upload", (Role.ADMIN,), order=82, section="manage"))
