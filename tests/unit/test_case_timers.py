"""Timers (R12.a and the other clocks): ``expire`` records nothing a microsecond before a deadline;
at it, the breach and what policy says follows; a second expire records nothing."""

from __future__ import annotations

from datetime import datetime

import pytest

from domain.calendar import end_of_natural_days
from domain.case_values import Ruling, RulingOutcome, Status
from domain.deadlines import Clock
from domain.errors import InvalidInput
from domain.values import CaseKind, Reason, Role

from .builders import (
    AWAITING_REFUND,
    IN_ARBITRATION,
    REFUND_RULING,
    US,
    FakeClock,
    Given,
    accept,
    approve_refund,
    cst,
    given,
    memory_app,
    respond,
    return_delivered,
    rule,
    seed,
    ship_return,
)


def expire_at(g: Given, clock: Clock, at: datetime) -> tuple[bool, list[str]]:
    then = g.when(lambda c, when: c.expire(clock=clock, at=when), at=at)
    assert then.error is None, then.error
    return then.result, then.events


def walk_to_the_deadline(g: Given, clock: Clock, *consequence: str) -> None:
    """Nothing at due - 1 µs; breach + consequence at due; nothing on a second expire."""
    due = g.case.deadlines[clock].due_at
    version = g.case.version
    assert expire_at(g, clock, due - US) == (False, [])
    assert g.case.version == version
    assert expire_at(g, clock, due) == (True, ["SlaBreached", *consequence])
    assert clock.value in g.case.breaches
    assert expire_at(g, clock, due) == (False, [])
    assert expire_at(g, clock, due + US) == (False, [])


@pytest.mark.parametrize("kind", [CaseKind.RETURN_REFUND, CaseKind.EXCHANGE])
def test_merchant_silent_on_a_no_reason_return_is_taken_to_agree(kind: CaseKind) -> None:
    g = given(kind, Reason.NO_REASON, at=cst(2026, 9, 24, 23))
    assert g.case.deadlines[Clock.MERCHANT_DECISION].due_at == cst(2026, 9, 25, 1)
    walk_to_the_deadline(g, Clock.MERCHANT_DECISION, "Accepted")
    assert g.case.status is Status.AWAITING_RETURN
    assert Clock.FIRST_RESPONSE not in g.case.deadlines  # the acceptance answered the consumer
    assert g.case.deadlines[Clock.CONSUMER_SHIP].due_at == cst(2026, 10, 3)


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        (CaseKind.RETURN_REFUND, Reason.QUALITY_DEFECT),
        (CaseKind.REFUND_ONLY, Reason.MISSING_ITEM),
        (CaseKind.REPAIR, Reason.QUALITY_DEFECT),
    ],
)
def test_merchant_silent_on_any_application_is_taken_to_agree(
    kind: CaseKind, reason: Reason
) -> None:
    """R12.a reading (issue 7): every non-complaint kind, not only no-reason returns."""
    g = given(kind, reason)
    walk_to_the_deadline(g, Clock.MERCHANT_DECISION, "Accepted")
    refund_only = kind is CaseKind.REFUND_ONLY
    assert g.case.status is (Status.AWAITING_REFUND if refund_only else Status.AWAITING_RETURN)


def test_first_response_breach_on_a_repair_is_recorded() -> None:
    g = given(CaseKind.REPAIR, Reason.QUALITY_DEFECT)
    first = g.case.deadlines[Clock.FIRST_RESPONSE]
    # R12.a per kind (issue 7): a repair's first response is due with R5.a's 48 hours.
    assert (first.due_at, first.rule, first.party) == (cst(2026, 9, 26, 9), "R12.a", Role.MERCHANT)
    walk_to_the_deadline(g, Clock.FIRST_RESPONSE)
    assert g.case.status is Status.REQUESTED
    assert g.case.deadlines[Clock.FIRST_RESPONSE].breached


def test_receipt_not_confirmed_within_24_hours_is_taken_as_confirmed() -> None:
    g = given().did(accept(), ship_return())
    g.when(return_delivered(), at=cst(2026, 9, 27, 14)).then_events("ReturnDelivered")
    assert g.case.deadlines[Clock.CONFIRM_RECEIPT].due_at == cst(2026, 9, 28, 14)
    walk_to_the_deadline(g, Clock.CONFIRM_RECEIPT, "ReceiptConfirmed")
    assert (g.case.status, g.case.received_at) == (Status.RECEIVED, cst(2026, 9, 28, 14))
    assert g.case.deadlines[Clock.INSPECTION].due_at == cst(2026, 9, 30, 14)  # R14, 48 h
    # R3 / Law art. 13: the statutory end counts from the delivery, not the confirmation.
    assert g.case.deadlines[Clock.STATUTORY_REFUND].due_at == cst(2026, 10, 5)


def test_return_not_shipped_in_time_closes_the_case() -> None:
    g = given().did(accept())
    assert g.case.deadlines[Clock.CONSUMER_SHIP].due_at == end_of_natural_days(g.now, 7)
    walk_to_the_deadline(g, Clock.CONSUMER_SHIP, "Closed")
    assert (g.case.status, g.case.outcome) == (Status.CLOSED, "not_shipped")
    assert set(g.case.deadlines) == {Clock.POST_CLOSE}  # R9/R10 reading


def test_complaint_not_answered_in_24_hours_goes_to_a_supervisor() -> None:
    g = given(CaseKind.COMPLAINT, Reason.SERVICE, description="no answer")
    walk_to_the_deadline(g, Clock.PLATFORM_RESPONSE, "Routed")
    assert g.case.queue == "platform_supervisor"


def test_complaint_without_an_opinion_in_72_hours_goes_to_a_supervisor() -> None:
    g = given(CaseKind.COMPLAINT, Reason.SERVICE, description="no answer").did(respond())
    walk_to_the_deadline(g, Clock.PLATFORM_OPINION, "Routed")
    assert g.case.deadlines[Clock.PLATFORM_OPINION].breached
    assert g.case.queue == "platform_supervisor"


def test_statutory_refund_deadline_missed_goes_to_a_supervisor() -> None:
    g = given().did(*AWAITING_REFUND)
    walk_to_the_deadline(g, Clock.STATUTORY_REFUND, "Routed")
    assert g.case.queue == "platform_supervisor"


def test_refund_payment_late_records_the_breach_for_finance() -> None:
    g = given().did(*AWAITING_REFUND, approve_refund())
    walk_to_the_deadline(g, Clock.REFUND_PAYMENT, "Routed")
    breached = g.case.deadlines[Clock.REFUND_PAYMENT]
    assert (breached.breached, breached.party) == (True, Role.FINANCE)
    assert g.case.queue == "finance_supervisor"


def test_a_clock_that_is_not_running_records_nothing() -> None:
    g = given()
    assert expire_at(g, Clock.CONFIRM_RECEIPT, cst(2027, 1, 1)) == (False, [])


def test_after_a_ruling_a_late_payment_goes_to_a_supervisor_and_the_outcome_stays() -> None:
    g = given().did(*IN_ARBITRATION, rule(REFUND_RULING), approve_refund())
    walk_to_the_deadline(g, Clock.REFUND_PAYMENT, "Routed")
    assert (g.case.status, g.case.queue) == (Status.REFUND_APPROVED, "finance_supervisor")


def test_after_a_ruling_that_needs_the_goods_back_a_missed_receipt_is_taken_as_confirmed() -> None:
    """R10 + R3: confirming receipt carries the ruling out, so the R3 consequence still applies."""
    ruling = Ruling(RulingOutcome.REFUND, refund_fen=60_00, return_required=True)
    g = given().did(*IN_ARBITRATION, rule(ruling), ship_return(), return_delivered())
    walk_to_the_deadline(g, Clock.CONFIRM_RECEIPT, "ReceiptConfirmed")
    assert g.case.status is Status.AWAITING_REFUND  # R10: the ruling, not an inspection, follows
    g.when(approve_refund()).then_events("RefundApproved")


# ----------------------------------------------------------------------------- the service
def test_service_expire_with_a_controlled_clock() -> None:
    clock = FakeClock()
    shop = seed(memory_app(clock), clock)
    clock.now = cst(2026, 9, 24, 23)
    case_no = shop.open()
    due = shop.app.get_case(case_no).deadlines[Clock.MERCHANT_DECISION].due_at
    clock.now = due - US
    before = shop.stored()
    result = shop.app.expire(case_no=case_no, clock="merchant_decision")
    assert (result.changed, dict(result.detail)) == (False, {"fired": False})
    assert shop.stored() == before, "a timer that found nothing due records nothing"
    clock.now = due
    result = shop.app.expire(case_no=case_no, clock=Clock.MERCHANT_DECISION)
    assert (result.changed, dict(result.detail)) == (True, {"fired": True})
    case = shop.app.get_case(case_no)
    assert case.status is Status.AWAITING_RETURN and case.breaches == ["merchant_decision"]
    after = shop.stored()
    again = shop.app.expire(case_no=case_no, clock=Clock.MERCHANT_DECISION)
    assert not again.changed and shop.stored() == after
    assert shop.app.get_case(case_no).version == case.version


def test_service_expire_of_an_unknown_clock_is_refused() -> None:
    clock = FakeClock()
    shop = seed(memory_app(clock), clock)
    case_no = shop.open()
    with pytest.raises(InvalidInput, match="unknown clock"):
        shop.app.expire(case_no=case_no, clock="lunch_break")
