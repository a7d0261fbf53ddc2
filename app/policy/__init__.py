"""Policy: versioned policies that employees read and acknowledge."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from app.access import Role
from app.registry import NavItem, add_content_source, add_nav

bp = Blueprint("policy", __name__, url_prefix="/policy")

add_nav(NavItem(_l("Policy"), "policy.index", (Role.EMPLOYEE,), order=10))
add_nav(NavItem(_l("Publish policy"), "policy.publish", (Role.ADMIN,), order=60, section="manage"))


def _sync(echo) -> None:
    from app.policy.services import import_policies

    import_policies(echo)


add_content_source(10, "policy", _sync)

from app.policy import demo  # noqa: E402,F401  (registers the demo loader)
