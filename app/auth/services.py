"""Signing in and out, invitations and password resets."""

from __future__ import annotations

import hashlib
import secrets

from flask import current_app, session
from flask_login import login_user, logout_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select, update

from app.audit.services import record
from app.auth.models import LoginSession
from app.auth.passwords import hash_password, needs_rehash, verify_password
from app.db import utcnow
from app.extensions import db, login_manager
from app.outbox.services import queue_email
from app.people.models import User
from app.people.services import find_by_email

INVITE = "invite"
RESET = "reset"


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    """The active person behind an unrevoked sign-in session, or None."""
    row = db.session.execute(
        select(User)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(LoginSession.token_hash == _hash_token(session_token), LoginSession.revoked_at.is_(None),
               User.active.is_(True))
    ).scalar_one_or_none()
    if row is not None:
        row.session_token = session_token
    return row


def authenticate(email: str, password: str) -> User | None:
    """The active person with this email and password, or None; every attempt is audited."""
    user = find_by_email(email)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        record("auth.login_failed", actor_label=email.strip().lower()[:254] or "(blank)",
               details={"reason": "inactive" if ok and user is not None else "bad credentials"})
        db.session.commit()
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def start_session(user: User) -> None:
    """Sign `user` in with a fresh session: nothing from before sign-in survives."""
    session.clear()
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(token_hash=_hash_token(token), user_id=user.id))
    user.session_token = token
    user.last_login_at = utcnow()
    record("auth.login", actor=user)
    db.session.commit()
    session.permanent = True
    login_user(user, remember=False)


def end_session(user: User) -> None:
    """Sign out: revoke the server-side session so a replayed cookie is refused."""
    if user.session_token:
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.token_hash == _hash_token(user.session_token))
            .values(revoked_at=utcnow())
        )
    record("auth.logout", actor=user)
    db.session.commit()
    logout_user()
    session.clear()


def revoke_all_sessions(user: User) -> None:
    """End every open session of `user` (the caller commits)."""
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"touchpoint-{purpose}")


def _fingerprint(user: User) -> str:
    """Changes whenever the password does, so a used link cannot be used again."""
    return hashlib.sha256(f"{user.id}:{user.password_hash or ''}".encode()).hexdigest()[:24]


def make_token(user: User, purpose: str) -> str:
    return _serializer(purpose).dumps({"u": user.id, "f": _fingerprint(user)})


def max_age(purpose: str) -> int:
    config = current_app.config
    return config["INVITE_TOKEN_DAYS"] * 86400 if purpose == INVITE else config["RESET_TOKEN_MINUTES"] * 60


class TokenError(Exception):
    """A link that is malformed, expired or already used."""


def user_for_token(token: str, purpose: str) -> User:
    """The person a signed link belongs to; raises TokenError if it is not valid any more."""
    try:
        data = _serializer(purpose).loads(token, max_age=max_age(purpose))
    except SignatureExpired as error:
        raise TokenError("expired") from error
    except BadSignature as error:
        raise TokenError("invalid") from error
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("f") != _fingerprint(user):
        raise TokenError("used")
    return user


def set_password(user: User, password: str, purpose: str) -> None:
    """Store a new password, end all other sessions, and audit it."""
    user.password_hash = hash_password(password)
    revoke_all_sessions(user)
    record("auth.password_set", actor=user, target_type="user", target_id=user.id, details={"via": purpose})
    db.session.commit()


def send_invitation(user: User, invited_by: User | None) -> None:
    """Queue an invitation email with a link to choose a password (the caller commits)."""
    from app.urls import absolute_url

    token = make_token(user, INVITE)
    queue_email(user.email, "invitation", {
        "user": user, "invited_by": invited_by,
        "link": absolute_url("auth.accept_invitation", token=token),
        "days": current_app.config["INVITE_TOKEN_DAYS"],
    }, language=user.language)
    record("people.invited", actor=invited_by, target_type="user", target_id=user.id, target_label=user.email)


def request_password_reset(email: str) -> None:
    """Queue a reset link if the email belongs to an active person; say nothing either way."""
    from app.urls import absolute_url

    user = find_by_email(email)
    if user is None or not user.active:
        return
    token = make_token(user, RESET)
    queue_email(user.email, "password_reset", {
        "user": user, "link": absolute_url("auth.reset_password", token=token),
        "minutes": current_app.config["RESET_TOKEN_MINUTES"],
    }, language=user.language)
    record("auth.reset_requested", actor=user)
    db.session.commit()
