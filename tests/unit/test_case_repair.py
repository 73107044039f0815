"""Repair (R5, R5.a, R6, R7): free in warranty; out of warranty or user damage only on a quote the
user accepted (declined: the item goes back unrepaired)."""

from __future__ import annotations

from dataclasses import replace

from domain.case_values import Status
from domain.deadlines import Clock
from domain.errors import IllegalTransition, InvalidInput, NotFound
from domain.values import CaseKind, Reason, Responsibility

from .builders import (
    CONSUMER,
    MERCHANT,
    OTHER_CONSUMER,
    RECEIVED,
    STEP,
    TERMS,
    accept,
    answer_quote,
    complete_repair,
    confirm_goods,
    confirm_receipt,
    cst,
    given,
    inspect,
    quote,
    rate,
    return_delivered,
    ship_return,
)

WARRANTY_END = cst(2027, 9, 23)  # delivered 2026-09-22 CST, 12 months


def out_of_warranty(**facts: object):  # type: ignore[no-untyped-def]
    return given(CaseKind.REPAIR, Reason.QUALITY_DEFECT, at=WARRANTY_END, **facts)


def test_repair_in_warranty_is_free_and_walked_to_its_end() -> None:
    g = given(CaseKind.REPAIR, Reason.QUALITY_DEFECT)
    g.when(accept()).then_events("Accepted")
    g.did(ship_return(), return_delivered(), confirm_receipt())
    assert Clock.REFUND_APPROVAL not in g.case.deadlines
    g.when(inspect(Responsibility.PRODUCT_DEFECT)).then_events("Inspected")
    assert g.case.status is Status.REPAIRING
    g.when(quote(150_00)).then_error(IllegalTransition, rule="R6", match="free")
    g.when(complete_repair()).then_events("RepairCompleted")
    g.when(confirm_goods()).then_events("GoodsReceived", "Closed")
    assert (g.case.status, g.case.outcome, g.case.repair_fee_fen) == (
        Status.CLOSED,
        "repaired",
        0,
    )
    g.when(rate(5)).then_events("Rated")


def test_repair_out_of_warranty_with_the_quote_accepted() -> None:
    g = out_of_warranty().did(*RECEIVED)
    g.when(inspect(Responsibility.PRODUCT_DEFECT)).then_events("Inspected")
    g.when(complete_repair()).then_error(IllegalTransition, rule="R6", match="quote it")
    g.when(quote(None)).then_error(InvalidInput, rule="R6", match="needs a quoted fee")
    g.when(quote(150_00)).then_events("RepairQuoted")
    assert g.case.status is Status.AWAITING_QUOTE_ANSWER
    g.when(complete_repair()).then_error(IllegalTransition, rule="R7")
    g.when(quote(120_00)).then_error(IllegalTransition, rule="R6")
    g.when(answer_quote(True)).then_events("QuoteAccepted")
    g.when(complete_repair()).then_events("RepairCompleted")
    g.when(confirm_goods()).then_events("GoodsReceived", "Closed")
    assert (g.case.outcome, g.case.repair_fee_fen) == ("repaired", 150_00)


def test_repair_out_of_warranty_with_the_quote_declined_goes_back_unrepaired() -> None:
    g = out_of_warranty().did(*RECEIVED, inspect(Responsibility.PRODUCT_DEFECT), quote(150_00))
    g.when(answer_quote(False)).then_events("QuoteDeclined")
    assert (g.case.status, g.case.repair_fee_fen) == (Status.RETURNING_UNREPAIRED, 0)
    g.when(complete_repair()).then_events("RepairCompleted")
    g.when(confirm_goods()).then_events("GoodsReceived", "Closed")
    assert (g.case.outcome, g.case.status) == ("returned_unrepaired", Status.CLOSED)


def test_user_damage_in_warranty_is_repaired_only_on_an_accepted_quote() -> None:
    g = given(CaseKind.REPAIR, Reason.USER_DAMAGE).did(*RECEIVED)
    # A repair inspection may find user damage without photos: the item is being repaired anyway.
    g.when(inspect(Responsibility.USER_DAMAGE)).then_events("Inspected")
    g.when(complete_repair()).then_error(IllegalTransition, rule="R6")
    g.did(quote(80_00), answer_quote(True))
    g.when(complete_repair()).then_events("RepairCompleted")
    g.when(confirm_goods()).then_events("GoodsReceived", "Closed")
    assert g.case.repair_fee_fen == 80_00


def test_user_damage_quote_declined_goes_back_unrepaired() -> None:
    g = given(CaseKind.REPAIR, Reason.USER_DAMAGE).did(
        *RECEIVED, inspect(Responsibility.USER_DAMAGE), quote(80_00), answer_quote(False)
    )
    g.when(complete_repair()).then_events("RepairCompleted")
    g.when(confirm_goods()).then_events("GoodsReceived", "Closed")
    assert g.case.outcome == "returned_unrepaired"


def test_transport_damage_out_of_warranty_is_still_free_to_the_user() -> None:
    g = out_of_warranty().did(*RECEIVED, inspect(Responsibility.TRANSPORT_DAMAGE))
    g.when(complete_repair()).then_events("RepairCompleted")
    g.when(confirm_goods()).then_events("GoodsReceived", "Closed")


def test_repair_requested_in_warranty_stays_free_when_the_work_ends_after_it() -> None:
    g = given(CaseKind.REPAIR, Reason.QUALITY_DEFECT, at=cst(2027, 9, 22, 20)).did(*RECEIVED)
    g.at(WARRANTY_END)
    g.when(inspect(Responsibility.PRODUCT_DEFECT)).then_events("Inspected")
    g.when(quote(150_00)).then_error(IllegalTransition, rule="R6", match="free")
    g.when(complete_repair()).then_events("RepairCompleted")
    g.when(confirm_goods()).then_events("GoodsReceived", "Closed")
    assert g.case.repair_fee_fen == 0


def test_a_quote_above_the_policys_cap_is_refused() -> None:
    g = out_of_warranty(terms=replace(TERMS, repair_fee_cap_fen=100_00))
    g.did(*RECEIVED, inspect(Responsibility.PRODUCT_DEFECT))
    g.when(quote(100_01)).then_error(InvalidInput, rule="R6", match="cap")
    g.when(quote(-5)).then_error(InvalidInput, rule="R6")
    g.when(quote(100_00)).then_events("RepairQuoted")


def test_repair_on_site_without_sending_the_item_back() -> None:
    g = given(CaseKind.REPAIR, Reason.QUALITY_DEFECT).did(accept())
    g.when(inspect(Responsibility.PRODUCT_DEFECT, on_site=True)).then_events("Inspected")
    assert Clock.CONSUMER_SHIP not in g.case.deadlines
    on_site = lambda c, at: c.complete_repair(actor=MERCHANT, at=at, notes="fixed", shipment=None)  # noqa: E731
    g.when(on_site).then_events("RepairCompleted")
    g.when(confirm_goods()).then_events("GoodsReceived", "Closed")


def test_only_repairs_are_inspected_on_site() -> None:
    g = given().did(accept())
    g.when(inspect(on_site=True)).then_error(IllegalTransition, rule="R7")


def test_only_the_merchant_quotes_and_only_the_consumer_answers() -> None:
    g = out_of_warranty().did(*RECEIVED, inspect(Responsibility.PRODUCT_DEFECT))
    g.when(quote(100_00, actor=CONSUMER)).then_error(IllegalTransition, rule="P2")
    g.did(quote(100_00))
    g.when(answer_quote(True, actor=MERCHANT)).then_error(IllegalTransition, rule="P2")
    g.when(answer_quote(True, actor=OTHER_CONSUMER)).then_error(NotFound, rule="input")


def test_a_quote_is_answered_once() -> None:
    g = out_of_warranty().did(*RECEIVED, inspect(Responsibility.PRODUCT_DEFECT), quote(100_00))
    g.did(answer_quote(False))
    g.when(answer_quote(True)).then_error(IllegalTransition, rule="R6")


def test_a_non_repair_case_is_not_quoted_or_repaired() -> None:
    g = given().did(*RECEIVED, inspect())
    g.when(quote(100_00)).then_error(IllegalTransition, rule="R6")
    g.when(complete_repair()).then_error(IllegalTransition, rule="R7")


def test_a_repair_ruling_never_charges_a_quote_the_user_did_not_accept() -> None:
    """R6 + R10: quoted, then escalated instead of answered, then ruled "repair": the repair
    completes free of charge, because the user never accepted the fee before work started."""
    from domain.case_values import Ruling, RulingOutcome

    from .builders import escalate, rule

    g = given(CaseKind.REPAIR, Reason.USER_DAMAGE).did(
        accept(),
        ship_return(),
        return_delivered(),
        confirm_receipt(),
        inspect(Responsibility.USER_DAMAGE),
        quote(50_00),
        escalate(),
        rule(Ruling(RulingOutcome.REPAIR)),
    )
    complete_repair()(g.case, g.now + STEP)
    completed = [e for e in g.case.pending_events if type(e).__name__ == "RepairCompleted"]
    assert completed[0].fee_fen == 0
    assert g.case.status is Status.GOODS_RETURNING  # R7: closes when the consumer has it back


def test_an_accepted_quote_is_the_fee_charged_at_completion() -> None:
    g = given(CaseKind.REPAIR, Reason.USER_DAMAGE).did(
        accept(),
        ship_return(),
        return_delivered(),
        confirm_receipt(),
        inspect(Responsibility.USER_DAMAGE),
        quote(50_00),
        answer_quote(True),
    )
    complete_repair()(g.case, g.now + STEP)
    completed = [e for e in g.case.pending_events if type(e).__name__ == "RepairCompleted"]
    assert completed[0].fee_fen == 50_00
