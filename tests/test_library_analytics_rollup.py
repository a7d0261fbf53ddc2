"""Sharing analytics from rollups give the same figures as counting the raw clicks and shares.

A few hundred clicks and shares over more than a year (several networks, bots, visitors clicking
twice a day or on two networks, archived and draft items, people without a department) are compared
with a straightforward count over the raw tables, for every period (whole UTC days up to now: the
last 30 days are the 29 days before today and today so far), with the summary current, rolled up
during the day, lagging behind by days, never built, just past midnight, and with clicks and shares
arriving after the last summary, among them visitors already counted earlier the same day.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import distinct, func, insert, select

from app.library import services
from app.library.models import ARCHIVED, DRAFT, NETWORKS, PUBLISHED, Click, ShareEvent, ShareLink
from app.library.services import ROLLUP_SETTLE
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


def _since(days, now):
    """The start of the last `days` whole UTC days up to `now` (today included)."""
    return datetime.combine(now.date() - timedelta(days=days - 1), time(), UTC) if days else None


def _reference_items(days, now):
    since = _since(days, now)
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
    since = _since(days, now)
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


def _snapshot(db):
    """Every summary row, to compare a run with a rebuild."""
    from app.library import models

    tables = (models.LibraryItemDay, models.LibraryDepartmentDay, models.LibraryItemPeriod,
              models.LibraryDepartmentPeriod, models.LibraryItemVisitorToday, models.LibraryDepartmentVisitorToday)
    return [sorted(tuple(r) for r in db.session.execute(select(t.__table__)).all()) for t in tables]


def _rebuilt_equals_stepwise(db, now):
    stepwise = _snapshot(db)
    services.rollup(now=now, rebuild=True)
    return _snapshot(db) == stepwise


def test_a_rebuild_gives_the_same_summary_as_day_by_day_and_intraday_runs(history):
    for back in (timedelta(days=5), timedelta(days=4), timedelta(days=2, hours=3), timedelta(days=2),
                 timedelta(hours=3), timedelta(hours=1), timedelta(0)):
        services.rollup(now=NOW - back)
    assert _rebuilt_equals_stepwise(history, NOW)


def _click(link, when, visitor, bot=False):
    return {"share_link_id": link.id, "item_id": link.item_id, "network": link.network, "occurred_at": when,
            "referrer_host": None, "is_bot": bot, "visitor_key": f"{visitor}:{when.date().isoformat()}"}


def test_a_visitor_counted_earlier_today_is_not_counted_again_after_an_intraday_rollup(db, time_machine):
    time_machine.move_to(NOW, tick=False)
    sales = DepartmentFactory(name="Sales")
    sharer, colleague = UserFactory(department_id=sales.id), UserFactory(department_id=sales.id)
    first, second = ContentItemFactory(title="First"), ContentItemFactory(title="Second")
    on_linkedin, on_x = services.link_for(sharer.id, first.id, "linkedin"), services.link_for(sharer.id, first.id, "x")
    colleagues = services.link_for(colleague.id, second.id, "x")
    today = datetime.combine(NOW.date(), time(), UTC)
    db.session.execute(insert(Click), [_click(on_linkedin, today - timedelta(hours=2), "alice"),   # yesterday
                                       _click(on_linkedin, today + timedelta(hours=8), "alice"),
                                       _click(colleagues, today + timedelta(hours=9), "bob")])
    db.session.commit()
    services.rollup(now=today + timedelta(hours=10))
    db.session.execute(insert(Click), [
        _click(on_linkedin, today + timedelta(hours=11), "alice"),                 # same item, counted at 8:00
        _click(on_x, today + timedelta(hours=11, minutes=5), "alice"),             # same item, other network
        _click(colleagues, today + timedelta(hours=11, minutes=10), "alice"),      # other item, same department
        _click(colleagues, today + timedelta(hours=11, minutes=15), "carol"),
        _click(colleagues, today + timedelta(hours=11, minutes=20), "alice", bot=True)])
    db.session.commit()
    noon = today + timedelta(hours=12)

    def figures():
        items = {row.title: (s.clicks, s.bots, s.visitors) for row, s in services.analytics(30, now=noon).rows}
        sales_row = _departments(30, noon)["Sales"]
        return items, (sales_row["clicks"], sales_row["visitors"])

    # 30 days, including today: alice yesterday and alice, bob and carol today
    assert figures() == ({"First": (4, 0, 2), "Second": (3, 1, 3)}, (7, 4))
    _assert_same(noon)
    services.rollup(now=noon)                  # the later clicks now summarised: the same figures
    assert figures() == ({"First": (4, 0, 2), "Second": (3, 1, 3)}, (7, 4))
    _assert_same(noon)
    assert _rebuilt_equals_stepwise(db, noon)


def test_the_first_runs_after_midnight_keep_figures_exact(history):
    from app.library.models import LibraryRollupState

    evening = datetime.combine(NOW.date(), time(23, 58), UTC)
    _data(history, NOW, evening + timedelta(minutes=15), seed=10, clicks=120, shares=20)
    services.rollup(now=evening)
    _assert_same(evening + timedelta(minutes=1))
    _assert_same(evening + timedelta(minutes=2, seconds=10))             # after midnight, before the next run
    services.rollup(now=evening + timedelta(minutes=2, seconds=30))       # 00:00:30: snapshot ends at 23:59
    state = history.session.get(LibraryRollupState, 1)
    assert state.period_day == NOW.date() + timedelta(days=1) and state.rolled_until.date() == NOW.date()
    _assert_same(evening + timedelta(minutes=4))
    services.rollup(now=evening + timedelta(minutes=8))                   # 00:06: yesterday closes
    _assert_same(evening + timedelta(minutes=10))
    assert _rebuilt_equals_stepwise(history, evening + timedelta(minutes=8))


def test_a_job_days_behind_keeps_figures_exact_and_catches_up(history):
    services.rollup(now=NOW - timedelta(days=45))
    _assert_same(NOW)                          # no use for 30 days; the older days leave 90 and 365 days
    services.rollup(now=NOW - timedelta(days=6, hours=5))
    _assert_same(NOW)                          # six days behind
    _assert_same(NOW + timedelta(days=1))
    services.rollup(now=NOW)
    _assert_same(NOW)
    assert _rebuilt_equals_stepwise(history, NOW)


def test_the_analytics_page_shows_fifty_items_a_page_with_totals_of_all(client, login, social, history):
    for n in range(60):
        ContentItemFactory(title=f"Quiet item {n:02d}")
    services.rollup(now=NOW)
    login(social)
    first = client.get("/library/analytics?days=all").get_data(as_text=True)
    assert first.count('data-testid="analytics-row"') == 50
    assert "Last 30 days, including today" in client.get("/library/analytics?days=30").get_data(as_text=True)
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
    assert "13:29 UTC" in first.output                  # up to a minute before the run
    again = runner.invoke(args=["library", "rollup"])
    assert again.exit_code == 0 and "0 closed day(s)" in again.output
    _assert_same(NOW)


def test_a_summary_from_before_the_upgrade_is_read_and_completed_by_the_next_run(history):
    """The upgrade keeps the old state (complete until a midnight; 30, 90, 365 days and all time)."""
    from sqlalchemy import delete, update

    from app.library.models import LibraryDepartmentPeriod, LibraryItemPeriod, LibraryRollupState

    midnight = datetime.combine(NOW.date(), time(), UTC)
    services.rollup(now=midnight + ROLLUP_SETTLE)
    for table in (LibraryItemPeriod, LibraryDepartmentPeriod):
        history.session.execute(delete(table).where(table.period.in_((29, 89, 364))))
    history.session.execute(update(LibraryRollupState).values(rolled_until=midnight, periods="30,90,365,0"))
    history.session.commit()
    _assert_same(NOW)
    _assert_same(NOW + timedelta(days=1))      # a day later: the shorter periods are not there yet
    services.rollup(now=NOW)
    assert history.session.get(LibraryRollupState, 1).periods == "30,90,365,29,89,364,0"
    _assert_same(NOW)
    assert _rebuilt_equals_stepwise(history, NOW)
