"""Headers, cookies, CSRF and error pages."""

from __future__ import annotations

import pytest
from flask import abort

from app import create_app
from app.access import public
from tests.conftest import SuiteConfig
from tests.factories import TEST_PASSWORD


def test_every_response_carries_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    assert "Strict-Transport-Security" not in response.headers


def test_pages_have_no_inline_script(client, login, admin):
    login(admin)
    for path in ("/", "/login", "/people/", "/audit/", "/settings/"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and " onclick=" not in html and " style=\"" not in html


def test_signed_in_pages_are_not_cached(client, login, employee):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    login(employee)
    assert client.get("/").headers["Cache-Control"] == "no-store"


class ProductionConfig(SuiteConfig):
    IS_PRODUCTION = True
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    HSTS_ENABLED = True


def test_production_cookies_are_secure_httponly_lax_and_hsts_is_sent(employee):
    app = create_app(ProductionConfig)
    client = app.test_client()
    response = client.post("/login", data={"email": employee.email, "password": TEST_PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_production_refuses_to_start_without_a_secret_key():
    class Unsafe(ProductionConfig):
        SECRET_KEY = "dev-only-insecure-key-change-me"  # noqa: S105

    with pytest.raises(RuntimeError):
        create_app(Unsafe)


def test_every_post_route_requires_a_csrf_token(app, login, admin):
    """With CSRF on, a POST without a token is refused on every route that accepts POST."""
    client = app.test_client()
    client.post("/login", data={"email": admin.email, "password": TEST_PASSWORD})
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        unprotected = []
        for rule in app.url_map.iter_rules():
            if "POST" not in rule.methods:
                continue
            values = {arg: 1 if "Integer" in type(rule._converters[arg]).__name__ else "x" for arg in rule.arguments}
            path = rule.build(values, append_unknown=False)[1]
            if client.post(path, data={}).status_code != 400:
                unprotected.append(rule.rule)
        assert unprotected == []
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_sign_in_form_without_csrf_token_gets_the_friendly_400_page(app, client, employee):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/login", data={"email": employee.email, "password": TEST_PASSWORD})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert "Something in that request was not right" in response.get_data(as_text=True)


def test_error_pages_use_the_site_layout_without_stack_traces():
    class Config(SuiteConfig):
        TESTING = False
        PROPAGATE_EXCEPTIONS = False

    app = create_app(Config)

    @app.get("/boom")
    @public
    def boom():
        raise RuntimeError("secret internals")

    @app.get("/abort/<int:code>")
    @public
    def abort_with(code):
        abort(code)

    client = app.test_client()
    for path, code in (("/boom", 500), ("/abort/400", 400), ("/abort/403", 403), ("/abort/413", 413),
                       ("/abort/429", 429), ("/no-such-page", 404)):
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == code
        assert "Touchpoint" in html and "<nav" in html
        assert "Traceback" not in html and "secret internals" not in html


def test_oversized_upload_gets_413(app, client, login, admin):
    login(admin)
    big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/people/import", data=big, content_type="application/octet-stream")
    assert response.status_code == 413
