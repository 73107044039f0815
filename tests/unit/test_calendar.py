"""domain.calendar: CST clocks, natural days (R1), calendar hours (R12), PRC working days (R3)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.calendar import (
    CST,
    PrcCalendar,
    add_hours,
    add_months,
    add_working_days,
    cst_date,
    end_of_natural_days,
    format_cst,
    format_deadline_cst,
    last_day_cst,
    require_aware,
    to_cst,
)
from domain.errors import InvalidInput

PRC = PrcCalendar()


def cst(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=CST)


class EveryDay:
    def is_working_day(self, day: date) -> bool:
        return True


# --- clocks -------------------------------------------------------------------------------------


def test_cst_is_shanghai_without_daylight_saving() -> None:
    assert cst(2026, 1, 15).utcoffset() == timedelta(hours=8)
    assert cst(2026, 7, 15).utcoffset() == timedelta(hours=8)


def test_require_aware_refuses_naive_datetime_naming_the_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        require_aware(datetime(2026, 1, 1, 12, 0), "delivered_at")
    assert caught.value.field == "delivered_at"
    assert "delivered_at" in str(caught.value)


def test_require_aware_returns_aware_datetime_unchanged() -> None:
    moment = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert require_aware(moment, "now") is moment


def test_cst_date_uses_china_date_not_utc_date() -> None:
    late_utc = datetime(2026, 9, 30, 16, 30, tzinfo=UTC)  # 2026-10-01 00:30 CST
    assert cst_date(late_utc) == date(2026, 10, 1)
    assert to_cst(late_utc) == cst(2026, 10, 1, 0, 30)
    assert to_cst(late_utc).tzinfo is CST


def test_format_cst_prints_minutes_in_china_time() -> None:
    assert format_cst(datetime(2026, 10, 7, 16, 0, tzinfo=UTC)) == "2026-10-08 00:00 CST"


def test_cst_helpers_refuse_naive_datetimes() -> None:
    with pytest.raises(InvalidInput):
        cst_date(datetime(2026, 1, 1))
    with pytest.raises(InvalidInput):
        to_cst(datetime(2026, 1, 1))


# --- calendar hours (R12, R12.a, R5.a, R9.a, R3 24 h) ---------------------------------------------


def test_add_hours_counts_calendar_hours_across_midnight_and_returns_utc() -> None:
    end = add_hours(cst(2026, 9, 30, 23, 0), 2)
    assert end == cst(2026, 10, 1, 1, 0)
    assert end.utcoffset() == timedelta(0)


def test_add_hours_ignores_holidays_r3_confirm_receipt_within_24_hours() -> None:
    assert add_hours(cst(2026, 10, 1, 9, 0), 24) == cst(2026, 10, 2, 9, 0)


def test_add_hours_accepts_other_offsets() -> None:
    start = datetime(2026, 3, 1, 8, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert add_hours(start, 48) == datetime(2026, 3, 3, 13, 0, tzinfo=UTC)


def test_add_hours_refuses_naive_start_and_negative_hours() -> None:
    with pytest.raises(InvalidInput):
        add_hours(datetime(2026, 1, 1), 2)
    with pytest.raises(InvalidInput):
        add_hours(cst(2026, 1, 1), -1)


# --- natural days (R1, Law art. 10 and 13) --------------------------------------------------------


def test_seven_natural_days_from_evening_delivery_end_at_midnight_cst_of_eighth_day() -> None:
    end = end_of_natural_days(cst(2026, 9, 30, 20, 0), 7)
    assert end == cst(2026, 10, 8)
    assert end.tzinfo is UTC


def test_national_day_holiday_does_not_extend_natural_days() -> None:
    # Signed on the eve of National Day: the 7 days fall inside the holiday and still end on 10-08.
    assert end_of_natural_days(cst(2026, 9, 30, 23, 30), 7) == cst(2026, 10, 8)


def test_natural_days_start_the_day_after_even_just_after_midnight() -> None:
    assert end_of_natural_days(cst(2026, 9, 30, 0, 0), 7) == cst(2026, 10, 8)


def test_natural_days_follow_the_cst_date_when_utc_is_still_the_day_before() -> None:
    signed = datetime(2026, 9, 30, 16, 30, tzinfo=UTC)  # 2026-10-01 00:30 CST
    assert end_of_natural_days(signed, 7) == cst(2026, 10, 9)


def test_zero_natural_days_end_with_the_start_day() -> None:
    assert end_of_natural_days(cst(2026, 5, 1, 13, 0), 0) == cst(2026, 5, 2)


def test_natural_days_refuse_negative_count_and_naive_start() -> None:
    with pytest.raises(InvalidInput):
        end_of_natural_days(cst(2026, 5, 1), -1)
    with pytest.raises(InvalidInput):
        end_of_natural_days(datetime(2026, 5, 1), 7)


# --- PRC working days (R3) ------------------------------------------------------------------------


def test_2026_make_up_working_days_are_the_ones_the_calendar_knows() -> None:
    # Guards the dates the tests below rely on.
    weekend_workdays = [
        d
        for d in (date(2026, 1, 1) + timedelta(days=i) for i in range(365))
        if d.weekday() >= 5 and chinese_calendar.is_workday(d)
    ]
    assert date(2026, 2, 14) in weekend_workdays
    assert date(2026, 2, 28) in weekend_workdays
    assert date(2026, 10, 10) in weekend_workdays


def test_prc_calendar_knows_national_day_2026_and_its_make_up_saturday() -> None:
    assert not PRC.is_working_day(date(2026, 10, 1))
    assert not PRC.is_working_day(date(2026, 10, 7))  # Wednesday, holiday
    assert PRC.is_working_day(date(2026, 10, 8))
    assert PRC.is_working_day(date(2026, 10, 10))  # Saturday, make-up working day
    assert not PRC.is_working_day(date(2026, 10, 11))
    assert PRC.is_authoritative(date(2026, 10, 1))


def test_prc_calendar_knows_spring_festival_2026() -> None:
    assert PRC.is_working_day(date(2026, 2, 14))  # Saturday, make-up working day
    assert not PRC.is_working_day(date(2026, 2, 16))
    assert not PRC.is_working_day(date(2026, 2, 23))  # Monday, still holiday
    assert PRC.is_working_day(date(2026, 2, 24))


def test_prc_calendar_falls_back_for_2027_and_says_it_is_not_authoritative() -> None:
    assert not PRC.is_working_day(date(2027, 1, 1))  # Friday, fixed-date holiday
    assert PRC.is_working_day(date(2027, 1, 4))  # Monday
    assert not PRC.is_working_day(date(2027, 5, 1))
    assert not PRC.is_working_day(date(2027, 10, 1))  # Friday
    assert PRC.is_working_day(date(2027, 10, 4))  # Monday: the moving holidays are unknown
    assert not PRC.is_working_day(date(2027, 2, 6))  # Saturday: no make-up days known
    assert not PRC.is_authoritative(date(2027, 1, 4))
    assert not PRC.is_authoritative(date(2003, 6, 2))


def test_working_days_skip_national_day_and_count_the_make_up_saturday() -> None:
    # Approved Mon 09-28: 09-29, 09-30, [10-01..10-07], 10-08, 10-09, Sat 10-10, 10-12, 10-13.
    assert add_working_days(cst(2026, 9, 28, 10, 0), 7, PRC) == cst(2026, 10, 14)


def test_three_working_days_from_national_day_eve_end_with_the_make_up_saturday() -> None:
    assert add_working_days(cst(2026, 9, 30, 23, 30), 3, PRC) == cst(2026, 10, 11)


def test_working_days_skip_spring_festival_2026() -> None:
    # Approved Fri 02-13: Sat 02-14 (make-up), [02-15..02-23 holiday], 02-24, 02-25.
    assert add_working_days(cst(2026, 2, 13, 18, 0), 3, PRC) == cst(2026, 2, 26)


def test_working_days_run_from_2026_into_fallback_2027() -> None:
    # 12-31 (Thu), [2027-01-01 fixed holiday, weekend], 01-04, 01-05.
    assert PRC.is_working_day(date(2026, 12, 31))
    assert add_working_days(cst(2026, 12, 30, 12, 0), 3, PRC) == cst(2027, 1, 6)


def test_working_days_count_from_the_cst_date_of_the_start() -> None:
    approved = datetime(2026, 3, 2, 16, 30, tzinfo=UTC)  # Tue 2026-03-03 00:30 CST
    assert add_working_days(approved, 1, EveryDay()) == cst(2026, 3, 5)
    assert add_working_days(approved, 0, EveryDay()) == cst(2026, 3, 4)


def test_working_days_refuse_negative_count() -> None:
    with pytest.raises(InvalidInput):
        add_working_days(cst(2026, 3, 2), -1, PRC)


@given(
    st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 12, 1)),
    st.integers(min_value=1, max_value=15),
)
def test_working_day_deadline_ends_after_exactly_n_working_days(start: date, days: int) -> None:
    end = add_working_days(cst(start.year, start.month, start.day, 12), days, PRC)
    last = cst_date(end) - timedelta(days=1)
    assert end == cst(last.year, last.month, last.day) + timedelta(days=1)
    assert PRC.is_working_day(last)
    span = [start + timedelta(days=i) for i in range(1, (last - start).days + 1)]
    assert sum(PRC.is_working_day(d) for d in span) == days


# --- months (R5) ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 5, 17), 0, date(2026, 5, 17)),
    ],
)
def test_add_months_clamps_to_month_end(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2500, 12, 31)),
    st.integers(min_value=-120, max_value=120),
)
def test_add_months_moves_exactly_n_months_and_never_later_in_the_month(
    day: date, months: int
) -> None:
    result = add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day <= day.day
    if result.day < day.day:
        assert (result + timedelta(days=1)).day == 1


# --- deadlines as people read them (policy.md "Clocks": N days end at 24:00 of the last day) ---


def test_a_period_ending_at_cst_midnight_is_stated_as_24_00_of_its_last_day() -> None:
    end = end_of_natural_days(cst(2026, 9, 30, 20), 7)  # R1: signed for 09-30, 7 days
    assert end == cst(2026, 10, 8)
    assert last_day_cst(end) == date(2026, 10, 7)
    assert format_deadline_cst(end) == "2026-10-07 24:00 CST"


def test_a_deadline_that_is_not_a_midnight_is_stated_as_it_is() -> None:
    end = add_hours(cst(2026, 10, 7, 21, 30), 2)  # R12: 2 hours
    assert format_deadline_cst(end) == "2026-10-07 23:30 CST"
    assert last_day_cst(end) == date(2026, 10, 7)
    one_second_past = cst(2026, 10, 8) + timedelta(seconds=1)
    assert last_day_cst(one_second_past) == date(2026, 10, 8)


def test_deadline_formatting_reads_the_utc_instant_in_cst() -> None:
    end_utc = datetime(2026, 10, 7, 16, 0, tzinfo=UTC)  # 2026-10-08 00:00 CST
    assert format_deadline_cst(end_utc) == "2026-10-07 24:00 CST"
    assert format_deadline_cst(datetime(2026, 10, 8, 0, 0, tzinfo=UTC)) == "2026-10-08 08:00 CST"


def test_working_day_deadline_over_national_day_is_stated_on_its_last_working_day() -> None:
    # R3: 3 working days from 2026-09-29 run over the National Day holidays and end on 10-09.
    end = add_working_days(cst(2026, 9, 29, 10), 3, PRC)
    assert format_deadline_cst(end) == f"{last_day_cst(end).isoformat()} 24:00 CST"
    assert PRC.is_working_day(last_day_cst(end))
