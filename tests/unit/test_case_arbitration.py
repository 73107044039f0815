"""Arbitration (R10): either party escalates when negotiation fails; the ruling is final and each
outcome is carried out to the end; nothing after it may change the outcome."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from domain.case_values import Ruling, RulingOutcome, Status
from domain.deadlines import Clock
from domain.errors import CaseRuledFinal, IllegalTransition, InvalidInput, RefundExceedsPaid
from domain.values import CaseKind, Reason

from .builders import (
    AGENT,
    ARBITRATOR,
    CONSUMER,
    IN_ARBITRATION,
    MERCHANT,
    REFUND_RULING,
    Given,
    Move,
    accept,
    approve_refund,
    close,
    compensation_paid,
    complete_repair,
    confirm_goods,
    confirm_receipt,
    escalate,
    given,
    grant_compensation,
    inspect,
    note,
    opinion,
    rate,
    refund_paid,
    reject,
    respond,
    return_delivered,
    rule,
    ship_exchange,
    ship_return,
    submit_evidence,
    withdraw,
)


def ruled(ruling: Ruling, *more: Move) -> Given:
    return given().did(*IN_ARBITRATION, submit_evidence(), rule(ruling), *more)


# ----------------------------------------------------------------------------- escalation
def test_the_consumer_escalates_a_rejected_case() -> None:
    g = given().did(reject())
    g.when(escalate()).then_events("EscalatedToArbitration")
    assert g.case.status is Status.IN_ARBITRATION


def test_the_merchant_may_escalate_too() -> None:
    g = given().did(accept())
    g.when(escalate(MERCHANT)).then_events("EscalatedToArbitration")


def test_escalation_before_the_merchant_answered_is_refused() -> None:
    g = given()
    g.when(escalate()).then_error(IllegalTransition, rule="R10", match="has not failed yet")


def test_escalation_twice_is_refused() -> None:
    g = given().did(*IN_ARBITRATION)
    g.when(escalate(MERCHANT)).then_error(IllegalTransition, rule="R10", match="already")


def test_the_platform_does_not_escalate_and_only_the_arbitrator_rules() -> None:
    g = given().did(reject())
    g.when(escalate(AGENT)).then_error(IllegalTransition, rule="P2")
    g.did(escalate())
    g.when(rule(REFUND_RULING, actor=AGENT)).then_error(IllegalTransition, rule="P2")
    g.when(rule(REFUND_RULING, actor=CONSUMER)).then_error(IllegalTransition, rule="P2")


def test_no_ruling_without_an_escalation() -> None:
    g = given().did(reject())
    g.when(rule(REFUND_RULING)).then_error(IllegalTransition, rule="R10")


def test_both_sides_add_evidence_while_in_arbitration() -> None:
    g = given().did(*IN_ARBITRATION)
    g.when(submit_evidence(CONSUMER)).then_events("EvidenceSubmitted")
    g.when(submit_evidence(MERCHANT)).then_events("EvidenceSubmitted")
    assert len(g.case.evidence) == 2


def test_a_ruling_gives_its_reasoning() -> None:
    g = given().did(*IN_ARBITRATION)
    blank = lambda c, at: c.rule(actor=ARBITRATOR, at=at, ruling=REFUND_RULING, reasoning="")  # noqa: E731
    g.when(blank).then_error(InvalidInput, rule="R10")


def test_a_refund_ruling_is_bound_by_the_r3a_cap() -> None:
    g = given().did(*IN_ARBITRATION)
    too_much = Ruling(RulingOutcome.REFUND, refund_fen=100_01)
    g.when(rule(too_much)).then_error(RefundExceedsPaid, rule="R3.a")


# ----------------------------------------------------------------------------- carried out
def test_refund_ruling_carried_out_without_a_return() -> None:
    g = given().did(*IN_ARBITRATION)
    g.when(rule(REFUND_RULING)).then_events("Ruled")
    # R10 (issue 7): a ruling leads to the state that carries it out.
    assert g.case.status is Status.AWAITING_REFUND
    assert Clock.REFUND_APPROVAL in g.case.deadlines
    g.when(approve_refund()).then_events("RefundApproved")
    assert g.case.refund is not None and g.case.refund.total_fen == 60_00
    g.when(refund_paid()).then_events("RefundPaid", "Closed")
    assert (g.case.status, g.case.outcome) == (Status.CLOSED, "refunded")
    g.when(rate(3)).then_events("Rated")


def test_refund_ruling_with_the_goods_returned_first() -> None:
    g = ruled(Ruling(RulingOutcome.REFUND, refund_fen=100_00, return_required=True))
    g.when(approve_refund()).then_error(IllegalTransition, rule="R10")
    g.did(ship_return(), return_delivered(), confirm_receipt())
    g.when(approve_refund()).then_events("RefundApproved")
    g.when(refund_paid()).then_events("RefundPaid", "Closed")
    assert g.case.outcome == "refunded"


def test_exchange_ruling_carried_out() -> None:
    g = ruled(Ruling(RulingOutcome.EXCHANGE, return_required=True))
    g.when(ship_exchange()).then_error(IllegalTransition, rule="R8")
    assert g.case.status is Status.AWAITING_RETURN
    g.did(ship_return(), return_delivered(), confirm_receipt())
    assert g.case.status is Status.AWAITING_EXCHANGE
    g.when(ship_exchange()).then_events("ExchangeShipped")
    g.when(confirm_goods()).then_events("GoodsReceived", "Closed")
    assert g.case.outcome == "exchanged"


def test_exchange_ruling_without_a_return() -> None:
    g = ruled(Ruling(RulingOutcome.EXCHANGE))
    g.when(ship_exchange()).then_events("ExchangeShipped")
    g.when(confirm_goods()).then_events("GoodsReceived", "Closed")


def test_repair_ruling_carried_out() -> None:
    g = ruled(Ruling(RulingOutcome.REPAIR))
    assert g.case.status is Status.REPAIRING
    g.when(complete_repair()).then_events("RepairCompleted")
    g.when(confirm_goods()).then_events("GoodsReceived", "Closed")
    assert g.case.outcome == "repaired"


def test_repair_ruling_with_the_item_sent_in() -> None:
    g = ruled(Ruling(RulingOutcome.REPAIR, return_required=True))
    g.did(ship_return(), return_delivered(), confirm_receipt())
    g.when(complete_repair()).then_events("RepairCompleted")
    g.when(confirm_goods()).then_events("GoodsReceived", "Closed")


def test_compensation_ruling_carried_out() -> None:
    g = ruled(Ruling(RulingOutcome.COMPENSATION, compensation_fen=30_00))
    g.when(grant_compensation(20_00)).then_error(CaseRuledFinal, rule="R10", match="3000 fen")
    g.when(grant_compensation(30_00)).then_events("CompensationGranted")
    g.when(compensation_paid()).then_events("CompensationPaid", "Closed")
    assert (g.case.outcome, g.case.compensation_paid) == ("compensated", True)


def test_dismissed_ruling_closes_the_case() -> None:
    g = given().did(*IN_ARBITRATION)
    g.when(rule(Ruling(RulingOutcome.DISMISSED))).then_events("Ruled", "Closed")
    assert (g.case.status, g.case.outcome) == (Status.CLOSED, "dismissed")
    g.when(rate(1)).then_events("Rated")


def test_complaint_ruled_to_compensation_is_carried_out() -> None:
    g = given(CaseKind.COMPLAINT, Reason.SERVICE, description="rude").did(
        respond(), opinion(), escalate()
    )
    g.when(rule(Ruling(RulingOutcome.COMPENSATION, compensation_fen=10_00))).then_events("Ruled")
    g.did(grant_compensation(10_00, actor=AGENT))
    g.when(compensation_paid()).then_events("CompensationPaid", "Closed")


# ----------------------------------------------------------------------------- final (R10)
AFTER_RULING: dict[str, Callable[[], Move]] = {
    "accept": lambda: accept(),
    "reject": lambda: reject(),
    "escalate": lambda: escalate(),
    "escalate by the merchant": lambda: escalate(MERCHANT),
    "withdraw": lambda: withdraw(),
    "inspect": lambda: inspect(),
    "a refund of a different amount": lambda: approve_refund(50_00),
    "a second ruling": lambda: rule(Ruling(RulingOutcome.DISMISSED)),
    "evidence": lambda: submit_evidence(),
    "evidence by the merchant": lambda: submit_evidence(MERCHANT),
    "compensation": lambda: grant_compensation(10_00),
    "close before it is carried out": lambda: close(AGENT),
}


@pytest.mark.parametrize("move", AFTER_RULING, ids=list(AFTER_RULING))
def test_nothing_changes_a_refund_ruling(move: str) -> None:
    g = ruled(REFUND_RULING)
    error = g.when(AFTER_RULING[move]()).then_error(CaseRuledFinal, rule="R10")
    assert "final" in str(error) or "ruling" in str(error)


@pytest.mark.parametrize("move", AFTER_RULING, ids=list(AFTER_RULING))
def test_nothing_changes_a_ruling_while_it_is_being_carried_out(move: str) -> None:
    g = ruled(
        Ruling(RulingOutcome.REFUND, refund_fen=100_00, return_required=True),
        ship_return(),
        return_delivered(),
        confirm_receipt(),
    )
    g.when(AFTER_RULING[move]()).then_error(CaseRuledFinal, rule="R10")


@pytest.mark.parametrize(
    "ruling",
    [
        Ruling(RulingOutcome.EXCHANGE),
        Ruling(RulingOutcome.REPAIR),
        Ruling(RulingOutcome.COMPENSATION, compensation_fen=30_00),
    ],
    ids=lambda r: r.outcome.value,
)
@pytest.mark.parametrize("closer", [AGENT, CONSUMER, ARBITRATOR], ids=lambda a: a.role.value)
def test_a_ruling_cannot_be_closed_without_being_carried_out(
    ruling: Ruling, closer: object
) -> None:
    g = ruled(ruling)
    g.when(close(closer)).then_error(CaseRuledFinal, rule="R10")  # type: ignore[arg-type]


def test_a_refund_ruling_fixes_the_amount_the_platform_approves() -> None:
    g = ruled(REFUND_RULING)
    error = g.when(approve_refund(100_00)).then_error(CaseRuledFinal, rule="R10")
    assert "6000 fen" in str(error)
    g.when(approve_refund(60_00)).then_events("RefundApproved")


def test_a_ruling_of_another_outcome_grants_no_refund() -> None:
    g = ruled(Ruling(RulingOutcome.EXCHANGE))
    g.when(approve_refund()).then_error(CaseRuledFinal, rule="R10")


def test_a_case_with_a_refund_approved_cannot_be_ruled_to_another_refund() -> None:
    g = given().did(
        accept(),
        ship_return(),
        return_delivered(),
        confirm_receipt(),
        inspect(),
        approve_refund(),
        escalate(),
    )
    g.when(rule(REFUND_RULING)).then_error(IllegalTransition, rule="R3.a")


def test_notes_still_go_on_the_record_after_a_ruling() -> None:
    g = ruled(REFUND_RULING)
    g.when(note(AGENT, internal=True)).then_events("NoteAdded")


def test_an_opinion_after_the_ruling_does_not_reopen_the_outcome() -> None:
    g = given(CaseKind.COMPLAINT, Reason.SERVICE, description="rude").did(respond(), escalate())
    g.did(rule(Ruling(RulingOutcome.COMPENSATION, compensation_fen=10_00)))
    g.when(opinion()).then_events("OpinionGiven")
    assert g.case.status is Status.AWAITING_COMPENSATION  # on the record, it moves nothing
    g.when(close(AGENT)).then_error(CaseRuledFinal, rule="R10")
    g.did(grant_compensation(10_00, actor=AGENT))
    g.when(compensation_paid()).then_events("CompensationPaid", "Closed")


# ----------------------------------------------------------------------------- + compensation
@pytest.mark.parametrize(
    ("ruling", "carry_out", "outcome"),
    [
        (Ruling(RulingOutcome.REPAIR, compensation_fen=20_00), complete_repair(), "repaired"),
        (Ruling(RulingOutcome.EXCHANGE, compensation_fen=20_00), ship_exchange(), "exchanged"),
    ],
    ids=["repair", "exchange"],
)
def test_a_ruling_with_compensation_is_carried_out_in_full(
    ruling: Ruling, carry_out: Move, outcome: str
) -> None:
    """R14 repair plus compensation (维修+补偿), ruled under R10: both parts are carried out."""
    g = ruled(ruling)
    g.when(carry_out).then_error(CaseRuledFinal, rule="R10", match="compensation")
    g.when(grant_compensation(20_00)).then_events("CompensationGranted")
    g.when(carry_out).then_events(_carried_out(outcome))
    g.when(confirm_goods()).then_events("GoodsReceived", "Closed")
    g.when(compensation_paid()).then_events("CompensationPaid")
    assert (g.case.outcome, g.case.compensation_paid) == (outcome, True)


def test_a_refund_ruling_with_compensation_is_carried_out_in_full() -> None:
    g = ruled(Ruling(RulingOutcome.REFUND, refund_fen=60_00, compensation_fen=20_00))
    g.did(approve_refund())
    g.when(refund_paid()).then_error(CaseRuledFinal, rule="R10", match="compensation")
    g.did(grant_compensation(20_00))
    g.when(refund_paid()).then_events("RefundPaid", "Closed")
    g.when(compensation_paid()).then_events("CompensationPaid")


def _carried_out(outcome: str) -> str:
    return {"repaired": "RepairCompleted", "exchanged": "ExchangeShipped"}[outcome]
