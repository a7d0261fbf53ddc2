"""The business-hours clock and the report's response targets, with frozen time."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine

from app.desk import clock, services
from app.desk.models import WAITING
from app.org.services import set_setting
from tests.desk_factories import make_report

CPH = ZoneInfo("Europe/Copenhagen")
OFFICE = clock.Schedule(tz=CPH, start=time(9), end=time(17), days=frozenset(range(5)))


def cph(*args) -> datetime:
    return datetime(*args, tzinfo=CPH)


def test_working_minutes_inside_one_day():
    assert clock.working_minutes(cph(2026, 11, 23, 10, 0), cph(2026, 11, 23, 11, 30), OFFICE) == 90


def test_working_minutes_skip_the_night_and_the_weekend():
    # Friday 16:00 to Monday 10:00 is one hour on Friday and one on Monday.
    assert clock.working_minutes(cph(2026, 11, 27, 16, 0), cph(2026, 11, 30, 10, 0), OFFICE) == 120
    # Saturday to Sunday: nothing.
    assert clock.working_minutes(cph(2026, 11, 28, 9, 0), cph(2026, 11, 29, 18, 0), OFFICE) == 0


def test_adding_minutes_rolls_over_the_weekend():
    due = clock.add_working_minutes(cph(2026, 11, 27, 16, 30), 60, OFFICE)
    assert due == cph(2026, 11, 30, 9, 30)


def test_adding_minutes_before_opening_starts_at_opening():
    assert clock.add_working_minutes(cph(2026, 11, 24, 6, 0), 15, OFFICE) == cph(2026, 11, 24, 9, 15)


def test_business_hours_follow_the_time_zone_across_daylight_saving():
    # Copenhagen leaves summer time on Sunday 25 October 2026; Monday opens at 09:00 local = 08:00 UTC.
    due = clock.add_working_minutes(datetime(2026, 10, 23, 14, 30, tzinfo=UTC), 60, OFFICE)
    assert due == datetime(2026, 10, 26, 8, 30, tzinfo=UTC)


def test_around_the_clock_counts_every_minute():
    start = cph(2026, 11, 28, 23, 50)  # a Saturday night
    assert clock.working_minutes(start, start + timedelta(minutes=15), clock.AROUND_THE_CLOCK) == 15
    assert clock.add_working_minutes(start, 15, clock.AROUND_THE_CLOCK) == start + timedelta(minutes=15)


def test_pauses_are_not_counted():
    start = cph(2026, 11, 23, 9, 0)
    pauses = [(cph(2026, 11, 23, 10, 0), cph(2026, 11, 23, 12, 0)), (cph(2026, 11, 23, 15, 0), None)]
    assert clock.elapsed_minutes(start, cph(2026, 11, 23, 16, 0), pauses, OFFICE) == 60 + 180


def test_parse_days_and_times():
    assert clock.parse_days("mon-fri") == frozenset(range(5))
    assert clock.parse_days("sat, sun ,nonsense") == frozenset({5, 6})
    assert clock.parse_time("8:30", time(9)) == time(8, 30)
    assert clock.parse_time("late", time(9)) == time(9)


def test_unusable_schedule_falls_back_to_wall_clock():
    broken = clock.Schedule(tz=CPH, start=time(17), end=time(9))
    start = cph(2026, 11, 23, 9, 0)
    assert clock.working_minutes(start, start + timedelta(hours=2), broken) == 120


def test_normal_report_filed_friday_evening_is_due_monday_morning(db):
    set_setting("organisation.timezone", "Europe/Copenhagen")
    with time_machine.travel(cph(2026, 11, 27, 18, 0), tick=False):  # Friday after hours
        report = make_report(urgency="normal")
        state = services.sla(report)
        assert state.phase == services.FIRST_RESPONSE and state.target == 240
        assert state.elapsed == 0
        assert state.due_at == cph(2026, 11, 30, 13, 0)
    with time_machine.travel(cph(2026, 11, 30, 12, 0), tick=False):  # Monday noon: 3 of 4 hours used
        state = services.sla(report)
        assert state.elapsed == 180 and not state.overdue and round(state.used, 2) == 0.75
    with time_machine.travel(cph(2026, 11, 30, 14, 0), tick=False):
        state = services.sla(report)
        assert state.overdue and state.remaining == -60


def test_critical_report_runs_around_the_clock(db):
    with time_machine.travel(cph(2026, 11, 28, 23, 0), tick=False):  # Saturday night
        report = make_report(urgency="critical")
    with time_machine.travel(cph(2026, 11, 28, 23, 20), tick=False):
        state = services.sla(report)
        assert state.target == 15 and state.overdue and state.remaining == -5


def test_low_urgency_target_is_one_business_day(db):
    with time_machine.travel(cph(2026, 11, 24, 13, 0), tick=False):  # Tuesday 13:00
        report = make_report(urgency="low")
        assert services.sla(report).due_at == cph(2026, 11, 25, 13, 0)


def test_clock_pauses_while_waiting_on_the_reporter(db, social):
    with time_machine.travel(cph(2026, 11, 23, 9, 0), tick=False):
        report = make_report(urgency="high")
    with time_machine.travel(cph(2026, 11, 23, 9, 30), tick=False):
        services.set_status(report, WAITING, social)
    with time_machine.travel(cph(2026, 11, 23, 15, 0), tick=False):
        state = services.sla(report)
        assert state.paused and state.elapsed == 30 and state.due_at is None
        services.set_status(report, "in_progress", social)
    with time_machine.travel(cph(2026, 11, 23, 15, 20), tick=False):
        state = services.sla(report)
        assert not state.paused and state.elapsed == 50 and state.remaining == 10


def test_internal_note_is_not_a_response_but_a_reply_is(db, social):
    with time_machine.travel(cph(2026, 11, 23, 9, 0), tick=False):
        report = make_report(urgency="high")
    with time_machine.travel(cph(2026, 11, 23, 9, 40), tick=False):
        services.add_note(report, social, "Looking into it")
        assert report.first_response_at is None
        assert services.sla(report).phase == services.FIRST_RESPONSE
    with time_machine.travel(cph(2026, 11, 23, 10, 30), tick=False):
        services.reply(report, social, "Thanks, we are on it.")
        assert report.first_response_minutes == 90 and report.first_response_met is False
        state = services.sla(report)
        assert state.phase == services.RESOLUTION and state.target == 480


def test_targets_and_hours_come_from_settings(db, social):
    set_setting("desk.first_response.normal", 30)
    set_setting("desk.hours_start", "08:00")
    set_setting("desk.business_days", "mon,tue,wed,thu,fri,sat")
    with time_machine.travel(cph(2026, 11, 28, 7, 0), tick=False):  # Saturday, now a business day
        report = make_report(urgency="normal")
        assert services.sla(report).due_at == cph(2026, 11, 28, 8, 30)
