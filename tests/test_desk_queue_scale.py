"""The desk queue and metrics at scale: the database sorts and counts, with the same results as before.

The queue used to compute every open report's clock in Python and sort them all; the metrics
used to read every report of the period. Both now work from stored deadlines and SQL. These
tests keep the old algorithms as references and check, on a varied set of reports made through
the real services at frozen times, that the order, the counts and every figure are the same.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.desk import clock, services
from app.desk.models import CATEGORIES, DISMISSED, OPEN_STATUSES, STATUSES, URGENCIES, Report
from app.extensions import db
from app.org.services import set_setting
from tests.desk_factories import file_report, make_report

START = datetime(2026, 8, 31, 6, 0, tzinfo=UTC)            # a Monday, 08:00 in Copenhagen
END = START + timedelta(days=70)
NOWS = [
    END + timedelta(days=1, hours=3, minutes=17),           # Tuesday morning, inside business hours
    END + timedelta(days=5, hours=6),                       # Saturday midday
    END + timedelta(days=9, hours=-4),                      # Wednesday, 04:00 in Copenhagen
]
FILTERS = [
    services.QueueFilters(),
    services.QueueFilters(overdue=True),
    services.QueueFilters(urgency="critical"),
    services.QueueFilters(urgency="normal", overdue=True),
    services.QueueFilters(assignee="none"),
    services.QueueFilters(assignee="me"),
    services.QueueFilters(status="waiting"),
    services.QueueFilters(status="resolved"),
    services.QueueFilters(status="all"),
    services.QueueFilters(category="complaint"),
]


# ---------------------------------------------------------------- the previous implementations

def reference_queue(filters: services.QueueFilters, viewer, now: datetime) -> list[tuple[Report, services.Sla]]:
    """The queue as it was: every matching report's clock computed in Python, then sorted (no 300 cap)."""
    query = select(Report).options(selectinload(Report.pauses), joinedload(Report.assignee))
    if filters.status == "open":
        query = query.where(Report.status.in_(OPEN_STATUSES))
    elif filters.status in STATUSES:
        query = query.where(Report.status == filters.status)
    if filters.category in CATEGORIES:
        query = query.where(Report.category == filters.category)
    if filters.urgency in URGENCIES:
        query = query.where(Report.urgency == filters.urgency)
    if filters.assignee == "me":
        query = query.where(Report.assignee_id == viewer.id)
    elif filters.assignee == "none":
        query = query.where(Report.assignee_id.is_(None))
    schedules = {u: services.schedule_for(u) for u in URGENCIES}
    rows = [(report, services.sla(report, now, schedules)) for report in db.session.scalars(query).unique()]
    if filters.overdue:
        rows = [(r, s) for r, s in rows if s.overdue]
    rows.sort(key=lambda row: (row[1].sort_key, row[0].id if row[1].phase else -row[0].id))
    return rows


def reference_metrics(weeks: int, now: datetime) -> dict:
    """The metrics as they were: every report of the period read and counted in Python."""
    since = now - timedelta(weeks=weeks)
    reports = list(db.session.scalars(select(Report).where(Report.created_at >= since)
                                      .options(selectinload(Report.pauses)).order_by(Report.created_at)))
    schedules = {u: services.schedule_for(u) for u in URGENCIES}
    week_starts = [(now - timedelta(weeks=weeks - 1 - i)).date() for i in range(weeks)]
    week_starts = [d - timedelta(days=d.weekday()) for d in week_starts]
    by_week = {d: {"total": 0, **{u: 0 for u in URGENCIES}} for d in week_starts}
    by_week_category = {d: {c: 0 for c in CATEGORIES} for d in week_starts}
    by_category = {c: 0 for c in CATEGORIES}
    by_urgency = {u: 0 for u in URGENCIES}
    answered_minutes, met, judged = [], 0, 0
    old_enough = never = 0
    for report in reports:
        day = report.created_at.date()
        week = day - timedelta(days=day.weekday())
        if week in by_week:
            by_week[week]["total"] += 1
            by_week[week][report.urgency] += 1
            by_week_category[week][report.category] += 1
        by_category[report.category] = by_category.get(report.category, 0) + 1
        by_urgency[report.urgency] += 1
        if report.first_response_at is not None:
            answered_minutes.append((report.first_response_at - report.created_at).total_seconds() / 60)
            judged += 1
            met += 1 if report.first_response_met else 0
        elif report.status != DISMISSED and services.sla(report, now, schedules).overdue:
            judged += 1
        if report.created_at <= now - timedelta(days=services.NEVER_ANSWERED_DAYS):
            old_enough += 1
            if report.first_response_at is None and report.status != DISMISSED:
                never += 1
    peak = max([w["total"] for w in by_week.values()] + [1])
    return {
        "weeks": weeks, "total": len(reports), "by_week": by_week, "by_week_category": by_week_category,
        "peak": peak, "by_category": by_category, "by_urgency": by_urgency,
        "within_target": (met / judged) if judged else None, "judged": judged, "met": met,
        "median_first_response": services.percentile(answered_minutes, 0.5),
        "p90_first_response": services.percentile(answered_minutes, 0.9), "answered": len(answered_minutes),
        "never_answered": (never / old_enough) if old_enough else None, "never_count": never,
        "old_enough": old_enough,
    }


def walked_working_minutes(start: datetime, end: datetime, schedule: clock.Schedule) -> float:
    """The business-hours clock as it was: one step per calendar day."""
    if end <= start:
        return 0.0
    if schedule.always or not schedule.usable:
        return (end - start).total_seconds() / 60
    total = 0.0
    day = start.astimezone(schedule.tz).date()
    last = end.astimezone(schedule.tz).date()
    while day <= last:
        window = schedule.window(day)
        if window is not None:
            lo, hi = max(window[0], start), min(window[1], end)
            if hi > lo:
                total += (hi - lo).total_seconds() / 60
        day += timedelta(days=1)
    return total


# ---------------------------------------------------------------- a varied desk

def _build_desk(employee, social, count: int = 70) -> None:
    """Reports of every urgency and category, taken through replies, pauses, resumptions, urgency changes,
    assignment and closing at whole-minute moments spread over ten weeks (nights and weekends included)."""
    rng = random.Random(20261122)
    recent = int((NOWS[0] - END).total_seconds() // 60) - 10
    for n in range(count + 20):
        if n < count:
            created, horizon = START + timedelta(minutes=rng.randrange(0, 70 * 24 * 60)), END
        else:   # some still running when the queue is read
            created, horizon = END + timedelta(minutes=rng.randrange(0, recent)), NOWS[0]
        with time_machine.travel(created, tick=False):
            report = file_report(employee, urgency=rng.choice(URGENCIES), category=rng.choice(CATEGORIES),
                                 links=[f"https://example.org/posts/{n}"], anonymous=rng.random() < 0.1).report
        moment = created
        for _ in range(rng.randrange(0, 5)):
            moment += timedelta(minutes=rng.randrange(3, 60 * 40))
            if moment >= horizon or not report.is_open:
                break
            action = rng.choice(("reply", "wait", "resume", "urgency", "assign", "resolve", "dismiss", "more"))
            with time_machine.travel(moment, tick=False):
                if action == "reply":
                    services.reply(report, social, "Thanks, we are on it.", rng.choice(("", "waiting", "in_progress")))
                elif action == "wait":
                    services.set_status(report, "waiting", social)
                elif action == "resume":
                    services.set_status(report, "in_progress", social)
                elif action == "urgency":
                    services.set_urgency(report, rng.choice([u for u in URGENCIES if u != report.urgency]), social)
                elif action == "assign":
                    services.assign(report, social, social)
                elif action == "resolve":
                    services.set_status(report, "resolved", social)
                elif action == "dismiss":
                    services.set_status(report, "dismissed", social, "Not about us")
                elif action == "more" and not report.anonymous:
                    services.add_reporter_message(report, employee, "Here is more detail.")


@pytest.fixture
def desk(db, employee, social):
    _build_desk(employee, social)
    return social


def _ids(rows) -> list[int]:
    return [report.id for report, _ in rows]


# ---------------------------------------------------------------- the queue

@pytest.mark.parametrize("now", NOWS, ids=["tuesday-morning", "saturday", "wednesday-night"])
def test_queue_order_and_filters_match_the_previous_implementation(desk, now):
    social = desk
    groups = {s.sort_key[0] for _, s in reference_queue(services.QueueFilters(status="all"), social, now)}
    assert groups >= ({0, 1, 2, 3} if now == NOWS[0] else {0, 2, 3}), "overdue, running, paused and closed"
    for filters in FILTERS:
        expected = reference_queue(filters, social, now)
        page = services.queue(filters, social, per_page=500, now=now)
        assert _ids(page.rows) == _ids(expected), filters
        assert page.page.total == len(expected)
        for (_, shown), (_, before) in zip(page.rows, expected, strict=True):
            assert (shown.phase, shown.paused, shown.overdue, shown.due_at) == (
                before.phase, before.paused, before.overdue, before.due_at)


def test_queue_pages_are_bounded_and_follow_one_order(desk):
    social, now = desk, NOWS[0]
    expected = _ids(reference_queue(services.QueueFilters(), social, now))
    assert len(expected) > 20
    pages, number = [], 1
    while True:
        page = services.queue(services.QueueFilters(), social, page=number, per_page=7, now=now)
        assert len(page.rows) <= 7
        if not page.rows:
            break
        pages.extend(_ids(page.rows))
        number += 1
    assert pages == expected and page.page.total == len(expected)


def test_queue_counts_match_the_reports(desk):
    social, now = desk, NOWS[1]
    rows = reference_queue(services.QueueFilters(), social, now)
    counts = services.queue(services.QueueFilters(), social, per_page=5, now=now).counts
    assert counts == {"open": len(rows), "overdue": sum(1 for _, s in rows if s.overdue),
                      "unassigned": sum(1 for r, _ in rows if r.assignee_id is None),
                      "mine": sum(1 for r, _ in rows if r.assignee_id == social.id)}
    assert services.queue_summary(now) == {k: counts[k] for k in ("open", "overdue", "unassigned")}


def test_queue_page_shows_fifty_reports_with_the_total_and_pages(client, login, db, social):
    login(social)
    for i in range(60):
        make_report(minutes_ago=i * 13, urgency=URGENCIES[i % 4], commit=False)
    db.session.commit()
    html = client.get("/desk/").get_data(as_text=True)
    assert html.count('data-testid="queue-row"') == 50
    assert "60 reports" in html and 'rel="next"' in html
    second = client.get("/desk/?page=2").get_data(as_text=True)
    assert second.count('data-testid="queue-row"') == 10


# ---------------------------------------------------------------- stored deadlines

def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), ZoneInfo("Europe/Copenhagen")).astimezone(UTC)


def test_deadline_stops_while_waiting_and_moves_on_resume_and_urgency_change(db, employee, social):
    monday = date(2026, 11, 16)
    with time_machine.travel(_at(monday, 10), tick=False):
        report = file_report(employee, urgency="normal").report          # 4 business hours to answer
    assert report.sla_due_at == _at(monday, 14)
    with time_machine.travel(_at(monday, 11), tick=False):
        services.set_status(report, "waiting", social)
    assert report.sla_due_at is None and report.sla_paused_used == pytest.approx(0.25)
    with time_machine.travel(_at(monday + timedelta(days=1), 10), tick=False):
        services.set_status(report, "in_progress", social)              # 3 hours left, from Tuesday 10:00
    assert report.sla_due_at == _at(monday + timedelta(days=1), 13) and report.sla_paused_used is None
    with time_machine.travel(_at(monday + timedelta(days=1), 10, 30), tick=False):
        services.set_urgency(report, "critical", social)                # 15 minutes around the clock, less the pause
    assert report.sla_due_at == _at(monday, 10, 15) + timedelta(hours=23)
    now = _at(monday + timedelta(days=1), 10, 30)
    assert services.queue(services.QueueFilters(overdue=True), social, now=now).counts["overdue"] == 1
    with time_machine.travel(now, tick=False):
        services.reply(report, social, "On it")                          # now the 4-hour resolution target
    assert report.sla_due_at == _at(monday, 14) + timedelta(hours=23)
    with time_machine.travel(now, tick=False):
        services.set_status(report, "resolved", social)
    assert (report.sla_due_at, report.sla_due_clock, report.sla_paused_used) == (None, None, None)


def test_changing_business_hours_recomputes_every_open_deadline(db, employee, social):
    monday = date(2026, 11, 16)
    with time_machine.travel(_at(monday, 15), tick=False):
        first = file_report(employee, urgency="normal").report
        second = file_report(employee, urgency="high").report
    assert first.sla_due_at == _at(monday + timedelta(days=1), 11)
    set_setting("desk.hours_end", "16:00", social)
    assert services.refresh_deadlines() == 2
    db.session.expire_all()
    assert db.session.get(Report, first.id).sla_due_at == _at(monday + timedelta(days=1), 12)
    assert db.session.get(Report, second.id).sla_due_at == _at(monday, 16)
    assert services.refresh_deadlines() == 0


def test_reports_loaded_in_bulk_get_their_deadlines_on_the_next_read(db, employee, social):
    now = _at(date(2026, 11, 17), 11)
    with time_machine.travel(now - timedelta(minutes=30), tick=False):
        report = file_report(employee, urgency="high").report
        later = file_report(employee, urgency="low").report
    db.session.execute(Report.__table__.update().values(sla_basis=None, sla_due_clock=None, sla_due_at=None))
    db.session.commit()
    page = services.queue(services.QueueFilters(), social, now=now)
    assert _ids(page.rows) == [report.id, later.id]
    db.session.expire_all()
    assert db.session.get(Report, report.id).sla_due_at == now + timedelta(minutes=30)
    services.rebuild_deadlines()
    assert db.session.get(Report, later.id).sla_due_at == _at(date(2026, 11, 18), 10, 30)   # 8 business hours


def test_the_counted_clock_matches_walking_day_by_day():
    rng = random.Random(5)
    schedules = [clock.Schedule(tz=ZoneInfo("Europe/Copenhagen")),
                 clock.Schedule(tz=ZoneInfo("America/New_York"), start=time(8, 30), end=time(18, 0),
                                days=frozenset({0, 2, 3, 5})),
                 clock.AROUND_THE_CLOCK]
    for _ in range(3000):
        schedule = rng.choice(schedules)
        start = START + timedelta(seconds=rng.randrange(0, 400 * 86400), microseconds=rng.randrange(0, 10**6))
        end = start + timedelta(seconds=rng.randrange(-600, 90 * 86400))
        counted = clock.working_minutes(start, end, schedule)
        assert counted == pytest.approx(walked_working_minutes(start, end, schedule), abs=1e-6)
        if end > start:
            assert clock.position(end, schedule) - clock.position(start, schedule) == pytest.approx(counted, abs=1e-6)
        minutes = rng.uniform(0.5, 3000)
        assert abs((clock.moment_at(clock.position(start, schedule) + minutes, schedule)
                    - clock.add_working_minutes(start, minutes, schedule)).total_seconds()) < 1e-3


# ---------------------------------------------------------------- metrics

@pytest.mark.parametrize("now", NOWS[:2], ids=["tuesday-morning", "saturday"])
@pytest.mark.parametrize("weeks", [4, 12])
def test_metrics_match_the_previous_implementation(desk, now, weeks):
    expected = reference_metrics(weeks, now)
    assert expected["answered"] > 5 and expected["judged"] > expected["answered"] and expected["never_count"] > 0
    assert services.metrics(weeks, now=now) == expected


@pytest.mark.parametrize("answered", [1, 2, 7, 70])
def test_metric_percentiles_use_the_same_nearest_rank(db, answered):
    now = START + timedelta(days=30)
    rng = random.Random(answered)
    for n in range(answered):
        report = make_report(commit=False)
        report.created_at = now - timedelta(days=rng.randrange(1, 20), seconds=rng.randrange(0, 86400))
        report.first_response_at = report.created_at + timedelta(seconds=rng.randrange(60, 3 * 86400))
        report.first_response_met = n % 3 == 0
    db.session.commit()
    expected = reference_metrics(12, now)
    figures = services.metrics(12, now=now)
    assert (figures["median_first_response"], figures["p90_first_response"]) == (
        expected["median_first_response"], expected["p90_first_response"])
    assert figures["answered"] == answered and figures["met"] == expected["met"]
