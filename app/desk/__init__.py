"""Report channel and triage desk: employees report what happens online; the social team answers in time."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from app.access import Role
from app.registry import NavItem, add_nav

bp = Blueprint("desk", __name__)

from app.desk import demo, panels  # noqa: E402,F401  (registers the demo loader and home panels)

add_nav(NavItem(_l("Report"), "desk.new_report", (Role.EMPLOYEE,), order=20))
add_nav(NavItem(_l("My reports"), "desk.my_reports", (Role.EMPLOYEE,), order=21))
add_nav(NavItem(_l("Desk"), "desk.queue", (Role.SOCIAL,), order=22))
add_nav(NavItem(_l("Desk metrics"), "desk.metrics", (Role.SOCIAL,), order=23))
add_nav(NavItem(_l("Escalations"), "desk.escalations", (Role.DECISION_MAKER,), order=24))
add_nav(NavItem(_l("Canned replies"), "desk.canned", (Role.SOCIAL,), order=60, section="manage"))
add_nav(NavItem(_l("Report routing"), "desk.routing", (Role.SOCIAL, Role.ADMIN), order=61, section="manage"))
