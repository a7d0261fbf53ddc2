"""Desk rules: links and duplicates, notifications, watch, purge, metrics, the webhook's signature."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from sqlalchemy import select

from app.db import utcnow
from app.desk import services
from app.desk.models import Report, ReportScreenshot
from app.org.services import set_setting
from app.outbox.models import OutboxMessage
from app.outbox.services import work
from app.uploads import UploadError, stored_path
from tests.desk_factories import file_report, make_report, png_bytes
from tests.factories import UserFactory


@pytest.mark.parametrize(("url", "expected"), [
    ("HTTPS://WWW.Example.COM/Path/", "https://example.com/Path"),
    ("https://example.com/a?utm_source=x&utm_medium=y&b=2&fbclid=abc&a=1", "https://example.com/a?a=1&b=2"),
    ("http://example.com:80/x#frag", "http://example.com/x"),
    ("https://example.com", "https://example.com"),
    ("https://www.linkedin.com/posts/abc?trk=public_post", "https://linkedin.com/posts/abc"),
])
def test_normalise_link(url, expected):
    assert services.normalise_link(url) == expected


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.com/x", "example.com", "https://",
                                 "data:text/html,hi"])
def test_only_web_links_are_links(url):
    assert not services.is_web_link(url)


def test_report_about_the_same_link_is_linked_as_a_duplicate(db, employee):
    first = file_report(employee, links=["https://x.com/someone/status/1?utm_source=share"]).report
    second = file_report(employee, links=["HTTPS://www.x.com/someone/status/1/?fbclid=zzz"])
    assert second.duplicates == [first.id] and second.report.duplicate_of_id == first.id
    third = file_report(employee, links=["https://x.com/someone/status/1"]).report
    assert third.duplicate_of_id == first.id
    assert {r.id for r in services.related_reports(first)} == {second.report.id, third.id}
    assert services.duplicate_counts([first.id]) == {first.id: 2}


def test_a_closed_report_is_not_a_duplicate_target(db, employee, social):
    first = file_report(employee, links=["https://x.com/a"]).report
    services.set_status(first, "resolved", social)
    assert file_report(employee, links=["https://x.com/a"]).report.duplicate_of_id is None


def test_submission_is_idempotent_per_form_token(db, employee):
    token = services.new_form_token()
    one = file_report(employee, token=token)
    two = file_report(employee, token=token)
    assert one.created and not two.created and one.report.id == two.report.id
    assert len(db.session.scalars(select(Report)).all()) == 1


def test_receipt_is_long_random_and_stored_only_as_a_hash(db, employee):
    a = file_report(employee, anonymous=True)
    b = file_report(employee, anonymous=True)
    assert len(a.receipt) >= 16 and a.receipt.isdigit() and a.receipt != b.receipt
    assert a.report.receipt_hash == services.receipt_hash(a.receipt) != a.receipt
    assert services.report_by_receipt(a.receipt).id == a.report.id
    assert services.report_by_receipt(b.receipt[:-1] + str((int(b.receipt[-1]) + 1) % 10)) is None


def test_screenshots_are_stripped_of_metadata(db, employee):
    file_report(employee, images=[png_bytes(with_exif=True)])
    shot = db.session.scalar(select(ReportScreenshot))
    data = stored_path("desk", shot.name).read_bytes()
    assert b"SecretCameraMaker" not in data


def test_refused_screenshot_files_nothing(db, employee):
    with pytest.raises(UploadError):
        file_report(employee, images=[png_bytes(), b"GIF89a not allowed"])
    assert db.session.scalar(select(Report)) is None


def test_new_critical_report_emails_the_team_and_queues_a_signed_webhook(db, employee, social):
    UserFactory(email="social2@example.com", is_social=True)
    UserFactory(email="former@example.com", is_social=True, active=False)
    set_setting("desk.webhook_url", "https://hooks.example.com/T000/B000")
    set_setting("desk.webhook_secret", "s3cret")
    report = file_report(employee, urgency="critical", anonymous=True).report
    messages = db.session.scalars(select(OutboxMessage)).all()
    emails = sorted(m.recipient for m in messages if m.kind == "email")
    assert emails == ["sami@example.com", "social2@example.com"]
    hook = next(m for m in messages if m.kind == "webhook")
    payload = json.loads(hook.body_text)
    assert f"#{report.id}" in payload["text"] and payload["urgency"] == "critical"
    assert employee.email not in hook.body_text and employee.name not in hook.body_text
    expected = "sha256=" + hmac.new(b"s3cret", hook.body_text.encode(), hashlib.sha256).hexdigest()
    assert hook.signature == expected


def test_normal_report_notifies_nobody_at_once(db, employee, social):
    set_setting("desk.webhook_url", "https://hooks.example.com/x")
    file_report(employee, urgency="high")
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_webhook_reaches_a_real_server_with_a_valid_signature(db, employee, social):
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((body, self.headers.get("X-Touchpoint-Signature"), self.headers.get("Content-Type")))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        set_setting("desk.webhook_url", f"http://127.0.0.1:{server.server_port}/hook")
        set_setting("desk.webhook_secret", "hook-secret")
        file_report(employee, urgency="critical")
        counts = work(worker_id="test")
    finally:
        server.shutdown()
    assert counts["sent"] >= 1 and len(received) == 1
    body, signature, content_type = received[0]
    assert content_type == "application/json"
    assert signature == "sha256=" + hmac.new(b"hook-secret", body, hashlib.sha256).hexdigest()
    assert "text" in json.loads(body)


def test_failed_webhook_is_retried_not_lost(db, employee, social):
    set_setting("desk.webhook_url", "http://127.0.0.1:9/unreachable")
    file_report(employee, urgency="critical")
    work(worker_id="test")
    hook = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "webhook"))
    assert hook.status == "pending" and hook.attempts == 1 and hook.last_error


def _watch_mails(db):
    return [m for m in db.session.scalars(select(OutboxMessage)) if m.dedupe_key and
            m.dedupe_key.startswith("desk-watch:")]


def test_watch_warns_once_at_80_percent_and_once_at_breach(db, social):
    UserFactory(email="social2@example.com", is_social=True)
    start = utcnow()
    with time_machine.travel(start, tick=False):
        report = make_report(urgency="critical")  # 15 minutes around the clock, unassigned
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        assert services.watch() == {"warned": 0, "breached": 0}
    with time_machine.travel(start + timedelta(minutes=12), tick=False):
        assert services.watch() == {"warned": 2, "breached": 0}   # the whole team: nobody is assigned
        assert services.watch() == {"warned": 0, "breached": 0}   # cron a minute later: nothing new
    with time_machine.travel(start + timedelta(minutes=13), tick=False):
        services.assign(report, social, social)
        assert services.watch() == {"warned": 0, "breached": 0}   # the assignee was already warned
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert services.watch() == {"warned": 0, "breached": 1}   # the assignee only
        assert services.watch() == {"warned": 0, "breached": 0}
    mails = _watch_mails(db)
    assert len(mails) == 3
    assert [m.recipient for m in mails if ":breach:" in m.dedupe_key] == [social.email]


def test_watch_ignores_paused_and_closed_reports(db, social):
    start = utcnow()
    with time_machine.travel(start, tick=False):
        waiting = make_report(urgency="critical")
        services.set_status(waiting, "waiting", social)
        make_report(urgency="critical", status="resolved")
    with time_machine.travel(start + timedelta(hours=3), tick=False):
        assert services.watch() == {"warned": 0, "breached": 0}


def test_purge_deletes_screenshots_and_receipts_after_retention(db, employee, social):
    set_setting("desk.retention_days", 30)
    submission = file_report(employee, images=[png_bytes()], anonymous=True)
    report = submission.report
    keep = file_report(employee, images=[png_bytes()]).report
    name = db.session.scalars(select(ReportScreenshot.name).where(ReportScreenshot.report_id == report.id)).one()
    services.set_status(report, "resolved", social)
    assert services.purge() == {"reports": 0, "screenshots": 0, "receipts": 0}
    with time_machine.travel(utcnow() + timedelta(days=31), tick=False):
        assert services.purge() == {"reports": 1, "screenshots": 1, "receipts": 1}
        assert services.purge() == {"reports": 0, "screenshots": 0, "receipts": 0}
    assert stored_path("desk", name) is None
    assert services.report_by_receipt(submission.receipt) is None
    assert db.session.scalar(select(ReportScreenshot).where(ReportScreenshot.report_id == keep.id)) is not None


def test_metrics_figures(db, social):
    now = utcnow()
    answered = []
    for minutes in (10, 20, 30, 40, 600):
        report = make_report(urgency="critical", minutes_ago=minutes + 60)
        with time_machine.travel(report.created_at + timedelta(minutes=minutes), tick=False):
            services.reply(report, social, "Answered")
        answered.append(report)
    never = make_report(minutes_ago=8 * 1440)
    dismissed = make_report(minutes_ago=9 * 1440)
    services.set_status(dismissed, "dismissed", social, "Not about us")
    figures = services.metrics(12, now=now + timedelta(seconds=1))
    assert figures["median_first_response"] == pytest.approx(30)
    assert figures["p90_first_response"] == pytest.approx(600)
    assert figures["never_count"] == 1 and figures["old_enough"] == 2 and figures["never_answered"] == 0.5
    # Answered in 10 min: within the 15-minute target; 20+ minutes: not; the unanswered one is overdue.
    assert figures["met"] == 1 and figures["judged"] == 6
    assert figures["by_category"]["complaint"] == 7 and figures["by_urgency"]["critical"] == 5
    assert sum(w["total"] for w in figures["by_week"].values()) == 7
    assert never.id not in [r.id for r in answered]


def test_reporter_adding_information_resumes_the_clock(db, employee, social):
    report = file_report(employee).report
    services.set_status(report, "waiting", social)
    services.add_reporter_message(report, employee, "Here is the screenshot you asked for")
    assert report.status == "in_progress"
    assert all(p.ended_at is not None for p in report.pauses)


def test_demo_loader_is_idempotent(db):
    from app.desk.demo import load_desk
    from app.people.demo import load_people

    load_people()
    load_desk()
    first = db.session.scalars(select(Report.id)).all()
    load_desk()
    assert db.session.scalars(select(Report.id)).all() == first and len(first) == 10
    reports = db.session.scalars(select(Report)).all()
    assert sum(1 for r in reports if r.anonymous) == 1
    assert all(r.reporter_id is None for r in reports if r.anonymous)
    assert any(services.sla(r).overdue for r in reports)
    assert any(not r.is_open for r in reports)


def test_flask_desk_watch_and_purge_commands(app, db, social):
    start = utcnow()
    with time_machine.travel(start, tick=False):
        make_report(urgency="critical")
    runner = app.test_cli_runner()
    with time_machine.travel(start + timedelta(minutes=20), tick=False):
        first = runner.invoke(args=["desk", "watch"])
        again = runner.invoke(args=["desk", "watch"])
    assert first.exit_code == 0 and "1 breach notice(s) queued" in first.output
    assert "0 warning(s), 0 breach notice(s) queued" in again.output
    purged = runner.invoke(args=["desk", "purge"])
    assert purged.exit_code == 0 and "0 screenshot(s) and 0 receipt(s)" in purged.output


def test_desk_settings_are_on_the_settings_page_for_the_social_team(client, login, social, employee):
    login(social)
    html = client.get("/settings/").get_data(as_text=True)
    assert "Business hours start" in html and "First response target" in html and "Webhook signing secret" in html
    client.post("/logout")
    login(employee)
    assert client.get("/desk/").status_code == 403
    assert client.get("/desk/metrics").status_code == 403
