"""Sharing analytics from rollups give the same figures as counting the raw clicks and shares.

A few hundred clicks and shares over more than a year (several networks, bots, visitors clicking
twice a day or on two networks, archived and draft items, people without a department) are compared
with a straightforward count over the raw tables, for every period, with the summary current, lagging
behind by days, never built, and with clicks and shares arriving after the last summary.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import distinct, func, insert, select

from app.library import services
from app.library.models import ARCHIVED, DRAFT, NETWORKS, PUBLISHED, Click, ShareEvent, ShareLink
from app.people.models import Department, User
from tests.factories import DepartmentFactory, UserFactory
from tests.library_factories import ContentItemFactory

NOW = datetime(2026, 6, 15, 13, 30, 17, tzinfo=UTC)
PERIODS = (30, 90, 365, None)


def _data(db, start: datetime, end: datetime, seed: int = 7, clicks: int = 700, shares: int = 120) -> None:
    """Random shares and clicks between `start` and `end` on a fixed set of items and people."""
    rng = random.Random(seed)
    items = db.session.info.setdefault("rollup_items", [])
    people = db.session.info.setdefault("rollup_people", [])
    if not items:
        departments = [DepartmentFactory(name=n) for n in ("Sales", "Support", "Engineering")]
        people.extend(UserFactory(department_id=d.id) for d in departments for _ in range(3))
        people.append(UserFactory(department_id=None))
        items.extend([*(ContentItemFactory(status=PUBLISHED) for _ in range(4)), ContentItemFactory(status=ARCHIVED),
                      ContentItemFactory(status=DRAFT), ContentItemFactory(status=PUBLISHED, title="Never shared")])
        db.session.flush()
        links = []
        for person in people:
            for item in items[:6]:
                for network in rng.sample(NETWORKS, 2):
                    links.append(ShareLink(code=services.new_code(), user_id=person.id, item_id=item.id,
                                           network=network, created_at=start))
        db.session.add_all(links)
        db.session.commit()
    links = db.session.execute(select(ShareLink.id, ShareLink.user_id, ShareLink.item_id, ShareLink.network)).all()
    span = int((end - start).total_seconds())

    def moment():
        return start + timedelta(seconds=rng.randint(0, span - 1))

    db.session.execute(insert(ShareEvent), [
        {"share_link_id": link.id, "item_id": link.item_id, "user_id": link.user_id, "network": link.network,
         "personalised": rng.random() < 0.5, "created_at": moment()}
        for link in (rng.choice(links) for _ in range(shares))])
    rows = []
    for _ in range(clicks):
        link, when = rng.choice(links), moment()
        # few visitors per day, so the same visitor clicks twice, or on two networks, within a day
        visitor = f"{rng.randint(0, 6)}:{when.date().isoformat()}"
        rows.append({"share_link_id": link.id, "item_id": link.item_id, "network": link.network,
                     "occurred_at": when, "referrer_host": None, "is_bot": rng.random() < 0.1,
                     "visitor_key": visitor})
    db.session.execute(insert(Click), rows)
    db.session.commit()


def _reference_items(days, now):
    since = now - timedelta(days=days) if days else None
    stats = services.item_stats(since)
    listed = services.items_by_id(stats)
    listed.update({i.id: i for i in services.items_by_id(
        services.db.session.scalars(select(services.ContentItem.id).where(
            services.ContentItem.status.in_((PUBLISHED, ARCHIVED))))).values()})
    return {item_id: (s := stats.get(item_id, services.Stats()),
                      (s.shares, s.sharers, s.personalised, s.clicks, s.bots, s.visitors,
                       {n: v["shares"] for n, v in s.by_network.items() if v["shares"]}))[1]
            for item_id in listed}


def _reference_departments(days, now):
    """The department figures as counted before the rollups, straight from the raw tables."""
    db = services.db
    since = now - timedelta(days=days) if days else None
    shares = (select(User.department_id, func.count(), func.count(distinct(ShareEvent.user_id)))
              .join(User, User.id == ShareEvent.user_id).group_by(User.department_id))
    clicks = (select(User.department_id, func.count(), func.count(distinct(Click.visitor_key)))
              .join(ShareLink, ShareLink.id == Click.share_link_id).join(User, User.id == ShareLink.user_id)
              .where(Click.is_bot.is_(False)).group_by(User.department_id))
    if since:
        shares, clicks = shares.where(ShareEvent.created_at >= since), clicks.where(Click.occurred_at >= since)
    rows = defaultdict(lambda: {"shares": 0, "sharers": 0, "clicks": 0, "visitors": 0})
    for dept, count, sharers in db.session.execute(shares):
        rows[dept].update(shares=count, sharers=sharers)
    for dept, count, visitors in db.session.execute(clicks):
        rows[dept].update(clicks=count, visitors=visitors)
    names = dict(db.session.execute(select(Department.id, Department.name)).all())
    return {names.get(dept, "No department"): values for dept, values in rows.items()}


def _figures(days, now):
    page = services.analytics(days, per_page=None, now=now)
    return {row.id: (s.shares, s.sharers, s.personalised, s.clicks, s.bots, s.visitors,
                     {n: v["shares"] for n, v in s.by_network.items() if v["shares"]}) for row, s in page.rows}


def _departments(days, now):
    return {row.pop("department"): row for row in services.department_stats(days, now=now)}


def _assert_same(now):
    for days in PERIODS:
        expected = _reference_items(days, now)
        assert _figures(days, now) == expected, days
        assert _departments(days, now) == _reference_departments(days, now), days
        page = services.analytics(days, per_page=None, now=now)
        assert page.sums.clicks == sum(v[3] for v in expected.values())
        assert page.sums.shares == sum(v[0] for v in expected.values())
        order = [(-s.clicks, -s.shares) for _row, s in page.rows]
        assert order == sorted(order)


@pytest.fixture
def history(db, time_machine):
    time_machine.move_to(NOW, tick=False)
    _data(db, NOW - timedelta(days=400), NOW)
    return db


def test_rollup_figures_match_the_raw_tables_for_every_period_including_clicks_after_the_rollup(history):
    services.rollup(now=NOW - timedelta(hours=2))
    _data(history, NOW - timedelta(hours=2), NOW, seed=8, clicks=60, shares=15)
    assert services.analytics(90, now=NOW).refreshed_at is not None
    _assert_same(NOW)
    later = NOW + timedelta(hours=9)       # the same day, later: more tail, same summary
    _data(history, NOW, later, seed=9, clicks=40, shares=10)
    _assert_same(later)


def test_figures_stay_exact_while_the_rollup_lags_behind_or_never_ran(history):
    _assert_same(NOW)                                     # never ran: everything from the raw tables
    services.rollup(now=NOW - timedelta(days=3))
    _assert_same(NOW)                                     # three days behind
    _assert_same(NOW.replace(hour=0, minute=0, second=0))  # a period starting exactly at midnight
    services.rollup(now=NOW)
    services.rollup(now=NOW)                              # idempotent
    _assert_same(NOW)
    _assert_same(NOW + timedelta(days=1, hours=1))        # past midnight before the next run


def test_a_rebuild_gives_the_same_summary_as_day_by_day_runs(history):
    from app.library.models import LibraryItemDay, LibraryItemPeriod

    def snapshot():
        return (sorted(tuple(r) for r in history.session.execute(select(LibraryItemDay.__table__)).all()),
                sorted(tuple(r) for r in history.session.execute(select(LibraryItemPeriod.__table__)).all()))

    services.rollup(now=NOW - timedelta(days=5))
    for back in (4, 2, 0):
        services.rollup(now=NOW - timedelta(days=back))
    stepwise = snapshot()
    services.rollup(now=NOW, rebuild=True)
    assert snapshot() == stepwise


def test_the_analytics_page_shows_fifty_items_a_page_with_totals_of_all(client, login, social, history):
    for n in range(60):
        ContentItemFactory(title=f"Quiet item {n:02d}")
    services.rollup(now=NOW)
    login(social)
    first = client.get("/library/analytics?days=all").get_data(as_text=True)
    assert first.count('data-testid="analytics-row"') == 50
    expected = _reference_items(None, NOW)
    assert f'data-testid="total-clicks">{sum(v[3] for v in expected.values())}<' in first
    second = client.get("/library/analytics?days=all&page=2").get_data(as_text=True)
    assert second.count('data-testid="analytics-row"') == len(expected) - 50
    csv = client.get("/library/analytics?days=all&format=csv").get_data(as_text=True)
    assert len(csv.strip().splitlines()) == len(expected) + 1


def test_the_rollup_command_is_idempotent(app, history):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["library", "rollup"])
    assert first.exit_code == 0 and "complete until 2026-06-15" in first.output
    again = runner.invoke(args=["library", "rollup"])
    assert again.exit_code == 0 and "0 day(s)" in again.output
    _assert_same(NOW)
