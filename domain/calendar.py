"""Clocks and working days (policy.md "Clocks").

Every deadline runs in China Standard Time (Asia/Shanghai, no daylight saving). "N hours" are
calendar hours; "N days" are natural days ending at 24:00 CST of the last day; "working days" follow
the PRC calendar, make-up working days (调休) included. Functions here take aware datetimes, never
read a clock, and return aware UTC datetimes (stored form); ``to_cst``/``format_cst`` give the CST
view used in messages.

"24:00 CST of day D" is represented as 00:00 CST of D + 1, so a window is open while
``now < end`` and closed from ``end`` on.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

import chinese_calendar

from domain.errors import InvalidInput

CST = ZoneInfo("Asia/Shanghai")

# Fallback for years chinese_calendar has no data for: the fixed-date statutory holidays only
# (New Year's Day, Labour Day, the first three days of National Day). Spring Festival, Qingming,
# Dragon Boat and Mid-Autumn move with the lunar calendar and make-up days are announced yearly, so
# they are unknown until the State Council publishes the year's schedule.
FALLBACK_HOLIDAYS: frozenset[tuple[int, int]] = frozenset(
    {(1, 1), (5, 1), (10, 1), (10, 2), (10, 3)}
)


class WorkingCalendar(Protocol):
    def is_working_day(self, day: date) -> bool: ...


class PrcCalendar:
    """PRC working days (R3): official holidays and make-up working days from ``chinese_calendar``.

    For a year the package does not cover (it raises ``NotImplementedError``), the reading is:
    Monday to Friday are working days except the fixed-date statutory holidays 1 Jan, 1 May and
    1-3 Oct; weekends are never working days (no make-up days are known). That answer is
    *provisional*: ``is_authoritative(day)`` is False for such a day, so a caller can say a deadline
    that depends on it (``is_authoritative(cst_date(deadline))``) may move once the year's official
    schedule is published.
    """

    def is_working_day(self, day: date) -> bool:
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return day.weekday() < 5 and (day.month, day.day) not in FALLBACK_HOLIDAYS

    def is_authoritative(self, day: date) -> bool:
        """True when ``day``'s year is in the official data, False when the fallback answered."""
        try:
            chinese_calendar.is_workday(day)
        except NotImplementedError:
            return False
        return True


def require_aware(dt: datetime, name: str) -> datetime:
    """Return ``dt`` if it is timezone-aware; a naive one is an ``InvalidInput`` on ``name``."""
    if not isinstance(dt, datetime):
        raise InvalidInput(f"{name} must be a datetime, got {type(dt).__name__}", field=name)
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise InvalidInput(
            f"{name} must carry a time zone (got naive {dt.isoformat()})", field=name
        )
    return dt


def _whole(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{name} must be a whole number, got {value!r}", field=name)
    return value


def _non_negative(value: int, name: str) -> int:
    if _whole(value, name) < 0:
        raise InvalidInput(f"{name} must not be negative, got {value}", field=name)
    return value


def to_cst(dt: datetime) -> datetime:
    """``dt`` seen in China Standard Time."""
    return require_aware(dt, "datetime").astimezone(CST)


def cst_date(dt: datetime) -> date:
    """The calendar date of ``dt`` in China Standard Time."""
    return to_cst(dt).date()


def format_cst(dt: datetime) -> str:
    """``YYYY-MM-DD HH:MM CST``, the form every deadline takes in a message."""
    return to_cst(dt).strftime("%Y-%m-%d %H:%M CST")


def last_day_cst(end: datetime) -> date:
    """The last CST day a period ending (exclusively) at ``end`` still covers.

    policy.md "Clocks": N natural days end at 24:00 of the last day, stored as 00:00 CST of the
    day after; that instant's last day is the day before. Any other instant's last day is its own.
    """
    local = to_cst(end)
    if local.timetz().replace(tzinfo=None) == time(0):
        return local.date() - timedelta(days=1)
    return local.date()


def format_deadline_cst(end: datetime) -> str:
    """A deadline as people read policy.md's clocks: ``2026-10-07 24:00 CST`` for a period that
    ends (exclusively) at 2026-10-08 00:00 CST, never the next day's 00:00; any other instant in
    the ordinary form (``format_cst``)."""
    local = to_cst(end)
    if local.timetz().replace(tzinfo=None) == time(0):
        return f"{last_day_cst(end).isoformat()} 24:00 CST"
    return format_cst(end)


def start_of_cst_day(day: date) -> datetime:
    """00:00 CST of ``day`` as an aware UTC datetime (also 24:00 CST of the day before)."""
    return datetime.combine(day, time(0), tzinfo=CST).astimezone(UTC)


def add_hours(start: datetime, hours: int) -> datetime:
    """``start`` plus ``hours`` calendar hours, as aware UTC (R12, R12.a, R5.a, R9.a, R3 24 h)."""
    require_aware(start, "start")
    return start.astimezone(UTC) + timedelta(hours=_non_negative(hours, "hours"))


def end_of_natural_days(start: datetime, days: int) -> datetime:
    """End of "``days`` days" counted from the day after ``start``'s CST date (R1, Law art. 10).

    The window ends at 24:00 CST of ``cst_date(start) + days``, i.e. 00:00 CST of the day after;
    returned as aware UTC. Holidays do not extend it: natural days are natural days. Signed for at
    2026-09-30 20:00 CST with 7 days, the window closes at 2026-10-08 00:00 CST. ``days == 0`` ends
    at the end of ``start``'s own day.
    """
    first = cst_date(require_aware(start, "start"))
    return start_of_cst_day(first + timedelta(days=_non_negative(days, "days") + 1))


def add_working_days(start: datetime, days: int, calendar: WorkingCalendar) -> datetime:
    """End (24:00 CST) of the ``days``-th working day after ``start``'s CST date, as aware UTC (R3).

    Counting starts the day after ``start``'s CST date, so an approval at 23:59 or 00:01 on a
    working day both count that day as day zero; holidays are skipped and make-up working days
    count. ``days == 0`` ends at the end of ``start``'s own day.
    """
    day = cst_date(require_aware(start, "start"))
    remaining = _non_negative(days, "days")
    while remaining:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            remaining -= 1
    return start_of_cst_day(day + timedelta(days=1))


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the month's end
    (31 Jan + 1 month = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + _whole(months, "months")
    year, month0 = divmod(index, 12)
    month = month0 + 1
    next_first = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    last_day = (next_first - timedelta(days=1)).day
    return date(year, month, min(day.day, last_day))
