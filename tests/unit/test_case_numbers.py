"""Case numbers (issue 11 item 7): a new case gets a short, readable number, ``AS`` + its day in
China + six characters without 0/O/1/I, still one number per request (a repeat names the same
case, P4's idempotent commands) and never the number of another case; cases opened before keep
their long numbers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain import ids
from domain.errors import InvalidInput
from domain.service import LineRequest
from domain.values import CaseKind

from .builders import CONSUMER, OPENED, FakeClock, Shop, memory_app, order_line, seed

OLD_FORMAT = "AS20261202FA1AB9013E"  # a number of the former format, as stored cases have


def test_a_new_number_is_as_the_day_in_china_and_six_unambiguous_characters() -> None:
    # 2026-12-02 17:30 UTC is 2026-12-03 01:30 in China: the case's day is the 3rd.
    number = ids.case_number("open-1", datetime(2026, 12, 2, 17, 30, tzinfo=UTC))
    assert ids.CASE_NUMBER.fullmatch(number), number
    assert number.startswith("AS261203") and len(number) == 14
    assert not set(number[8:]) & set("0O1I")


def test_the_same_request_on_the_same_day_gives_the_same_number_attempts_give_others() -> None:
    at = datetime(2026, 12, 3, 2, tzinfo=UTC)
    assert ids.case_number("open-1", at) == ids.case_number("open-1", at.replace(hour=9))
    candidates = {ids.case_number("open-1", at, attempt) for attempt in range(16)}
    assert len(candidates) == 16


def test_numbers_spread_over_the_alphabet_without_repeats() -> None:
    at = datetime(2026, 12, 3, 2, tzinfo=UTC)
    numbers = [ids.case_number(f"open-{n}", at) for n in range(2000)]
    assert len(set(numbers)) == len(numbers)
    used = {c for number in numbers for c in number[8:]}
    assert used == set(ids.CASE_ALPHABET)


def test_the_former_format_is_still_a_case_number_and_not_the_new_one() -> None:
    assert ids.OLD_CASE_NUMBER.fullmatch(OLD_FORMAT)
    assert not ids.CASE_NUMBER.fullmatch(OLD_FORMAT)


def shop_with_three_lines() -> tuple[Shop, FakeClock]:
    clock = FakeClock()
    shop = seed(memory_app(clock), clock, lines=[order_line(n) for n in (1, 2, 3)])
    clock.now = OPENED
    return shop, clock


def open_line(shop: Shop, request_id: str, line_no: int, **more: object) -> str:
    result = shop.app.open_case(
        request_id=request_id,
        actor=CONSUMER,
        order_no="O1",
        kind=CaseKind.RETURN_REFUND,
        reason_code="no_reason",
        lines=[LineRequest(line_no, 1)],
        description="changed my mind",
        **more,
    )
    return str(result.key)


def test_a_case_opened_through_the_service_gets_the_new_number_and_a_repeat_the_same() -> None:
    shop, _clock = shop_with_three_lines()
    number = open_line(shop, "open-a", 1)
    assert number == ids.case_number("open-a", OPENED)
    stored = shop.app.recorder.max_notification_id()
    assert open_line(shop, "open-a", 1) == number  # the repeat names the same case
    assert shop.app.recorder.max_notification_id() == stored


def test_a_taken_number_is_never_given_again_the_next_candidate_is() -> None:
    shop, _clock = shop_with_three_lines()
    taken = ids.case_number("open-b", OPENED)
    # Another case holds the number request "open-b" would get first (as if two requests' first
    # candidates met); "open-b" then gets its second candidate, not a refusal or the other case.
    assert open_line(shop, "open-x", 1, case_no=taken) == taken
    number = open_line(shop, "open-b", 2)
    assert number == ids.case_number("open-b", OPENED, 1) != taken
    assert shop.app.get_case(taken).lines[0].line_no == 1
    assert shop.app.get_case(number).lines[0].line_no == 2


def test_cases_of_the_former_format_keep_their_numbers() -> None:
    shop, _clock = shop_with_three_lines()
    assert open_line(shop, "open-old", 3, case_no=OLD_FORMAT) == OLD_FORMAT
    assert shop.app.get_case(OLD_FORMAT).case_no == OLD_FORMAT
    with pytest.raises(InvalidInput, match=f"case {OLD_FORMAT} exists already"):
        open_line(shop, "open-again", 2, case_no=OLD_FORMAT)
