"""Sign-in, sign-out, invitations, resets and the protections around them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth import services as auth_services
from app.auth.models import LoginSession
from app.db import utcnow
from app.people.services import set_active
from tests.factories import TEST_PASSWORD, UserFactory


def test_wrong_password_is_refused_with_a_message_and_audited(client, employee, db):
    response = client.post("/login", data={"email": employee.email, "password": "not the password at all"})
    assert response.status_code == 200
    assert "Email or password is incorrect." in response.get_data(as_text=True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.login_failed"))
    assert event.actor_label == employee.email
    assert "not the password" not in event.details


def test_successful_sign_in_is_audited_and_email_case_does_not_matter(client, employee, db):
    response = client.post("/login", data={"email": "EMMA@Example.com", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.login")).actor_id == employee.id


def test_password_is_hashed_with_argon2id(employee):
    assert employee.password_hash.startswith("$argon2id$")


def test_sign_in_clears_the_session_so_nothing_carries_over(client, employee):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["csrf_token"] = "known-token"
    client.post("/login", data={"email": employee.email, "password": TEST_PASSWORD})
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") != "known-token"


def test_sign_out_ends_the_session_on_the_server_so_a_replayed_cookie_is_refused(app, client, login, employee):
    login(employee)
    cookie = client.get_cookie("touchpoint_session").value
    assert client.get("/").status_code == 200
    client.post("/logout")
    replay = app.test_client()
    replay.set_cookie("touchpoint_session", cookie)
    response = replay.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_deactivated_person_is_signed_out_on_their_next_request(client, login, employee, admin):
    login(employee)
    assert client.get("/").status_code == 200
    set_active(employee, False, admin)
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_deactivated_person_cannot_sign_in(client, employee, admin):
    set_active(employee, False, admin)
    response = client.post("/login", data={"email": employee.email, "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert "incorrect" in response.get_data(as_text=True)


def test_sign_in_is_rate_limited_with_a_friendly_page(client, employee):
    statuses = [client.post("/login", data={"email": employee.email, "password": "wrong password here"}).status_code
                for _ in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    page = client.post("/login", data={"email": employee.email, "password": TEST_PASSWORD})
    assert page.status_code == 429
    assert "Too many attempts" in page.get_data(as_text=True)


def test_password_reset_requests_are_rate_limited(client, employee):
    statuses = [client.post("/forgot-password", data={"email": employee.email}).status_code for _ in range(6)]
    assert statuses[-1] == 429


@pytest.mark.parametrize("target", ["//evil.example", "/\\evil.example", "https://evil.example", "javascript:alert(1)",
                                    "http:/evil.example", "/\t/evil.example", ""])
def test_next_accepts_only_same_site_paths(client, employee, target):
    response = client.post("/login", data={"email": employee.email, "password": TEST_PASSWORD, "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_keeps_a_same_site_path(client, employee):
    response = client.post("/login", data={"email": employee.email, "password": TEST_PASSWORD,
                                           "next": "/people/?q=a"})
    assert response.headers["Location"] == "/people/?q=a"


def test_forgot_password_does_not_reveal_whether_an_account_exists(client, employee, sent_emails, deliver_outbox):
    known = client.post("/forgot-password", data={"email": employee.email}, follow_redirects=True)
    unknown = client.post("/forgot-password", data={"email": "nobody@example.com"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    deliver_outbox()
    assert [m["To"] for m in sent_emails] == [employee.email]


def _link_from(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"http://localhost(/\S+)", body).group(1)


def test_reset_link_works_once_and_ends_other_sessions(app, client, employee, sent_emails, deliver_outbox, db):
    other_device = app.test_client()
    other_device.post("/login", data={"email": employee.email, "password": TEST_PASSWORD})
    client.post("/forgot-password", data={"email": employee.email})
    deliver_outbox()
    link = _link_from(sent_emails[0])
    new_password = "a brand new long passphrase"
    response = client.post(link, data={"password": new_password, "confirm": new_password})
    assert response.status_code == 302
    assert other_device.get("/").status_code == 302
    again = client.post(link, data={"password": "another long passphrase", "confirm": "another long passphrase"})
    assert again.status_code == 400
    assert "used already" in again.get_data(as_text=True)
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": employee.email, "password": new_password}).status_code == 302


def test_reset_link_expires(client, employee):
    token = auth_services.make_token(employee, auth_services.RESET)
    with time_machine.travel(utcnow() + timedelta(minutes=61)):
        response = client.get(f"/reset-password/{token}")
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_tampered_link_is_refused(client, employee):
    token = auth_services.make_token(employee, auth_services.RESET)
    tampered = token[:5] + ("A" if token[5] != "A" else "B") + token[6:]
    response = client.get(f"/reset-password/{tampered}")
    assert response.status_code == 400


def test_invitation_link_is_not_a_reset_link(client, employee):
    token = auth_services.make_token(employee, auth_services.INVITE)
    assert client.get(f"/reset-password/{token}").status_code == 400


@pytest.mark.parametrize("password,message", [
    ("short pass", "at least 12 characters"),
    ("password1234", "most commonly used"),
    ("aaaaaaaaaaaaaaaa", "too few characters"),
])
def test_weak_passwords_are_refused_with_a_reason(client, db, password, message):
    user = UserFactory(password_hash=None)
    token = auth_services.make_token(user, auth_services.INVITE)
    response = client.post(f"/invitation/{token}", data={"password": password, "confirm": password})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.password_hash is None


def test_long_passphrase_without_digits_or_symbols_is_accepted(client, db):
    user = UserFactory(password_hash=None)
    token = auth_services.make_token(user, auth_services.INVITE)
    passphrase = "orange kayak under the bridge"
    response = client.post(f"/invitation/{token}", data={"password": passphrase, "confirm": passphrase})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_session_rows_are_revoked_not_deleted(client, login, employee, db):
    login(employee)
    client.post("/logout")
    rows = db.session.scalars(select(LoginSession).where(LoginSession.user_id == employee.id)).all()
    assert len(rows) == 1 and rows[0].revoked_at is not None
