"""Shared fixtures: one database per run, emptied after every test.

The suite runs on SQLite (a temporary file, so a live server thread can share
it) unless TEST_DATABASE_URL points at PostgreSQL.
"""

from __future__ import annotations

import os
import re
import tempfile
from contextlib import contextmanager, suppress

import pytest
from flask import g, request_started
from sqlalchemy import event, text

from app import create_app
from app.config import TestConfig
from app.extensions import db as _db
from app.extensions import limiter

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
_tmpdir = tempfile.mkdtemp(prefix="touchpoint-tests-")


def _database_url() -> str:
    if TEST_DATABASE_URL:
        url = TEST_DATABASE_URL
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    return f"sqlite:///{_tmpdir}/test.sqlite3"


class SuiteConfig(TestConfig):
    SQLALCHEMY_DATABASE_URI = _database_url()
    UPLOAD_DIR = os.path.join(_tmpdir, "uploads")


@pytest.fixture(scope="session")
def app():
    app = create_app(SuiteConfig)
    request_started.connect(_forget_request_globals, app)
    with app.app_context():
        _db.drop_all()
        _db.create_all()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


def _forget_request_globals(sender, **extra) -> None:
    """Give each test request a fresh `g`, as a real server does.

    Tests hold an app context open so factories can use the database; requests
    made inside it would otherwise share `g` (and Flask-Login's cached user).
    """
    for key in list(g):
        g.pop(key)
    _db.session.expire_all()


def _empty_all_tables() -> None:
    tables = _db.metadata.sorted_tables
    if _db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        _db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            _db.session.execute(table.delete())
    _db.session.commit()


@pytest.fixture(autouse=True)
def _clean(app):
    """Each test runs in an app context and leaves every table empty."""
    with app.app_context():
        limiter.reset()
        app.extensions["sent_messages"] = []
        yield
        _db.session.rollback()
        _db.session.remove()
    with app.app_context():
        _empty_all_tables()
        _db.session.remove()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login(client):
    """Sign a person in through the real sign-in form; returns the response."""

    def do_login(user, password: str = "correct horse battery staple"):
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, f"sign-in of {user.email} failed"
        return response

    return do_login


@pytest.fixture
def employee(db):
    from tests.factories import UserFactory

    return UserFactory(email="emma@example.com", name="Emma Employee")


@pytest.fixture
def social(db):
    from tests.factories import UserFactory

    return UserFactory(email="sami@example.com", name="Sami Social", is_social=True)


@pytest.fixture
def admin(db):
    from tests.factories import UserFactory

    return UserFactory(email="astrid@example.com", name="Astrid Admin", is_admin=True)


@pytest.fixture
def sent_emails(app):
    """Emails the outbox worker delivered in this test (the "memory" mail backend)."""
    return app.extensions["sent_messages"]


@pytest.fixture
def deliver_outbox(app):
    """Run the outbox worker once, as `flask outbox work` would."""
    from app.outbox.services import work

    return lambda: work(worker_id="test")


class StatementCounter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """Context manager counting SQL statements, e.g. `with count_queries() as q: client.get(...)`."""

    @contextmanager
    def counter():
        recorded = StatementCounter()

        def before(conn, cursor, statement, parameters, context, executemany):
            if not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK)", statement, re.I):
                recorded.statements.append(statement)

        engine = _db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield recorded
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counter


# ---------------------------------------------------------------- real servers

def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(app):
    """The app served by a real HTTP server on 127.0.0.1, for browser tests."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright. Missing in CI is a failure, never a skip."""
    if not os.path.exists(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab (own cookies) whose relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def browser_login():
    """Sign in through the real form in a browser tab."""

    def do_login(tab, email: str, password: str = "correct horse battery staple"):
        tab.goto("/login")
        tab.get_by_label("Email", exact=True).fill(email)
        tab.get_by_label("Password").fill(password)
        tab.get_by_role("button", name="Sign in").click()
        tab.wait_for_url(lambda url: "/login" not in url)
        tab.wait_for_load_state("load")

    return do_login


class CapturedMail:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes
        from email.policy import default

        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 Message accepted"

    def text_of(self, message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on 127.0.0.1; the outbox delivers to it during the test.

    `smtp_server.stop()` takes it down (connections are refused) and `start()`
    brings it back on the same port, to test delivery while the server is down.
    """
    from aiosmtpd.controller import Controller

    handler = CapturedMail()
    handler.port = free_port()
    handler.controller = None

    def start():
        handler.controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
        handler.controller.start()

    def stop():
        if handler.controller is not None:
            with suppress(AssertionError, RuntimeError):
                handler.controller.stop()
            handler.controller = None

    handler.start, handler.stop = start, stop
    saved = {key: app.config[key] for key in ("MAIL_BACKEND", "MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=handler.port)
    start()
    yield handler
    app.config.update(saved)
    stop()
