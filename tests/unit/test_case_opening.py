"""Opening a case: eligibility at its boundaries (R1, R1.a, R1.b, R1.c, R5), who may open (R9),
the deadlines stored at opening (R12, R12.a, R5.a, R9.a) and the policy version applied (R19)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from domain.deadlines import Clock
from domain.errors import DeadlinePassed, InvalidInput, NotEligible, NotFound, PolicyBelowFloor
from domain.service import LineRequest
from domain.values import Actor, CaseKind, Channel, Reason, Role

from .builders import (
    AGENT,
    CONSUMER,
    DELIVERED,
    MERCHANT,
    OPENED,
    OTHER_CONSUMER,
    PLACED,
    SYSTEM,
    TERMS,
    US,
    FakeClock,
    cst,
    memory_app,
    open_case,
    order_line,
    raises_nothing_stored,
    seed,
)

# Delivered on the eve of National Day, late in the evening (CST): the 7 days run 10-01 .. 10-07.
EVE = cst(2026, 9, 30, 23, 59, 59)
EVE_WINDOW_END = cst(2026, 10, 8)


# ----------------------------------------------------------------------------- R1 window
def test_no_reason_return_open_at_the_last_microsecond_of_the_seventh_day() -> None:
    case = open_case(delivered_at=DELIVERED, at=cst(2026, 9, 30) - US)  # 09-23 .. 09-29
    assert case.status == "requested"


def test_no_reason_return_refused_at_the_first_microsecond_after_the_seventh_day() -> None:
    with pytest.raises(DeadlinePassed) as info:
        open_case(delivered_at=DELIVERED, at=cst(2026, 9, 30))
    assert info.value.rule == "R1"
    assert "2026-09-29 24:00 CST" in str(info.value)  # the last day (policy.md Clocks)


def test_delivery_on_national_day_eve_window_runs_over_the_holiday_unextended() -> None:
    open_case(delivered_at=EVE, at=EVE_WINDOW_END - US)
    with pytest.raises(DeadlinePassed, match=r"\[R1\].*2026-10-07 24:00 CST"):
        open_case(delivered_at=EVE, at=EVE_WINDOW_END)


def test_delivery_just_after_midnight_cst_counts_from_the_cst_date_not_the_utc_date() -> None:
    signed = cst(2026, 10, 1, 0, 0, 1)  # still 2026-09-30 in UTC
    assert signed.astimezone(UTC).day == 30
    open_case(delivered_at=signed, at=cst(2026, 10, 9) - US)
    with pytest.raises(DeadlinePassed):
        open_case(delivered_at=signed, at=cst(2026, 10, 9))


def test_no_reason_window_through_the_service_boundary_exactly() -> None:
    clock = FakeClock()
    shop = seed(memory_app(clock), clock, delivered_at=EVE, placed_at=cst(2026, 9, 28, 10))
    clock.now = EVE_WINDOW_END
    raises_nothing_stored(shop, DeadlinePassed, lambda: shop.open())
    clock.now = EVE_WINDOW_END - US
    case = shop.app.get_case(shop.open())
    assert case.status == "requested" and case.delivered_at == EVE


def test_no_reason_return_needs_a_signed_delivery() -> None:
    with pytest.raises(NotEligible, match=r"\[R1\]"):
        open_case(delivered_at=None)


# ----------------------------------------------------------------------------- R1.a / R1.b
@pytest.mark.parametrize("category", ["fresh", "custom"])
def test_excluded_category_is_never_a_no_reason_return(category: str) -> None:
    with pytest.raises(NotEligible) as info:
        open_case(lines=(order_line(category=category),))
    assert info.value.rule == "R1.a"
    assert not isinstance(info.value, DeadlinePassed)


def test_excluded_category_refused_for_a_no_reason_exchange_too() -> None:
    with pytest.raises(NotEligible, match=r"\[R1.a\]"):
        open_case(CaseKind.EXCHANGE, lines=(order_line(category="fresh"),))


def test_confirmation_category_is_eligible_without_a_recorded_confirmation() -> None:
    case = open_case(lines=(order_line(category="underwear", confirmed=False),))  # R1.b
    assert case.status == "requested"


def test_confirmation_category_refused_when_the_line_records_the_confirmation() -> None:
    with pytest.raises(NotEligible) as info:
        open_case(lines=(order_line(category="underwear", confirmed=True),))
    assert info.value.rule == "R1.b"


def test_an_unopened_consumable_is_eligible_and_an_opened_one_refused() -> None:
    # R1.a: consumables are excluded once opened, whatever was confirmed at purchase.
    unopened = open_case(lines=(order_line(category="cosmetics", confirmed=True),))
    assert unopened.status == "requested" and not unopened.lines[0].opened
    with pytest.raises(NotEligible) as info:
        open_case(lines=(order_line(category="cosmetics"),), opened=True)
    assert info.value.rule == "R1.a" and "once opened" in str(info.value)


def test_an_opened_consumable_may_still_be_returned_for_a_quality_problem() -> None:
    case = open_case(
        reason=Reason.QUALITY_DEFECT, lines=(order_line(category="cosmetics"),), opened=True
    )  # R1.c
    assert case.lines[0].opened


def test_the_service_records_that_a_requested_line_was_opened() -> None:
    # R1.a: the consumer says so when applying (LineRequest.opened); it is on the case's line.
    clock = FakeClock()
    shop = seed(memory_app(clock), clock, lines=(order_line(category="cosmetics"),))
    clock.now = OPENED
    error = raises_nothing_stored(
        shop, NotEligible, lambda: shop.open(lines=(LineRequest(1, 1, opened=True),))
    )
    assert error.rule == "R1.a"
    case = shop.app.get_case(
        shop.open(reason=Reason.QUALITY_DEFECT, lines=(LineRequest(1, 1, True),))
    )
    assert case.lines[0].opened


def test_one_excluded_line_refuses_the_whole_case() -> None:
    lines = (order_line(1), order_line(2, category="fresh"))
    with pytest.raises(NotEligible, match=r"\[R1.a\]"):
        open_case(lines=lines)


def test_excluded_category_with_a_defect_is_a_quality_return() -> None:
    case = open_case(reason=Reason.QUALITY_DEFECT, lines=(order_line(category="fresh"),))
    assert case.reason_code is Reason.QUALITY_DEFECT


# ----------------------------------------------------------------------------- R1.c / R5
WARRANTY_END = cst(2027, 9, 23)  # delivered 2026-09-22: 12 months end with 2027-09-22 CST


def test_defect_after_the_window_within_warranty_may_be_returned() -> None:
    case = open_case(reason=Reason.QUALITY_DEFECT, at=WARRANTY_END - US)
    assert case.kind is CaseKind.RETURN_REFUND


@pytest.mark.parametrize("kind", [CaseKind.RETURN_REFUND, CaseKind.EXCHANGE])
def test_defect_after_the_warranty_is_refused(kind: CaseKind) -> None:
    with pytest.raises(DeadlinePassed) as info:
        open_case(kind, Reason.QUALITY_DEFECT, at=WARRANTY_END)
    assert info.value.rule == "R5"
    assert "2027-09-22 24:00 CST" in str(info.value)


def test_listed_part_has_the_three_month_warranty() -> None:
    parts_end = cst(2026, 12, 23)
    open_case(reason=Reason.QUALITY_DEFECT, component="battery", at=parts_end - US)
    with pytest.raises(DeadlinePassed, match=r"\[R5\]"):
        open_case(reason=Reason.QUALITY_DEFECT, component="battery", at=parts_end)


def test_defect_after_warranty_refused_through_the_service_and_nothing_stored() -> None:
    clock = FakeClock()
    shop = seed(memory_app(clock), clock)
    clock.now = WARRANTY_END
    error = raises_nothing_stored(
        shop, DeadlinePassed, lambda: shop.open(reason=Reason.QUALITY_DEFECT)
    )
    assert error.rule == "R5"
    clock.now = WARRANTY_END - US
    assert shop.app.get_case(shop.open(reason=Reason.QUALITY_DEFECT)).status == "requested"


def test_repair_after_the_warranty_is_opened_at_the_users_cost() -> None:
    case = open_case(CaseKind.REPAIR, Reason.QUALITY_DEFECT, at=WARRANTY_END + US)
    assert case.kind is CaseKind.REPAIR and not case.in_warranty(WARRANTY_END)


# ----------------------------------------------------------------------------- kinds and reasons
def test_refund_only_for_goods_not_delivered_before_delivery() -> None:
    case = open_case(CaseKind.REFUND_ONLY, Reason.NOT_DELIVERED, delivered_at=None)
    assert case.status == "requested"


def test_refund_only_for_goods_not_delivered_refused_once_signed_for() -> None:
    with pytest.raises(NotEligible, match=r"\[R3\].*signed for"):
        open_case(CaseKind.REFUND_ONLY, Reason.NOT_DELIVERED)


def test_a_no_reason_refund_without_returning_the_goods_is_refused() -> None:
    with pytest.raises(NotEligible, match=r"\[R1.c\]"):
        open_case(CaseKind.REFUND_ONLY, Reason.NO_REASON)


def test_return_for_goods_never_delivered_is_refused() -> None:
    with pytest.raises(NotEligible):
        open_case(CaseKind.RETURN_REFUND, Reason.NOT_DELIVERED, delivered_at=None)


# ----------------------------------------------------------------------------- who opens
def test_a_merchant_cannot_open_a_case() -> None:
    with pytest.raises(InvalidInput) as info:
        open_case(actor=MERCHANT)
    assert info.value.rule == "R9"


def test_a_consumer_cannot_open_a_case_on_someone_elses_order() -> None:
    with pytest.raises(NotFound, match="not one of yours"):
        open_case(actor=OTHER_CONSUMER)


def test_platform_customer_service_may_take_a_complaint() -> None:
    case = open_case(CaseKind.COMPLAINT, Reason.SERVICE, actor=AGENT, channel=Channel.PLATFORM)
    assert case.status == "complaint_open" and case.complaint_open


def test_platform_customer_service_may_not_open_a_return() -> None:
    with pytest.raises(InvalidInput, match=r"\[R9\]"):
        open_case(actor=AGENT)


def test_a_complaint_must_say_what_went_wrong() -> None:
    with pytest.raises(InvalidInput, match=r"\[R9\]"):
        open_case(CaseKind.COMPLAINT, Reason.SERVICE, description="  ")


def test_a_case_names_at_least_one_line() -> None:
    with pytest.raises(InvalidInput, match="at least one line"):
        open_case(lines=())


# ----------------------------------------------------------------------------- deadlines
@pytest.mark.parametrize("kind", [CaseKind.RETURN_REFUND, CaseKind.EXCHANGE])
def test_return_and_exchange_store_the_r12_two_hours_and_r12a_24_hours(kind: CaseKind) -> None:
    at = cst(2026, 9, 24, 23, 30)
    case = open_case(kind, at=at)
    decision = case.deadlines[Clock.MERCHANT_DECISION]
    assert (decision.due_at, decision.rule, decision.party) == (
        cst(2026, 9, 25, 1, 30),
        "R12",
        Role.MERCHANT,
    )
    first = case.deadlines[Clock.FIRST_RESPONSE]
    assert (first.due_at, first.rule) == (cst(2026, 9, 25, 23, 30), "R12.a")


def test_a_later_application_has_no_first_response_clock() -> None:
    case = open_case(first_application=False)
    assert set(case.deadlines) == {Clock.MERCHANT_DECISION}


def test_repair_stores_the_r5a_48_hour_response() -> None:
    case = open_case(CaseKind.REPAIR, Reason.QUALITY_DEFECT)
    decision = case.deadlines[Clock.MERCHANT_DECISION]
    assert (decision.due_at, decision.rule) == (cst(2026, 9, 26, 9), "R5.a")


def test_complaint_stores_the_r9a_24_and_72_hours() -> None:
    case = open_case(CaseKind.COMPLAINT, Reason.SERVICE, description="rude staff")
    assert {n: (d.due_at, d.rule, d.party) for n, d in case.deadlines.items()} == {
        Clock.PLATFORM_RESPONSE: (cst(2026, 9, 25, 9), "R9.a", Role.PLATFORM_AGENT),
        Clock.PLATFORM_OPINION: (cst(2026, 9, 27, 9), "R9.a", Role.PLATFORM_AGENT),
    }


def test_a_faster_policy_shortens_the_stored_deadline() -> None:
    case = open_case(terms=replace(TERMS, accept_hours=1, first_response_hours=12))
    assert case.deadlines[Clock.MERCHANT_DECISION].due_at == cst(2026, 9, 24, 10)
    assert case.deadlines[Clock.FIRST_RESPONSE].due_at == cst(2026, 9, 24, 21)


def test_only_the_first_case_on_an_order_is_a_first_application_in_the_service() -> None:
    clock = FakeClock()
    shop = seed(memory_app(clock), clock, lines=(order_line(1), order_line(2)))
    clock.now = cst(2026, 9, 24, 9)
    first = shop.app.get_case(shop.open(lines=(LineRequest(1, 1),)))
    second = shop.app.get_case(shop.open(lines=(LineRequest(2, 1),)))
    assert Clock.FIRST_RESPONSE in first.deadlines
    assert Clock.FIRST_RESPONSE not in second.deadlines


# ----------------------------------------------------------------------------- R19 versions
def _publish(shop_app: object, clock: FakeClock, at: datetime, window: int, rid: str) -> None:
    clock.now = at
    shop_app.publish_policy(  # type: ignore[attr-defined]
        request_id=rid,
        actor=SYSTEM,
        merchant_id="m1",
        terms=replace(TERMS, return_window_days=window),
    )


def test_a_later_more_generous_version_applies_to_an_earlier_order() -> None:
    clock = FakeClock()
    app = memory_app(clock)
    _publish(app, clock, cst(2026, 9, 1), 7, "v1")
    shop = seed(app, clock, publish=False)
    _publish(app, clock, cst(2026, 9, 23), 15, "v2")
    clock.now = cst(2026, 10, 3)  # day 11 after delivery
    case = app.get_case(shop.open())
    assert case.policy_version == 1  # judged by the version in force at order time ...
    assert case.terms.return_window_days == 15  # ... made more generous by the later one


def test_a_later_less_generous_version_does_not_apply_to_an_earlier_order() -> None:
    clock = FakeClock()
    app = memory_app(clock)
    _publish(app, clock, cst(2026, 9, 1), 15, "v1")
    shop = seed(app, clock, publish=False)
    _publish(app, clock, cst(2026, 9, 23), 7, "v2")
    clock.now = cst(2026, 10, 3)
    case = app.get_case(shop.open())
    assert (case.policy_version, case.terms.return_window_days) == (1, 15)


def test_an_order_placed_under_the_later_version_gets_only_that_version() -> None:
    clock = FakeClock()
    app = memory_app(clock)
    _publish(app, clock, cst(2026, 9, 1), 15, "v1")
    _publish(app, clock, cst(2026, 9, 10), 7, "v2")
    shop = seed(app, clock, publish=False)
    clock.now = cst(2026, 10, 3)
    error = raises_nothing_stored(shop, DeadlinePassed, shop.open)
    assert error.rule == "R1"


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"return_window_days": 6}, "R1"),
        ({"warranty_months": 11}, "R5"),
        ({"accept_hours": 3}, "R12"),
        ({"first_response_hours": 25}, "R12.a"),
        ({"repair_response_hours": 49}, "R5.a"),
        ({"confirm_receipt_hours": 25}, "R3"),
        ({"refund_working_days": 8}, "R3"),
    ],
)
def test_publishing_a_version_below_the_floor_is_refused_and_nothing_stored(
    change: dict[str, int], rule: str
) -> None:
    clock = FakeClock()
    shop = seed(memory_app(clock), clock)
    error = raises_nothing_stored(
        shop,
        PolicyBelowFloor,
        lambda: shop.app.publish_policy(
            request_id="bad", actor=SYSTEM, merchant_id="m1", terms=replace(TERMS, **change)
        ),
    )
    assert error.rule == "R19" and f"({rule})" in str(error)
    assert len(shop.app.get_policy("m1").versions) == 1


def test_a_merchant_cannot_publish_another_merchants_policy() -> None:
    clock = FakeClock()
    shop = seed(memory_app(clock), clock)
    other = Actor(Role.MERCHANT, "x", merchant_id="m2")
    raises_nothing_stored(
        shop,
        NotFound,
        lambda: shop.app.publish_policy(
            request_id="steal", actor=other, merchant_id="m1", terms=TERMS
        ),
    )


def test_an_order_placed_before_any_policy_was_published_cannot_take_a_case() -> None:
    clock = FakeClock()
    app = memory_app(clock)
    _publish(app, clock, cst(2026, 9, 21), 7, "v1")
    with pytest.raises(NotFound, match=r"\[R11\]"):
        seed(app, clock, publish=False, placed_at=PLACED)


def test_consumer_of_the_order_opens_and_the_case_records_the_order_facts() -> None:
    clock = FakeClock()
    shop = seed(memory_app(clock), clock)
    clock.now = cst(2026, 9, 24, 9)
    case = shop.app.get_case(shop.open())
    assert (case.consumer_id, case.merchant_id, case.order_no) == (CONSUMER.id, "m1", "O1")
    assert case.placed_at == PLACED and case.delivered_at == DELIVERED
    assert isinstance(case.opened_at, datetime)
