"""Health check, request log, demo data and settings."""

from __future__ import annotations

import logging

from sqlalchemy import func, select

from app import create_app
from app.extensions import limiter
from app.org.services import get_setting
from app.people.demo import DEMO_PASSWORD, DEMO_PEOPLE
from app.people.models import Department, User
from tests.conftest import SuiteConfig


def test_healthz_is_503_when_the_database_is_unreachable():
    class Broken(SuiteConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite:////nonexistent-dir/touchpoint.sqlite3"

    response = create_app(Broken).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"


def test_one_log_line_per_request_with_method_path_status_and_duration(client, caplog):
    with caplog.at_level(logging.INFO, logger="touchpoint.request"):
        client.get("/healthz?secret=1")
    lines = [r.getMessage() for r in caplog.records if r.name == "touchpoint.request"]
    assert len(lines) == 1
    method, path, status, duration = lines[0].split()
    assert (method, path, status) == ("GET", "/healthz", "200") and duration.endswith("ms")


def test_demo_load_is_idempotent_and_every_demo_account_signs_in(app, db):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    counts = (db.session.scalar(select(func.count()).select_from(User)),
              db.session.scalar(select(func.count()).select_from(Department)))
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert counts == (db.session.scalar(select(func.count()).select_from(User)),
                      db.session.scalar(select(func.count()).select_from(Department)))
    assert counts[0] >= 16 and counts[1] == 6
    for email, name, *_ in DEMO_PEOPLE:
        limiter.reset()
        client = app.test_client()
        assert client.post("/login", data={"email": email, "password": DEMO_PASSWORD}).status_code == 302
        assert f"Hello, {name}" in client.get("/").get_data(as_text=True)


def test_homes_fit_the_role(app, db):
    app.test_cli_runner().invoke(args=["demo", "load"])
    admin = app.test_client()
    admin.post("/login", data={"email": "admin@example.com", "password": DEMO_PASSWORD})
    admin_home = admin.get("/").get_data(as_text=True)
    assert "People and operations" in admin_home and 'href="/people/"' in admin_home
    employee = app.test_client()
    employee.post("/login", data={"email": "employee@example.com", "password": DEMO_PASSWORD})
    employee_home = employee.get("/").get_data(as_text=True)
    assert "People and operations" not in employee_home and 'href="/people/"' not in employee_home


def test_admin_changes_settings_and_bad_time_zones_are_refused(client, login, admin, db):
    login(admin)
    bad = client.post("/settings/", data={"organisation__name": "Nordlys A/S", "organisation__timezone": "Mars/Base"})
    assert "Unknown time zone" in bad.get_data(as_text=True)
    assert get_setting("organisation.name") == "Example Corp"
    client.post("/settings/", data={"organisation__name": "Nordlys A/S", "organisation__timezone": "Europe/Oslo"})
    assert "Nordlys A/S" in client.get("/").get_data(as_text=True)
