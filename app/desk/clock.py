"""A business-hours clock: how many working minutes lie between two moments, and when N are used up.

Pure functions with no database or Flask: the desk decides which schedule a report
runs on (critical reports run around the clock) and subtracts paused stretches.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_DAYS = 3700   # ten years of walking is far more than any report needs


@dataclass(frozen=True)
class Schedule:
    tz: ZoneInfo
    start: time = time(9, 0)
    end: time = time(17, 0)
    days: frozenset[int] = frozenset(range(5))   # Monday = 0
    always: bool = False

    @property
    def usable(self) -> bool:
        return self.always or (bool(self.days) and self.start < self.end)

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The working window of a local calendar day, as aware datetimes, or None."""
        if day.weekday() not in self.days:
            return None
        return (datetime.combine(day, self.start, self.tz), datetime.combine(day, self.end, self.tz))


AROUND_THE_CLOCK = Schedule(tz=ZoneInfo("UTC"), always=True)


def parse_time(text: str, default: time) -> time:
    try:
        hours, minutes = str(text).strip().split(":")
        return time(int(hours), int(minutes))
    except (ValueError, TypeError):
        return default


def parse_days(text: str) -> frozenset[int]:
    """'mon,tue,wed' (or 'mon-fri') as weekday numbers; unknown words are ignored."""
    days: set[int] = set()
    for part in str(text or "").lower().replace(" ", "").split(","):
        if "-" in part:
            first, _, last = part.partition("-")
            if first[:3] in DAY_NAMES and last[:3] in DAY_NAMES:
                a, b = DAY_NAMES.index(first[:3]), DAY_NAMES.index(last[:3])
                days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
        elif part[:3] in DAY_NAMES:
            days.add(DAY_NAMES.index(part[:3]))
    return frozenset(days)


def working_minutes(start: datetime, end: datetime, schedule: Schedule) -> float:
    """Minutes of working time in [start, end); 0 when end is not after start."""
    if end <= start:
        return 0.0
    if schedule.always or not schedule.usable:
        return (end - start).total_seconds() / 60
    first = start.astimezone(schedule.tz).date()
    last = end.astimezone(schedule.tz).date()
    total = _window_minutes(first, start, end, schedule)
    if last > first:
        # Whole days in between count their nominal window each, so they are counted, not walked.
        total += working_days(first + timedelta(days=1), last, schedule) * _day_minutes(schedule)
        total += _window_minutes(last, start, end, schedule)
    return total


def _window_minutes(day: date, start: datetime, end: datetime, schedule: Schedule) -> float:
    window = schedule.window(day)
    if window is None:
        return 0.0
    lo, hi = max(window[0], start), min(window[1], end)
    return (hi - lo).total_seconds() / 60 if hi > lo else 0.0


def working_days(first: date, stop: date, schedule: Schedule) -> int:
    """How many days in [first, stop) are working days."""
    weeks, extra = divmod((stop - first).days, 7)
    if weeks < 0:
        return 0
    start = first.weekday()
    return weeks * len(schedule.days) + sum(1 for i in range(extra) if (start + i) % 7 in schedule.days)


def add_working_minutes(start: datetime, minutes: float, schedule: Schedule) -> datetime:
    """The moment at which `minutes` of working time after `start` are used up."""
    if schedule.always or not schedule.usable:
        return start + timedelta(minutes=minutes)
    remaining = max(0.0, minutes)
    day = start.astimezone(schedule.tz).date()
    for _ in range(MAX_DAYS):
        window = schedule.window(day)
        if window is not None:
            lo = max(window[0], start)
            if window[1] > lo:
                available = (window[1] - lo).total_seconds() / 60
                if remaining <= available:
                    return lo + timedelta(minutes=remaining)
                remaining -= available
        day += timedelta(days=1)
    return start + timedelta(days=MAX_DAYS)


def elapsed_minutes(start: datetime, now: datetime, pauses: Iterable[tuple[datetime, datetime | None]],
                    schedule: Schedule) -> float:
    """Working minutes from `start` to `now`, less the working minutes inside pauses."""
    total = working_minutes(start, now, schedule)
    for paused_from, paused_until in pauses:
        total -= working_minutes(max(paused_from, start), min(paused_until or now, now), schedule)
    return max(0.0, total)


# A fixed origin (a Monday) for positions on a clock: any two positions on the same schedule subtract to the
# working minutes between them, so a deadline can be stored once and compared with "now" in SQL.
ORIGIN = datetime(2000, 1, 3, tzinfo=ZoneInfo("UTC"))
ORIGIN_DAY = date(2000, 1, 3)


def _day_minutes(schedule: Schedule) -> float:
    """Length of a full working window (a full window counts its nominal length, as `working_minutes` does)."""
    return (datetime.combine(ORIGIN_DAY, schedule.end) - datetime.combine(ORIGIN_DAY, schedule.start)
            ).total_seconds() / 60


def position(moment: datetime, schedule: Schedule) -> float:
    """Working minutes from ORIGIN to `moment`: working_minutes(a, b) == position(b) - position(a) for a <= b."""
    if schedule.always or not schedule.usable:
        return (moment - ORIGIN).total_seconds() / 60
    day = moment.astimezone(schedule.tz).date()
    if day >= ORIGIN_DAY:
        total = working_days(ORIGIN_DAY, day, schedule) * _day_minutes(schedule)
    else:
        total = -working_days(day, ORIGIN_DAY, schedule) * _day_minutes(schedule)
    window = schedule.window(day)
    if window is not None:
        high = min(window[1], moment)
        if high > window[0]:
            total += (high - window[0]).total_seconds() / 60
    return total


def moment_at(minutes: float, schedule: Schedule) -> datetime:
    """The earliest moment whose position on the schedule is `minutes` (the inverse of `position`)."""
    if schedule.always or not schedule.usable:
        return ORIGIN + timedelta(minutes=minutes)
    per_day = _day_minutes(schedule)
    days = sorted(schedule.days)
    full_days, offset = divmod(minutes, per_day)
    full_days = int(full_days)
    if offset == 0:   # the end of the previous working day comes before the start of the next one
        full_days, offset = full_days - 1, per_day
    weeks, nth = divmod(full_days, len(days))
    day = ORIGIN_DAY + timedelta(days=7 * weeks + days[nth])
    return (datetime.combine(day, schedule.start, schedule.tz) + timedelta(minutes=offset)).astimezone(ORIGIN.tzinfo)
