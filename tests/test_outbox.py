"""The outbox: written with the event, delivered once, never lost."""

from __future__ import annotations

import threading
from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from app.db import utcnow
from app.outbox import services
from app.outbox.models import FAILED, PENDING, SENT, OutboxMessage
from tests.conftest import free_port
from tests.factories import UserFactory


def _queue(db, n=1, **kwargs):
    user = UserFactory()
    for _ in range(n):
        services.queue_email(user.email, "password_reset", {"user": user, "link": "http://x/y", "minutes": 60},
                             **kwargs)
    db.session.commit()
    return user


def test_a_message_exists_only_if_its_transaction_commits(db):
    user = UserFactory()
    services.queue_email(user.email, "password_reset", {"user": user, "link": "http://x", "minutes": 60})
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_emails_have_plain_text_and_html_from_templates(db, deliver_outbox, sent_emails):
    _queue(db)
    deliver_outbox()
    email = sent_emails[0]
    assert email["Subject"] == "Choose a new Touchpoint password"
    assert "http://x/y" in email.get_body(preferencelist=("plain",)).get_content()
    assert "<a href=\"http://x/y\"" in email.get_body(preferencelist=("html",)).get_content()


def test_a_dedupe_key_queues_a_message_once(db):
    _queue(db, n=3, dedupe_key="reminder:1:2026-11-22")
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_when_the_mail_server_is_down_messages_wait_and_go_out_after_it_returns(app, db, smtp_server):
    user = _queue(db)
    smtp_server.stop()
    counts = services.work("w1")
    assert counts == {"sent": 0, "retry": 1, "failed": 0}
    message = db.session.scalar(select(OutboxMessage))
    assert message.status == PENDING and message.attempts == 1 and "Error" in message.last_error
    assert services.work("w1") == {"sent": 0, "retry": 0, "failed": 0}  # backing off, not hammering
    smtp_server.start()
    with time_machine.travel(utcnow() + timedelta(minutes=2)):
        assert services.work("w1")["sent"] == 1
    db.session.refresh(message)
    assert message.status == SENT
    assert [m["To"] for m in smtp_server.messages] == [user.email]


def test_after_the_last_attempt_a_message_is_kept_as_failed_and_can_be_retried(app, db, client, login, admin):
    _queue(db)
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), OUTBOX_MAX_ATTEMPTS=2)
    try:
        services.work("w")
        with time_machine.travel(utcnow() + timedelta(hours=2)):
            services.work("w")
    finally:
        app.config.update(MAIL_BACKEND="memory", OUTBOX_MAX_ATTEMPTS=12)
    message = db.session.scalar(select(OutboxMessage))
    assert message.status == FAILED
    login(admin)
    assert "Failed (1)" in client.get("/outbox/").get_data(as_text=True)
    client.post(f"/outbox/{message.id}/retry")
    db.session.refresh(message)
    assert message.status == PENDING
    assert services.work("w")["sent"] == 1


def test_two_workers_at_once_never_send_one_message_twice(app, db, sent_emails):
    _queue(db, n=30)
    results = []

    def run(name):
        with app.app_context():
            results.append(services.work(name, limit=50))
            db.session.remove()

    threads = [threading.Thread(target=run, args=(f"w{n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r["sent"] for r in results) == 30
    assert len(sent_emails) == 30
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == SENT)) == 30


def test_a_claimed_message_is_not_claimed_again_until_its_lease_runs_out(db):
    _queue(db)
    assert len(services.claim("first")) == 1
    assert services.claim("second") == []
    with time_machine.travel(utcnow() + timedelta(minutes=6)):
        assert len(services.claim("second")) == 1


def test_webhooks_are_signed_with_hmac_sha256(db):
    import hashlib
    import hmac
    import json
    from http.server import BaseHTTPRequestHandler, HTTPServer

    received = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            received["body"] = self.rfile.read(int(self.headers["Content-Length"]))
            received["signature"] = self.headers["X-Touchpoint-Signature"]
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.handle_request)
    thread.start()
    services.queue_webhook(f"http://127.0.0.1:{server.server_port}/hook", {"text": "Critical report"}, "s3cret")
    db.session.commit()
    assert services.work("w")["sent"] == 1
    thread.join(5)
    server.server_close()
    expected = "sha256=" + hmac.new(b"s3cret", received["body"], hashlib.sha256).hexdigest()
    assert received["signature"] == expected
    assert json.loads(received["body"]) == {"text": "Critical report"}


def test_the_outbox_command_delivers(app, db, sent_emails):
    _queue(db, n=2)
    result = app.test_cli_runner().invoke(args=["outbox", "work"])
    assert "2 sent" in result.output
    assert len(sent_emails) == 2
