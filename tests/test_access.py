"""Every route, every role: allowed or refused, decided on purpose.

A route without an `access` decision (role_required or public) fails here, so
no new page can ship without one.
"""

from __future__ import annotations

import pytest

from app.access import Access, Role
from tests.factories import UserFactory

ROLES = ("anonymous", "employee", "social", "admin")
SKIP_ENDPOINTS = {"static", "bootstrap.static"}


def _access_of(app, endpoint) -> Access | None:
    return getattr(app.view_functions[endpoint], "access", None)


def _expected(access: Access, role: str) -> bool:
    if access.public:
        return True
    if role == "anonymous":
        return False
    allowed = set(access.roles)
    return Role.EMPLOYEE in allowed or Role(role) in allowed


def _url(rule) -> str:
    values = {}
    for arg in rule.arguments:
        converter = rule._converters[arg].__class__.__name__
        values[arg] = 999999 if converter == "IntegerConverter" else "unknown-value"
    path = rule.build(values, append_unknown=False)[1]
    return path


def test_every_route_declares_who_may_open_it(app):
    undecided = [rule.endpoint for rule in app.url_map.iter_rules()
                 if rule.endpoint not in SKIP_ENDPOINTS and _access_of(app, rule.endpoint) is None]
    assert undecided == [], f"routes without role_required or public: {undecided}"


@pytest.mark.parametrize("role", ROLES)
def test_every_route_allows_or_refuses_each_role(app, role):
    users = {
        "employee": dict(),
        "social": dict(is_social=True),
        "admin": dict(is_admin=True),
    }
    client = app.test_client()
    if role != "anonymous":
        user = UserFactory(email=f"{role}-walker@example.com", **users[role])
        response = client.post("/login", data={"email": user.email, "password": "correct horse battery staple"})
        assert response.status_code == 302
    wrong = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP_ENDPOINTS or rule.endpoint in ("auth.logout",):
            continue
        access = _access_of(app, rule.endpoint)
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(_url(rule), method=method)
        refused = response.status_code in (401, 403) or (
            response.status_code == 302 and "/login" in response.headers.get("Location", "")
            and rule.endpoint != "auth.login"
        )
        if refused == _expected(access, role):
            wrong.append(f"{method} {rule.rule} -> {response.status_code}")
    assert wrong == [], f"{role}: " + "; ".join(wrong)
