"""Recording and reading the audit log."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select

from app.audit.models import AuditEvent
from app.extensions import db

CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
SECRET_KEYS = {"password", "token", "secret", "password_hash", "code", "receipt"}


def clean_text(value: Any, limit: int = 500) -> str:
    """One line of text: control characters (newlines included) become spaces."""
    return CONTROL_CHARS.sub(" ", str(value))[:limit]


def _clean_details(details: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for key, value in details.items():
        key = clean_text(key, 64)
        if key.lower() in SECRET_KEYS:
            continue
        if isinstance(value, bool | int | float) or value is None:
            cleaned[key] = value
        elif isinstance(value, list | tuple):
            cleaned[key] = [clean_text(v, 200) for v in value][:50]
        else:
            cleaned[key] = clean_text(value)
    return cleaned


def record(
    action: str,
    actor=None,
    target_type: str | None = None,
    target_id: Any = None,
    target_label: str | None = None,
    details: dict[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits).

    User text is flattened to one line and secret-looking keys are dropped, so
    the log can neither be forged with injected lines nor leak credentials.
    """
    event = AuditEvent(
        action=clean_text(action, 64),
        actor_id=actor.id if actor is not None else None,
        actor_label=clean_text(actor_label or (actor.email if actor is not None else "system"), 254),
        target_type=target_type,
        target_id=None if target_id is None else clean_text(target_id, 64),
        target_label=None if target_label is None else clean_text(target_label, 254),
        details=json.dumps(_clean_details(details or {}), ensure_ascii=False, sort_keys=True),
    )
    db.session.add(event)
    return event


def filtered_events(
    action: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Select:
    """A query for events matching the filters, newest first."""
    query = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action.startswith(action))
    if actor:
        query = query.where(AuditEvent.actor_label.icontains(actor, autoescape=True))
    if since:
        query = query.where(AuditEvent.occurred_at >= since)
    if until:
        query = query.where(AuditEvent.occurred_at < until)
    return query


def events_for(target_type: str, target_id) -> list[AuditEvent]:
    """Every event about one target, oldest first (a record's history)."""
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.target_type == target_type, AuditEvent.target_id == str(target_id))
        .order_by(AuditEvent.occurred_at, AuditEvent.id)))


def action_names() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
