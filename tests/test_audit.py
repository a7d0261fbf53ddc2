"""The audit log: recorded safely, browsed and exported by admins."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from app.audit import services
from app.audit.models import AuditEvent


def test_user_text_cannot_inject_lines_and_secrets_are_dropped(db, employee):
    services.record("people.updated\nforged.entry", actor=employee, target_label="Evil\r\nName",
                    details={"note": "line1\nline2", "password": "hunter2", "token": "abc"})
    db.session.commit()
    event = db.session.scalar(select(AuditEvent))
    assert "\n" not in event.action and "\n" not in event.target_label
    assert "hunter2" not in event.details and "abc" not in event.details
    assert "line1 line2" in event.details


def test_failed_sign_in_does_not_store_the_password(client, db, employee):
    client.post("/login", data={"email": employee.email, "password": "my secret attempt 123"})
    assert "my secret attempt" not in "".join(e.details for e in db.session.scalars(select(AuditEvent)))


def test_admin_filters_and_exports_the_log(client, login, admin, employee, db):
    services.record("people.deactivated", actor=admin, target_label="=HYPERLINK(\"http://evil\")")
    services.record("settings.changed", actor=admin)
    db.session.commit()
    login(admin)
    page = client.get("/audit/?action=people.").get_data(as_text=True)
    assert "<code>people.deactivated</code>" in page and "<code>settings.changed</code>" not in page
    export = client.get("/audit/export.csv?action=people.")
    assert export.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["time_utc", "actor", "action"]
    assert [r[2] for r in rows[1:]] == ["people.deactivated"]
    assert rows[1][5].startswith("'=")


def test_employees_cannot_read_the_audit_log(client, login, employee):
    login(employee)
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export.csv").status_code == 403
