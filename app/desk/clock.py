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
