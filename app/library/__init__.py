"""Content library and advocacy: approved content, suggestions, tracked share links, the crisis pause."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from app.access import Role
from app.registry import (
    HomePanel,
    NavItem,
    add_banner_provider,
    add_content_source,
    add_home_panel,
    add_nav,
    add_wsgi_middleware,
)

bp = Blueprint("library", __name__)

from app.library import demo, services  # noqa: E402,F401  (registers settings and the demo loader)
from app.library.fastpath import TrackedLinkFastPath  # noqa: E402

add_nav(NavItem(_l("Content"), "library.feed", (Role.EMPLOYEE,), order=30))
add_nav(NavItem(_l("Suggest"), "library.suggest", (Role.EMPLOYEE,), order=31))
add_nav(NavItem(_l("My impact"), "library.impact", (Role.EMPLOYEE,), order=32))
add_nav(NavItem(_l("Content library"), "library.manage", (Role.SOCIAL,), order=40, section="manage"))
add_nav(NavItem(_l("Review queue"), "library.review", (Role.SOCIAL,), order=41, section="manage"))
add_nav(NavItem(_l("Sharing analytics"), "library.analytics", (Role.SOCIAL,), order=42, section="manage"))
add_nav(NavItem(_l("Sharing pause"), "library.pause", (Role.SOCIAL,), order=43, section="manage"))
add_banner_provider(services.pause_banner)
add_content_source(30, "library", lambda echo: services.sync_content(echo))
add_home_panel(HomePanel("library/_panel.html", (Role.EMPLOYEE,), order=30, context=services.home_panel))
add_wsgi_middleware(TrackedLinkFastPath)
