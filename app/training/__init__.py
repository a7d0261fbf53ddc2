"""Training: modules with lessons and quizzes, completions, certificates, compliance."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from app.access import Role
from app.registry import HomePanel, NavItem, add_content_source, add_home_panel, add_nav

bp = Blueprint("training", __name__)

add_nav(NavItem(_l("Training"), "training.index", (Role.EMPLOYEE,), order=20))
add_nav(NavItem(_l("Compliance"), "training.compliance", (Role.ADMIN, Role.MANAGER), order=61, section="manage"))
add_nav(NavItem(_l("Training modules"), "training.admin_modules", (Role.ADMIN,), order=62, section="manage"))


def _sync(echo) -> None:
    from app.training.services import import_modules

    import_modules(echo)


def _checklist(user) -> dict:
    from app.training.panels import checklist

    return checklist(user)


add_content_source(20, "training", _sync)
add_home_panel(HomePanel("training/_panel_checklist.html", (Role.EMPLOYEE,), order=5, context=_checklist))

from app.training import demo  # noqa: E402,F401  (registers the demo loader)
