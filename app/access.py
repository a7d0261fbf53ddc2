"""Who may open what: roles, the `role_required` and `public` decorators.

Every view carries an `access` attribute; a test walks `app.url_map` and fails
for any route that has none, so no new route ships without a decision.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from flask import abort, g
from flask_login import current_user

from app.extensions import login_manager


class Role(StrEnum):
    EMPLOYEE = "employee"        # every active person
    SOCIAL = "social"            # the social media team
    ADMIN = "admin"              # HR / compliance
    MANAGER = "manager"          # has at least one direct report (derived)
    DECISION_MAKER = "decision_maker"


@dataclass(frozen=True)
class Access:
    public: bool
    roles: tuple[Role, ...] = ()

    def allows(self, user) -> bool:
        """Whether `user` (possibly anonymous) may open a view with this access."""
        if self.public:
            return True
        if not user.is_authenticated:
            return False
        return any(has_role(user, role) for role in self.roles)


_role_checks: dict[Role, Callable] = {
    Role.EMPLOYEE: lambda user: True,
    Role.SOCIAL: lambda user: user.is_social,
    Role.ADMIN: lambda user: user.is_admin,
    Role.DECISION_MAKER: lambda user: user.is_decision_maker,
}


def register_role_check(role: Role, check: Callable) -> None:
    """Let a feature define how a derived role (such as manager) is decided."""
    _role_checks[role] = check


def has_role(user, role: Role) -> bool:
    """Whether a signed-in, active user holds `role`; cached for the request."""
    if not getattr(user, "is_authenticated", False) or not user.active:
        return False
    cache = g.setdefault("_role_cache", {})
    key = (user.id, role)
    if key not in cache:
        check = _role_checks.get(role)
        cache[key] = bool(check and check(user))
    return cache[key]


def role_required(*roles: Role):
    """Allow signed-in people holding any of `roles`; others get sign-in or 403."""
    access = Access(public=False, roles=tuple(roles))

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            user = current_user._get_current_object()
            if not user.is_authenticated:
                return login_manager.unauthorized()
            if not access.allows(user):
                abort(403)
            return view(*args, **kwargs)

        wrapped.access = access
        return wrapped

    return decorator


def public(view):
    """Mark a view as open to everyone, signed in or not."""
    view.access = Access(public=True)
    return view
