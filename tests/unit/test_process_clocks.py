"""Issue 7: the complete process's clocks. Each new clock at its boundary (nothing a microsecond
before, the declared consequence at the deadline); a case of every kind driven to an end with only
the clock moving; R3's statutory ceiling beside the working-day term (the earlier wins)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.case import Case
from domain.case_values import Shipment, Status
from domain.deadlines import Clock
from domain.errors import IllegalTransition, InvalidInput
from domain.process.states import STATES
from domain.values import CaseKind, Party, Reason, Responsibility

from .builders import (
    AWAITING_REFUND,
    CONSUMER,
    PHOTO,
    RECEIVED,
    US,
    Given,
    accept,
    approve_refund,
    confirm_receipt,
    cst,
    escalate,
    file_complaint,
    given,
    inspect,
    quote,
    refund_paid,
    reject,
    return_delivered,
    ship_exchange,
    ship_return,
)
from .test_case_timers import walk_to_the_deadline

# ----------------------------------------------------------------------------- only the clock


def run_out_every_clock(case: Case, limit: int = 40) -> list[str]:
    """Fire the earliest running deadline, as the timer worker does, until none is left."""
    fired: list[str] = []
    for _ in range(limit):
        running = [d for d in case.deadlines.values() if not d.breached]
        if not running:
            return fired
        first = min(running, key=lambda d: (d.due_at, d.name.value))
        assert case.expire(clock=first.name, at=max(first.due_at, case.updated_at))
        fired += [type(e).__name__ for e in case.collect_events()]
    raise AssertionError(f"still running after {limit} timers: {case.deadlines}")


def ends_well(case: Case) -> None:
    """An end: closed, or every clock has run out and the case waits in a supervisor's queue."""
    if case.status is Status.CLOSED:
        return
    state = STATES[(case.kind, case.status)]
    assert state.consequence is not None and case.queue.endswith("supervisor"), (
        case.status,
        case.queue,
    )


@pytest.mark.parametrize(
    ("kind", "reason", "outcome"),
    [
        (CaseKind.RETURN_REFUND, Reason.NO_REASON, "not_shipped"),
        (CaseKind.EXCHANGE, Reason.QUALITY_DEFECT, "not_shipped"),
        (CaseKind.REPAIR, Reason.QUALITY_DEFECT, "not_shipped"),
        (CaseKind.REFUND_ONLY, Reason.MISSING_ITEM, ""),
        (CaseKind.COMPLAINT, Reason.SERVICE, ""),
    ],
)
def test_a_case_of_every_kind_ends_with_only_the_clock_moving(
    kind: CaseKind, reason: Reason, outcome: str
) -> None:
    g = given(kind, reason, description="nobody answers")
    run_out_every_clock(g.case)
    ends_well(g.case)
    assert g.case.outcome == outcome
    if outcome:
        assert g.case.deadlines[Clock.POST_CLOSE].breached  # the window's end is recorded


def test_a_shipped_return_is_refunded_with_only_the_clock_moving() -> None:
    """In transit, extended once, deemed delivered, deemed received, deemed passed, approved
    automatically: only the payment itself needs a person (finance, then its supervisor)."""
    g = given().did(accept(), ship_return())
    fired = run_out_every_clock(g.case)
    assert fired[:4] == ["SlaBreached", "Routed", "SlaBreached", "ReturnDelivered"]
    for step in ("ReceiptConfirmed", "Inspected", "RefundApproved"):
        assert step in fired
    assert g.case.status is Status.REFUND_APPROVED
    assert g.case.queue in ("finance_supervisor", "platform_supervisor")
    ends_well(g.case)


def test_an_exchange_never_shipped_becomes_a_refund() -> None:
    """R8 reading, P1: the merchant ships no replacement in time: the consumer gets her money."""
    g = given(CaseKind.EXCHANGE, Reason.QUALITY_DEFECT).did(*RECEIVED, inspect())
    walk_to_the_deadline(g, Clock.REPLACEMENT_SHIP, "TurnedIntoRefund")
    assert g.case.status is Status.AWAITING_REFUND
    walk_to_the_deadline(g, Clock.REFUND_APPROVAL, "RefundApproved")
    assert g.case.refund is not None and g.case.refund.total_fen == 100_00


def test_goods_sent_back_are_taken_as_received_after_the_confirmation_period() -> None:
    g = given(CaseKind.EXCHANGE, Reason.QUALITY_DEFECT).did(*RECEIVED, inspect(), ship_exchange())
    due = g.case.deadlines[Clock.CONSUMER_CONFIRM].due_at
    assert due == cst(2026, 10, 5)  # shipped 09-24: 10 natural days, 24:00 of 10-04
    walk_to_the_deadline(g, Clock.CONSUMER_CONFIRM, "GoodsReceived", "Closed")
    assert (g.case.status, g.case.outcome) == (Status.CLOSED, "exchanged")


def test_an_unanswered_quote_is_declined_and_the_goods_go_back_unrepaired() -> None:
    g = given(CaseKind.REPAIR, Reason.USER_DAMAGE).did(
        *RECEIVED, inspect(Responsibility.USER_DAMAGE), quote(80_00)
    )
    walk_to_the_deadline(g, Clock.QUOTE_ANSWER, "QuoteDeclined")
    assert (g.case.status, g.case.repair_fee_fen) == (Status.RETURNING_UNREPAIRED, 0)
    assert Clock.SHIP_BACK in g.case.deadlines


def test_an_uninspected_return_is_taken_as_passed() -> None:
    g = given(CaseKind.RETURN_REFUND, Reason.QUALITY_DEFECT).did(*RECEIVED)
    walk_to_the_deadline(g, Clock.INSPECTION, "Inspected")
    assert (g.case.status, g.case.responsibility) == (
        Status.AWAITING_REFUND,
        Responsibility.PRODUCT_DEFECT,
    )


def test_an_undisputed_rejection_closes() -> None:
    g = given().did(reject())
    walk_to_the_deadline(g, Clock.CONSUMER_DISPUTE, "Closed")
    assert (g.case.status, g.case.outcome) == (Status.CLOSED, "rejected")


def test_arbitration_late_goes_to_its_supervisor() -> None:
    g = given().did(reject(), escalate())
    # Escalated Thu 09-24: 10 working days skip Mid-Autumn (09-25) and National Day and count
    # the make-up Saturday 10-10: 09-28 .. 09-30, 10-08 .. 10-10, 10-12 .. 10-15.
    assert g.case.deadlines[Clock.ARBITRATION].due_at == cst(2026, 10, 16)
    walk_to_the_deadline(g, Clock.ARBITRATION, "Routed")
    assert g.case.queue == "arbitration_supervisor"


# ----------------------------------------------------------------------------- return in transit
def ship_with_estimate(estimate: object) -> object:
    shipment = Shipment("SF Express", "SF7007")
    return lambda c, at: c.ship_return(
        actor=CONSUMER, at=at, shipment=shipment, expected_delivery_at=estimate
    )


def test_the_carriers_estimate_is_the_return_deadline_to_the_end_of_its_day() -> None:
    g = given().did(accept())
    g.when(ship_with_estimate(cst(2026, 9, 27, 15))).then_events("ReturnShipped")  # type: ignore[arg-type]
    due = g.case.deadlines[Clock.RETURN_DELIVERY]
    assert (due.due_at, due.rule) == (cst(2026, 9, 28), "R13")
    walk_to_the_deadline(g, Clock.RETURN_DELIVERY, "Routed")
    assert g.case.queue == "platform_logistics"
    extended = g.case.deadlines[Clock.RETURN_DELIVERY]
    assert not extended.breached and extended.due_at == cst(2026, 10, 6)  # once, 7 more days
    walk_to_the_deadline(g, Clock.RETURN_DELIVERY, "ReturnDelivered")
    assert g.case.status is Status.RETURN_DELIVERED
    assert g.case.deadlines[Clock.STATUTORY_REFUND].due_at == cst(2026, 10, 14)


def test_without_an_estimate_the_return_has_the_policys_transit_days() -> None:
    g = given().did(accept())
    g.when(ship_return(), at=cst(2026, 9, 25, 10)).then_events("ReturnShipped")
    assert g.case.deadlines[Clock.RETURN_DELIVERY].due_at == cst(2026, 10, 3)


def test_an_estimate_before_the_shipping_is_refused() -> None:
    g = given().did(accept())
    g.when(ship_with_estimate(cst(2026, 9, 1))).then_error(InvalidInput, rule="R13")  # type: ignore[arg-type]


def test_the_consumer_records_the_delivery_only_with_proof() -> None:
    g = given().did(accept(), ship_return())
    bare = lambda c, at: c.record_return_delivered(actor=CONSUMER, at=at, delivered_at=at)  # noqa: E731
    g.when(bare).then_error(InvalidInput, rule="R13", match="proof")
    proof = lambda c, at: c.record_return_delivered(  # noqa: E731
        actor=CONSUMER, at=at, delivered_at=at, evidence=(PHOTO,)
    )
    g.when(proof).then_events("ReturnDelivered")
    assert g.case.status is Status.RETURN_DELIVERED and PHOTO in g.case.evidence


# ----------------------------------------------------------------------------- R3 statutory
def test_a_return_delivered_before_national_day_is_refunded_within_7_natural_days() -> None:
    """R3, Law art. 13: delivered back on 09-30, approved on 10-01 (a holiday): 7 working days
    after approval would end at 24:00 of 10-15, later than the statutory 24:00 of 10-07. The
    earlier wins, and the event names both."""
    g = given().did(accept(), ship_return())
    g.when(return_delivered(), at=cst(2026, 9, 30, 18)).then_events("ReturnDelivered")
    g.did(confirm_receipt(), inspect())
    g.when(approve_refund(), at=cst(2026, 10, 1, 10)).then_events("RefundApproved")
    payment = g.case.deadlines[Clock.REFUND_PAYMENT]
    assert payment.due_at == cst(2026, 10, 8)  # 24:00 of 10-07: 7 natural days after 09-30


def test_the_approval_event_names_both_refund_clocks() -> None:
    g = given().did(accept(), ship_return())
    g.when(return_delivered(), at=cst(2026, 9, 30, 18)).then_events("ReturnDelivered")
    g.did(confirm_receipt(), inspect())
    approve_refund()(g.case, cst(2026, 10, 1, 10))
    (approved,) = [e for e in g.case.collect_events() if type(e).__name__ == "RefundApproved"]
    assert approved.statutory_due_at == cst(2026, 10, 8)
    assert approved.working_days_due_at == cst(2026, 10, 16)  # 10-08 .. 10-15 (10-10 make-up)
    payment = [d for d in approved.deadlines if d.name is Clock.REFUND_PAYMENT]
    assert [d.due_at for d in payment] == [cst(2026, 10, 8)]


def test_the_statutory_clock_at_its_last_microsecond() -> None:
    g = given().did(*AWAITING_REFUND)
    due = g.case.deadlines[Clock.STATUTORY_REFUND].due_at
    walk_to_the_deadline(g, Clock.STATUTORY_REFUND, "Routed")
    assert g.case.queue == "platform_supervisor" and due.tzinfo is not None


def test_the_statutory_clock_ends_when_the_refund_is_paid() -> None:
    g = given().did(*AWAITING_REFUND, approve_refund())
    g.when(refund_paid()).then_events("RefundPaid", "Closed")
    assert set(g.case.deadlines) == {Clock.POST_CLOSE}


# ----------------------------------------------------------------------------- R14 no fault
def test_no_fault_on_a_quality_claim_outside_the_window_sends_the_goods_back() -> None:
    g = given(CaseKind.RETURN_REFUND, Reason.QUALITY_DEFECT, at=cst(2026, 10, 20, 9))
    g.did(*RECEIVED)
    g.when(inspect(Responsibility.NO_FAULT)).then_events("Inspected")
    assert g.case.status is Status.INSPECTION_FAILED
    assert Clock.SHIP_BACK in g.case.deadlines


def test_no_fault_on_a_quality_claim_inside_the_window_is_a_no_reason_return() -> None:
    g = given(CaseKind.RETURN_REFUND, Reason.QUALITY_DEFECT).did(
        accept(), ship_return(fee_fen=12_00), return_delivered(), confirm_receipt()
    )
    g.when(inspect(Responsibility.NO_FAULT)).then_events("Inspected")
    assert g.case.status is Status.AWAITING_REFUND
    plan = g.case.refund_plan()
    assert (plan.total_fen, plan.return_leg_payer) == (100_00, Party.CONSUMER)  # R2


# ----------------------------------------------------------------------------- R12.a per kind
def test_a_repairs_first_response_is_due_at_48_hours_not_24() -> None:
    """R12.a / R5.a (issue 7): no false 24-hour breach on a repair."""
    g = given(CaseKind.REPAIR, Reason.QUALITY_DEFECT)
    first = g.case.deadlines[Clock.FIRST_RESPONSE]
    assert first.due_at == g.case.opened_at + timedelta(hours=48)
    then = g.when(lambda c, at: c.expire(clock=Clock.FIRST_RESPONSE, at=at), at=first.due_at - US)
    assert then.result is False and then.events == []


# ----------------------------------------------------------------------------- after closing
def closed_case() -> Given:
    """A rejection nobody disputed, closed by its clock (R10 reading)."""
    g = given().did(reject())
    due = g.case.deadlines[Clock.CONSUMER_DISPUTE].due_at
    g.when(lambda c, at: c.expire(clock=Clock.CONSUMER_DISPUTE, at=at), at=due)
    assert g.case.status is Status.CLOSED
    return g


def test_a_complaint_within_the_post_close_window_reopens_the_case() -> None:
    g = closed_case()
    window = g.case.deadlines[Clock.POST_CLOSE].due_at
    g.when(file_complaint(), at=window - US).then_events("ComplaintFiled")
    assert (g.case.status, g.case.complaint_open) == (Status.COMPLAINT_OPEN, True)


def test_after_the_post_close_window_no_complaint_or_escalation() -> None:
    g = closed_case()
    window = g.case.deadlines[Clock.POST_CLOSE].due_at
    g.when(file_complaint(), at=window).then_error(IllegalTransition, rule="R9", match="24:00")
    g.when(escalate(), at=window).then_error(IllegalTransition, rule="R10")


def test_an_escalation_within_the_post_close_window_goes_to_arbitration() -> None:
    g = closed_case()
    g.when(escalate()).then_events("EscalatedToArbitration")
    assert g.case.status is Status.IN_ARBITRATION and Clock.ARBITRATION in g.case.deadlines


# ----------------------------------------------------------------------------- more boundaries
def test_goods_not_sent_back_in_time_go_to_the_platform() -> None:
    """R14 reading: the merchant ships the consumer's goods back within ship_back_hours."""
    g = given().did(*RECEIVED, inspect(Responsibility.USER_DAMAGE, evidence=(PHOTO,)))
    assert g.case.deadlines[Clock.SHIP_BACK].due_at == g.now + timedelta(hours=48)
    walk_to_the_deadline(g, Clock.SHIP_BACK, "Routed")
    assert (g.case.status, g.case.queue) == (Status.INSPECTION_FAILED, "platform")


def test_a_repair_not_done_in_time_goes_to_the_platform() -> None:
    g = given(CaseKind.REPAIR, Reason.QUALITY_DEFECT).did(*RECEIVED)
    g.when(inspect(Responsibility.PRODUCT_DEFECT), at=cst(2026, 9, 25, 10))
    assert g.case.deadlines[Clock.REPAIR_WORK].due_at == cst(2026, 10, 3)  # 7 days, 24:00
    walk_to_the_deadline(g, Clock.REPAIR_WORK, "Routed")
    assert (g.case.status, g.case.queue) == (Status.REPAIRING, "platform")


def test_a_ruled_compensation_unpaid_in_time_goes_to_finances_supervisor() -> None:
    from domain.case_values import Ruling, RulingOutcome

    from .builders import rule

    g = given().did(reject(), escalate(), rule(Ruling(RulingOutcome.COMPENSATION, 0, 30_00)))
    assert g.case.status is Status.AWAITING_COMPENSATION
    walk_to_the_deadline(g, Clock.COMPENSATION_PAYMENT, "Routed")
    assert g.case.queue == "finance_supervisor"


def test_the_post_close_window_ends_on_its_last_day_at_24_00() -> None:
    g = closed_case()
    window = g.case.deadlines[Clock.POST_CLOSE].due_at
    assert window.astimezone(cst(2026, 1, 1).tzinfo).hour == 0  # 24:00 of the 15th day
    walk_to_the_deadline(g, Clock.POST_CLOSE)
    assert g.case.status is Status.CLOSED and g.case.deadlines[Clock.POST_CLOSE].breached
    g.when(file_complaint()).then_error(IllegalTransition, rule="R9")
