"""Returns and refunds walked to their end: return_refund (no reason, defect), refund_only (not
delivered); R2 shipping in the refund, R3 timeline deadlines, R3.a cap, split and once only."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from domain.case_values import Status
from domain.deadlines import Clock
from domain.errors import IllegalTransition, InvalidInput, RefundExceedsPaid
from domain.lines import Tender, TenderRefund
from domain.values import CaseKind, Party, Reason, Responsibility, TenderKind

from .builders import (
    AWAITING_REFUND,
    FINANCE,
    MERCHANT,
    PHOTO,
    PRC,
    RECEIVED,
    REFUND_APPROVED,
    SYSTEM,
    TERMS,
    US,
    accept,
    approve_refund,
    confirm_goods,
    confirm_receipt,
    cst,
    given,
    inspect,
    order_line,
    rate,
    refund_paid,
    return_delivered,
    ship_back,
    ship_return,
    withdraw,
)

SPLIT_LINE = order_line(
    paid_fen=100_00, tenders=(Tender(TenderKind.CARD, 90_00), Tender(TenderKind.POINTS, 10_00))
)


def test_no_reason_return_refund_walked_to_its_end() -> None:
    g = given(CaseKind.RETURN_REFUND, Reason.NO_REASON, lines=(SPLIT_LINE,))
    g.when(accept()).then_events("Accepted")
    assert g.case.status is Status.AWAITING_RETURN
    g.when(ship_return(fee_fen=12_00)).then_events("ReturnShipped")
    g.when(return_delivered()).then_events("ReturnDelivered")
    g.when(confirm_receipt()).then_events("ReceiptConfirmed")
    g.when(inspect(Responsibility.NO_FAULT)).then_events("Inspected")
    assert g.case.status is Status.AWAITING_REFUND
    plan = g.when(approve_refund()).then_events("RefundApproved").refund
    assert plan is not None
    # R2: a first no-reason return: the consumer pays the return leg, the refund is the goods.
    assert (plan.total_fen, plan.shipping_fen, plan.return_leg_payer) == (100_00, 0, Party.CONSUMER)
    # R3.a: back to the original tenders in proportion; points in kind.
    assert plan.split == (
        TenderRefund(TenderKind.CARD, 90_00),
        TenderRefund(TenderKind.POINTS, 10_00),
    )
    g.when(refund_paid()).then_events("RefundPaid", "Closed")
    assert (g.case.status, g.case.outcome, g.case.refund_paid) == (Status.CLOSED, "refunded", True)
    g.when(rate(4)).then_events("Rated")
    assert g.case.rating == 4
    assert g.history == [
        "Opened",
        "Accepted",
        "ReturnShipped",
        "ReturnDelivered",
        "ReceiptConfirmed",
        "Inspected",
        "RefundApproved",
        "RefundPaid",
        "Closed",
        "Rated",
    ]


def test_defect_return_refund_walked_to_its_end_with_both_shipping_legs_refunded() -> None:
    g = given(CaseKind.RETURN_REFUND, Reason.QUALITY_DEFECT, outbound_fen=8_00)
    g.did(accept(), ship_return(fee_fen=12_00), return_delivered(), confirm_receipt())
    g.when(inspect(Responsibility.PRODUCT_DEFECT)).then_events("Inspected")
    g.when(approve_refund()).then_events("RefundApproved")
    plan = g.case.refund
    assert plan is not None
    # R2: the merchant's fault: it pays both legs, the refund adds them (R3.a cap includes them).
    assert (plan.goods_fen, plan.shipping_fen, plan.total_fen, plan.cap_fen) == (
        100_00,
        20_00,
        120_00,
        120_00,
    )
    assert (plan.return_leg_payer, plan.outbound_leg_payer) == (Party.MERCHANT, Party.MERCHANT)
    g.when(refund_paid()).then_events("RefundPaid", "Closed")
    assert g.case.outcome == "refunded"


def test_no_reason_return_after_buying_again_refunds_the_return_leg() -> None:
    g = given(prior_returns=1, bought_again=True)
    g.did(accept(), ship_return(fee_fen=12_00), return_delivered(), confirm_receipt(), inspect())
    plan = g.when(approve_refund()).then_events("RefundApproved") and g.case.refund
    assert plan and (plan.total_fen, plan.return_leg_payer) == (112_00, Party.MERCHANT)


def test_inspection_finding_user_damage_turns_a_claimed_defect_into_no_refund() -> None:
    g = given(CaseKind.RETURN_REFUND, Reason.QUALITY_DEFECT).did(*RECEIVED)
    g.when(inspect(Responsibility.USER_DAMAGE, evidence=(PHOTO,))).then_events("Inspected")
    assert (g.case.status, g.case.outcome) == (Status.INSPECTION_FAILED, "inspection_failed")
    g.when(approve_refund()).then_error(IllegalTransition, rule="R3")
    # R14 (issue 7): the goods are the consumer's and go back to her; the case ends on her
    # confirmation that they arrived, with the inspection's outcome.
    assert g.case.deadlines[Clock.SHIP_BACK].due_at == g.now + timedelta(hours=48)
    g.when(ship_back()).then_events("GoodsShippedBack")
    assert g.case.status is Status.GOODS_RETURNING
    g.when(confirm_goods()).then_events("GoodsReceived", "Closed")
    assert (g.case.status, g.case.outcome) == (Status.CLOSED, "inspection_failed")


def test_refusing_a_return_for_user_damage_needs_evidence() -> None:
    g = given().did(*RECEIVED)
    g.when(inspect(Responsibility.USER_DAMAGE)).then_error(InvalidInput, rule="R1")


def test_refund_only_for_goods_not_delivered_walked_to_its_end() -> None:
    g = given(CaseKind.REFUND_ONLY, Reason.NOT_DELIVERED, delivered_at=None, outbound_fen=8_00)
    g.when(accept()).then_events("Accepted")
    assert g.case.status is Status.AWAITING_REFUND
    due = g.case.deadlines[Clock.REFUND_APPROVAL].due_at
    assert due == g.now + timedelta(hours=TERMS.refund_review_hours)  # R3 review (issue 7)
    assert Clock.STATUTORY_REFUND not in g.case.deadlines  # no goods came back
    g.when(ship_return()).then_error(IllegalTransition, rule="R13")
    g.when(approve_refund()).then_events("RefundApproved")
    plan = g.case.refund
    # Never delivered: the outbound shipping the consumer paid comes back too (R2).
    assert plan is not None and (plan.total_fen, plan.shipping_fen) == (108_00, 8_00)
    g.when(refund_paid()).then_events("RefundPaid", "Closed")
    assert (g.case.status, g.case.outcome) == (Status.CLOSED, "refunded")


def test_partial_refund_is_split_in_proportion_over_the_tenders() -> None:
    # R3.a: a part of the entitlement (here after a ruling or a published deduction) is split
    # over the tenders in proportion; an approval states why it is partial (issue 8).
    g = given(lines=(SPLIT_LINE,)).did(*AWAITING_REFUND)
    assert g.case.refund_plan(50_00).split == (
        TenderRefund(TenderKind.CARD, 45_00),
        TenderRefund(TenderKind.POINTS, 5_00),
    )


def test_a_failed_payment_keeps_the_case_open_until_paid() -> None:
    g = given().did(*REFUND_APPROVED)
    failed = lambda c, at: c.record_refund_failed(actor=FINANCE, at=at, reason="card closed")  # noqa: E731
    g.when(failed).then_events("RefundFailed")
    assert (g.case.status, g.case.refund_attempts) == (Status.REFUND_FAILED, 1)
    g.when(refund_paid(SYSTEM)).then_events("RefundPaid", "Closed")


# ----------------------------------------------------------------------------- R3.a limits
def test_refund_approved_twice_is_refused() -> None:
    g = given().did(*REFUND_APPROVED)
    error = g.when(approve_refund()).then_error(IllegalTransition, rule="R3.a")
    assert "refunded once" in str(error)


def test_refund_after_it_was_paid_is_refused() -> None:
    g = given().did(*REFUND_APPROVED, refund_paid())
    g.when(approve_refund()).then_error(IllegalTransition, rule="R21")
    g.when(refund_paid()).then_error(IllegalTransition, rule="R21")


def test_refund_above_what_was_paid_plus_shipping_owed_is_refused() -> None:
    g = given().did(*AWAITING_REFUND)
    error = g.when(approve_refund(100_01)).then_error(RefundExceedsPaid, rule="R3.a")
    assert "10001 fen" in str(error) and "10000 fen" in str(error)


def test_negative_or_zero_refund_is_refused() -> None:
    g = given().did(*AWAITING_REFUND)
    g.when(approve_refund(-1)).then_error(InvalidInput, rule="R3.a", match="-1")
    g.when(approve_refund(0)).then_error(InvalidInput, rule="R3.a")


def test_refund_before_the_goods_came_back_is_refused() -> None:
    g = given().did(accept(), ship_return())
    g.when(approve_refund()).then_error(IllegalTransition, rule="R3", match="return_in_transit")


def test_withdraw_before_the_refund_is_approved_ends_the_case() -> None:
    g = given().did(*AWAITING_REFUND)
    g.when(withdraw()).then_events("Withdrawn")
    assert (g.case.status, g.case.outcome) == (Status.WITHDRAWN, "withdrawn")


def test_withdraw_after_the_refund_was_approved_is_refused() -> None:
    g = given().did(*REFUND_APPROVED)
    g.when(withdraw()).then_error(IllegalTransition, rule="R3", match="refund was approved")


# ----------------------------------------------------------------------------- R3 deadlines
def test_return_delivered_starts_the_24_hour_confirmation_clock() -> None:
    g = given().did(accept(), ship_return())
    g.when(return_delivered(), at=cst(2026, 9, 26, 22, 15)).then_events("ReturnDelivered")
    confirm = g.case.deadlines[Clock.CONFIRM_RECEIPT]
    assert (confirm.due_at, confirm.rule, confirm.party) == (
        cst(2026, 9, 27, 22, 15),
        "R3",
        MERCHANT.role,
    )


def test_delivery_back_starts_the_seven_day_statutory_refund_clock() -> None:
    """R3 / Law art. 13 (issue 7): the 7 days run from the goods' delivery back to the
    merchant, not from the merchant confirming receipt."""
    g = given().did(accept(), ship_return())
    g.when(return_delivered(), at=cst(2026, 9, 30, 23, 59)).then_events("ReturnDelivered")
    statutory = g.case.deadlines[Clock.STATUTORY_REFUND]
    # 7 natural days from the next day, not extended by National Day: 24:00 of 10-07.
    assert (statutory.due_at, statutory.rule) == (cst(2026, 10, 8), "R3")
    g.when(confirm_receipt(), at=cst(2026, 10, 1, 10)).then_events("ReceiptConfirmed")
    assert Clock.CONFIRM_RECEIPT not in g.case.deadlines
    assert g.case.deadlines[Clock.STATUTORY_REFUND].due_at == cst(2026, 10, 8)
    assert g.case.deadlines[Clock.INSPECTION].due_at == cst(2026, 10, 3, 10)  # R14, 48 h


# Refunds with no goods sent back (refund_only): only the working-day clock holds.
NO_RETURN = {"kind": CaseKind.REFUND_ONLY, "reason": Reason.MISSING_ITEM}


def test_refund_payment_deadline_counts_the_national_day_make_up_saturday() -> None:
    g = given(**NO_RETURN).did(accept())
    g.when(approve_refund(), at=cst(2026, 9, 28, 10)).then_events("RefundApproved")
    payment = g.case.deadlines[Clock.REFUND_PAYMENT]
    # 09-29, 09-30, [10-01..10-07 holiday], 10-08, 10-09, Sat 10-10 (make-up), 10-12, 10-13.
    assert (payment.due_at, payment.rule, payment.party, payment.provisional) == (
        cst(2026, 10, 14),
        "R3",
        FINANCE.role,
        False,
    )
    assert Clock.REFUND_APPROVAL not in g.case.deadlines


def test_three_working_day_refund_approved_on_the_holiday_eve_ends_on_the_make_up_day() -> None:
    g = given(**NO_RETURN, terms=replace(TERMS, refund_working_days=3)).did(accept())
    g.when(approve_refund(), at=cst(2026, 9, 30, 23, 30)).then_events("RefundApproved")
    assert g.case.deadlines[Clock.REFUND_PAYMENT].due_at == cst(2026, 10, 11)


def test_refund_payment_deadline_over_spring_festival_and_its_make_up_saturdays() -> None:
    g = given(
        **NO_RETURN,
        placed_at=cst(2026, 2, 1, 10),
        delivered_at=cst(2026, 2, 5, 16),
        at=cst(2026, 2, 9, 9),
    ).did(accept())
    g.when(approve_refund(), at=cst(2026, 2, 13, 18)).then_events("RefundApproved")
    # Sat 02-14 (make-up), [02-15..02-23], 02-24 .. 02-27, Sat 02-28 (make-up), 03-02.
    assert g.case.deadlines[Clock.REFUND_PAYMENT].due_at == cst(2026, 3, 3)
    assert PRC.is_working_day(cst(2026, 2, 28).date())


def test_refund_approved_one_microsecond_before_midnight_counts_from_the_same_day() -> None:
    g = given(**NO_RETURN).did(accept())
    g.when(approve_refund(), at=cst(2026, 9, 28) - US).then_events("RefundApproved")
    # Sunday 09-27 23:59:59.999999: 09-28 .. 09-30, 10-08 .. 10-10 (Sat), 10-12.
    assert g.case.deadlines[Clock.REFUND_PAYMENT].due_at == cst(2026, 10, 13)


def test_a_refund_of_some_units_of_an_unevenly_paid_line_refunds_exactly_what_they_cost() -> None:
    """R3.a: 1 of 3 units, paid by card 20000 + wallet 7001 + points 2999 fen: the refund is the
    10000 fen those units cost, split over the three tenders in proportion and summing exactly."""
    from domain.lines import Tender
    from domain.service import LineRequest
    from domain.values import TenderKind

    from .builders import FakeClock, memory_app, order_line, seed

    tenders = (
        Tender(TenderKind.CARD, 20000),
        Tender(TenderKind.WALLET, 7001),
        Tender(TenderKind.POINTS, 2999),
    )
    clock = FakeClock()
    shop = seed(
        memory_app(clock), clock, lines=(order_line(quantity=3, paid_fen=30000, tenders=tenders),)
    )
    clock.now = cst(2026, 9, 24, 9)
    case_no = shop.open(lines=(LineRequest(1, 1),))
    plan = shop.app.refund_preview(case_no)
    assert plan.total_fen == plan.cap_fen == 10000
    assert {p.kind: p.amount_fen for p in plan.split} == {
        TenderKind.CARD: 6667,
        TenderKind.WALLET: 2334,
        TenderKind.POINTS: 999,
    }
    assert sum(p.amount_fen for p in plan.split) == 10000
