"""Queueing and delivering notifications, never losing one.

Queue functions only add rows to the caller's transaction: the message exists
exactly when the event that caused it was committed. `work()` claims messages
with a conditional UPDATE (so two workers never send one message), delivers
them, and reschedules failures with exponential backoff.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import smtplib
import socket
import urllib.error
import urllib.request
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.db import utcnow
from app.extensions import db
from app.outbox.models import FAILED, PENDING, SENDING, SENT, OutboxMessage

log = logging.getLogger("touchpoint.outbox")
MAX_BACKOFF_SECONDS = 3600


def _insert_message(values: dict) -> int | None:
    """Insert a message; with a dedupe key already used, insert nothing and return None."""
    if values.get("dedupe_key") is None:
        message = OutboxMessage(**values)
        db.session.add(message)
        db.session.flush()
        return message.id
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    values = {"status": PENDING, "attempts": 0, "next_attempt_at": utcnow(), "created_at": utcnow(), **values}
    statement = (
        insert(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage.id)
    )
    return db.session.execute(statement).scalar()


def queue_email(to: str, template: str, context: dict | None = None, dedupe_key: str | None = None,
                language: str | None = None) -> int | None:
    """Queue an email rendered from `email/<template>.txt` and `.html` in `language`.

    The first line of the text template, after "Subject:", is the subject.
    Returns the message id, or None when `dedupe_key` was already queued.
    """
    context = dict(context or {})
    with force_locale(language or "en"):
        text = render_template(f"email/{template}.txt", **context)
        subject, _, body = text.partition("\n")
        subject = subject.removeprefix("Subject:").strip()
        html = render_template(f"email/{template}.html", subject=subject, **context)
    return _insert_message(
        {"kind": "email", "recipient": to, "subject": subject[:300], "body_text": body.strip() + "\n",
         "body_html": html, "dedupe_key": dedupe_key}
    )


def sign_payload(body: str, secret: str) -> str:
    """HMAC-SHA256 of the exact body, as sent in the X-Touchpoint-Signature header."""
    return "sha256=" + hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()


def queue_webhook(url: str, payload: dict, secret: str = "", dedupe_key: str | None = None) -> int | None:
    """Queue a JSON POST to `url`, signed with `secret` when one is given."""
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    return _insert_message(
        {"kind": "webhook", "recipient": url, "subject": str(payload.get("text", ""))[:300], "body_text": body,
         "signature": sign_payload(body, secret) if secret else None, "dedupe_key": dedupe_key}
    )


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... capped at an hour."""
    return timedelta(seconds=min(MAX_BACKOFF_SECONDS, 30 * 2 ** max(0, attempts - 1)))


def _claimable(now):
    return and_(
        OutboxMessage.status.in_((PENDING, SENDING)),
        OutboxMessage.next_attempt_at <= now,
        or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now),
    )


def claim(worker_id: str, limit: int = 20) -> list[int]:
    """Claim up to `limit` due messages for this worker; each is claimed by one worker only."""
    now = utcnow()
    lease = now + timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    candidates = list(
        db.session.scalars(
            select(OutboxMessage.id).where(_claimable(now)).order_by(OutboxMessage.next_attempt_at).limit(limit)
        )
    )
    db.session.commit()
    claimed = []
    for message_id in candidates:
        result = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, _claimable(now))
            .values(status=SENDING, locked_until=lease, locked_by=worker_id, attempts=OutboxMessage.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        if result.rowcount == 1:
            claimed.append(message_id)
    return claimed


def deliver(message: OutboxMessage) -> None:
    """Send one message through the configured backend; raise on failure."""
    if message.kind == "email":
        send_email(message)
    elif message.kind == "webhook":
        send_webhook(message)
    else:
        raise ValueError(f"unknown message kind {message.kind!r}")


def build_email(message: OutboxMessage) -> EmailMessage:
    config = current_app.config
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.recipient
    email["Message-ID"] = make_msgid(idstring=f"outbox{message.id}", domain="touchpoint.local")
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    return email


def send_email(message: OutboxMessage) -> None:
    config = current_app.config
    email = build_email(message)
    backend = config["MAIL_BACKEND"]
    if backend == "console":
        print(f"----- email #{message.id} -----\n{email['From']} -> {email['To']}\nSubject: {email['Subject']}\n\n"
              f"{message.body_text}----- end -----", flush=True)
        return
    if backend == "memory":
        current_app.extensions.setdefault("sent_messages", []).append(email)
        return
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)


def send_webhook(message: OutboxMessage) -> None:
    if not message.recipient.startswith(("https://", "http://")):
        raise ValueError("webhook URL must be http(s)")
    headers = {"Content-Type": "application/json", "User-Agent": "Touchpoint-Webhook/1"}
    if message.signature:
        headers["X-Touchpoint-Signature"] = message.signature
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        message.recipient, data=message.body_text.encode(), headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=current_app.config["MAIL_TIMEOUT"]) as response:  # noqa: S310
        if response.status >= 300:
            raise RuntimeError(f"webhook answered {response.status}")


def work(worker_id: str | None = None, limit: int = 20) -> dict[str, int]:
    """Deliver every due message once; return counts of sent, retried and failed."""
    worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}"
    counts = {"sent": 0, "retry": 0, "failed": 0}
    max_attempts = current_app.config["OUTBOX_MAX_ATTEMPTS"]
    for message_id in claim(worker_id, limit):
        message = db.session.get(OutboxMessage, message_id)
        try:
            deliver(message)
        except (OSError, smtplib.SMTPException, urllib.error.URLError, RuntimeError, ValueError) as error:
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            message.locked_until = None
            message.locked_by = None
            if message.attempts >= max_attempts:
                message.status = FAILED
                counts["failed"] += 1
                log.error("outbox message %s failed for good: %s", message.id, message.last_error)
            else:
                message.status = PENDING
                message.next_attempt_at = utcnow() + backoff(message.attempts)
                counts["retry"] += 1
                log.warning("outbox message %s will be retried: %s", message.id, message.last_error)
        else:
            message.status = SENT
            message.sent_at = utcnow()
            message.locked_until = None
            message.last_error = None
            counts["sent"] += 1
        db.session.commit()
    return counts


def retry(message: OutboxMessage) -> None:
    """Put a failed message back in the queue for immediate delivery."""
    message.status = PENDING
    message.next_attempt_at = utcnow()
    message.locked_until = None
    message.attempts = 0
    db.session.commit()


def status_counts() -> dict[str, int]:
    rows = db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    return {status: count for status, count in rows}
