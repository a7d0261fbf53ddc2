"""Tracked links `/s/<code>`: redirects with UTM, clicks without IPs, bots, misses, failures and concurrency."""

from __future__ import annotations

import http.client
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from app.db import utcnow
from app.extensions import db
from app.library import services
from app.library.models import ARCHIVED, Click, ShareLink
from tests.factories import UserFactory
from tests.library_factories import ContentItemFactory

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


@pytest.fixture
def shared(employee):
    item = ContentItemFactory(slug="autumn", link="https://example.com/blog/autumn?ref=newsletter#video")
    link = services.link_for(employee.id, item.id, "linkedin")
    db.session.commit()
    return item, link


def test_a_tracked_link_redirects_with_utm_merged_and_records_a_click_without_the_ip(client, shared):
    item, link = shared
    response = client.get(f"/s/{link.code}", headers={"User-Agent": BROWSER_UA,
                                                      "Referer": "https://www.linkedin.com/feed/?secret=1"},
                          environ_base={"REMOTE_ADDR": "203.0.113.77"})
    assert response.status_code == 302
    parts = urlsplit(response.headers["Location"])
    assert (parts.scheme, parts.netloc, parts.path, parts.fragment) == ("https", "example.com", "/blog/autumn",
                                                                        "video")
    assert parse_qs(parts.query) == {"ref": ["newsletter"], "utm_source": ["linkedin"],
                                     "utm_medium": ["employee_advocacy"], "utm_campaign": ["autumn"]}
    click = db.session.scalar(select(Click))
    assert click.network == "linkedin" and click.item_id == item.id and click.share_link_id == link.id
    assert click.referrer_host == "www.linkedin.com" and click.is_bot is False
    assert click.occurred_at.tzinfo is not None and abs(click.occurred_at - utcnow()) < timedelta(minutes=1)
    assert len(click.visitor_key) == 64 and "203.0.113.77" not in click.visitor_key
    for column in Click.__table__.columns:
        assert "203.0.113.77" not in str(getattr(click, column.key))


def test_the_visitor_key_is_stable_within_a_day_and_rotates_daily(app):
    now = utcnow()
    same = services.visitor_key("203.0.113.77", BROWSER_UA, now)
    assert same == services.visitor_key("203.0.113.77", BROWSER_UA, now + timedelta(seconds=1))
    assert same != services.visitor_key("203.0.113.78", BROWSER_UA, now)
    assert same != services.visitor_key("203.0.113.77", BROWSER_UA, now + timedelta(days=1))


@pytest.mark.parametrize(("agent", "bot"), [
    ("LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)", True),
    ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", True),
    ("Twitterbot/1.0", True), ("curl/8.5.0", True), ("Slackbot-LinkExpanding 1.0", True), ("", True),
    (BROWSER_UA, False),
])
def test_bots_are_flagged_from_the_user_agent(client, shared, agent, bot):
    _item, link = shared
    assert client.get(f"/s/{link.code}", headers={"User-Agent": agent}).status_code == 302
    assert db.session.scalar(select(Click.is_bot)) is bot


def test_unknown_codes_get_a_friendly_404_and_misses_are_rate_limited(client, shared):
    _item, link = shared
    response = client.get("/s/AAAAAAAAAAAAAAAAAAAAAA")
    assert response.status_code == 404 and "This link does not work" in response.get_data(as_text=True)
    statuses = [client.get(f"/s/guess{n:020d}").status_code for n in range(40)]
    assert statuses[:29] == [404] * 29 and statuses[-1] == 429
    assert db.session.scalar(select(func.count()).select_from(Click)) == 0


def test_hits_are_not_rate_limited(client, shared):
    _item, link = shared
    assert {client.get(f"/s/{link.code}").status_code for _ in range(40)} == {302}
    assert db.session.scalar(select(func.count()).select_from(Click)) == 40


def test_archived_and_expired_items_keep_redirecting(client, shared, social):
    item, link = shared
    services.archive(item, social)
    assert item.status == ARCHIVED
    assert client.get(f"/s/{link.code}").status_code == 302
    other = ContentItemFactory(expires_at=utcnow() - timedelta(days=3))
    expired_link = services.link_for(link.user_id, other.id, "x")
    db.session.commit()
    assert client.get(f"/s/{expired_link.code}").status_code == 302


def test_a_failure_to_record_a_click_never_breaks_the_redirect(client, shared, monkeypatch, caplog):
    _item, link = shared

    from sqlalchemy import text

    monkeypatch.setattr(services, "CLICK_INSERT", text("INSERT INTO no_such_table (x) VALUES (1)"))
    response = client.get(f"/s/{link.code}")
    assert response.status_code == 302 and "utm_source=linkedin" in response.headers["Location"]
    assert "could not record a click" in caplog.text
    monkeypatch.undo()
    assert client.get(f"/s/{link.code}").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Click)) == 1


def test_the_redirect_is_lean_one_lookup_and_one_insert(client, shared, count_queries):
    code = shared[1].code
    client.get(f"/s/{code}")
    with count_queries() as counted:
        assert client.get(f"/s/{code}").status_code == 302
    statements = [s for s in counted.statements if not s.strip().upper().startswith(("BEGIN", "COMMIT"))]
    assert len(statements) == 2, statements
    assert statements[0].lstrip().upper().startswith("SELECT") and "share_link.code" in statements[0]
    assert statements[1].lstrip().upper().startswith("INSERT INTO CLICK")


def test_codes_are_unguessable(employee):
    item = ContentItemFactory()
    codes = {services.link_for(employee.id, item.id, network).code for network in ("linkedin", "x", "facebook")}
    assert len(codes) == 3 and all(len(code) >= 16 for code in codes)  # 16 url-safe chars = 96 bits


def test_concurrent_first_shares_produce_one_share_link(app, employee):
    item = ContentItemFactory()
    item_id, user_id = item.id, employee.id
    barrier = threading.Barrier(8)

    def first_share(_n):
        with app.app_context():
            barrier.wait()
            code = services.link_for(user_id, item_id, "linkedin").code
            db.session.commit()
            db.session.remove()
            return code

    with ThreadPoolExecutor(8) as pool:
        codes = set(pool.map(first_share, range(8)))
    assert len(codes) == 1
    assert db.session.scalar(select(func.count()).select_from(ShareLink)) == 1


def test_clicks_recorded_equal_redirects_answered_under_concurrency(live_server, employee):
    items = [ContentItemFactory() for _ in range(2)]
    others = [UserFactory() for _ in range(2)]
    links = [services.link_for(person.id, item.id, "x").code for person in (employee, *others) for item in items]
    db.session.commit()
    host, port = urlsplit(live_server).hostname, urlsplit(live_server).port

    def hit(n):
        connection = http.client.HTTPConnection(host, port, timeout=30)
        connection.request("GET", f"/s/{links[n % len(links)]}", headers={"User-Agent": BROWSER_UA})
        status = connection.getresponse().status
        connection.close()
        return status

    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(hit, range(50)))
    assert statuses == [302] * 50
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Click)) == 50


def test_a_signed_in_visitor_is_not_loaded_either(client, login, shared, count_queries):
    code = shared[1].code
    login(UserFactory(email="visitor@example.com"))
    client.get(f"/s/{code}")
    with count_queries() as counted:
        response = client.get(f"/s/{code}")
    assert response.status_code == 302
    statements = [s for s in counted.statements if not s.strip().upper().startswith(("BEGIN", "COMMIT"))]
    assert len(statements) == 2, statements


def test_hits_are_answered_by_the_fast_path_with_the_site_headers_and_a_log_line(app, client, shared, monkeypatch,
                                                                                 caplog):
    import logging

    from app.library import routes as library_routes

    def flask_view_must_not_run(code):
        raise AssertionError("a known code went through the Flask view")

    monkeypatch.setitem(app.view_functions, "library.go", flask_view_must_not_run)
    _item, link = shared
    with caplog.at_level(logging.INFO, logger="touchpoint.request"):
        response = client.get(f"/s/{link.code}")
    assert response.status_code == 302
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    assert [r.getMessage().split()[:3] for r in caplog.records if r.name == "touchpoint.request"] == [
        ["GET", f"/s/{link.code}", "302"]]
    monkeypatch.undo()
    miss = client.get("/s/unknown-code-0000000")
    assert miss.status_code == 404 and "<nav" in miss.get_data(as_text=True)  # misses reach the friendly page
    assert library_routes.go is not flask_view_must_not_run
