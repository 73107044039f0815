"""Issue 8, R3.a / R2: a refund is the entitlement (what was paid for the units plus the shipping
owed under R2, each leg capped at the policy's unproven amount unless proven) less deductions of
a kind the published policy names, each with amount, rule and evidence. Anything else is refused
and records nothing."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given as hgiven
from hypothesis import strategies as st

from domain.case import Case
from domain.case_values import RefundPlan, Ruling, RulingOutcome
from domain.entitlement import (
    Deduction,
    DeductionKind,
    EntitlementItemKind,
    Leg,
    UnstatedDeduction,
    check_amount,
    check_deductions,
    entitlement_of,
    legacy,
)
from domain.errors import (
    CaseRuledFinal,
    IllegalTransition,
    InvalidInput,
    PolicyBelowFloor,
    RefundExceedsPaid,
)
from domain.lines import TenderRefund
from domain.terms import check_terms
from domain.values import Party, Reason, Responsibility, TenderKind
from tests.unit.builders import (
    AGENT,
    MERCHANT,
    PHOTO,
    PRC,
    RECEIVED,
    STEP,
    TERMS,
    accept,
    confirm_receipt,
    escalate,
    given,
    inspect,
    return_delivered,
    rule,
    ship_return,
)

FEE_CAP = TERMS.unproven_leg_fee_fen  # 1200 fen: the default reading (docs/money.md)


def approve(**inputs: Any) -> Any:
    return lambda c, at: c.approve_refund(actor=AGENT, at=at, calendar=PRC, **inputs)


def merchant_pays_return(fee_fen: int) -> Any:
    """A defect claim: the merchant owes both legs (R2); the consumer declared ``fee_fen``."""
    return given(reason=Reason.QUALITY_DEFECT, description="screen flickers").did(
        accept(),
        ship_return(fee_fen),
        return_delivered(),
        confirm_receipt(),
        inspect(Responsibility.PRODUCT_DEFECT),
    )


# ----------------------------------------------------------------------------- the entitlement
def test_the_entitlement_is_itemised_per_line_and_per_owed_leg() -> None:
    g = merchant_pays_return(10_00)
    ent = g.case.entitlement()
    assert [(i.item, i.amount_fen, i.rule) for i in ent.items] == [
        (EntitlementItemKind.GOODS, 100_00, "R3.a"),
        (EntitlementItemKind.RETURN_LEG, 10_00, "R2"),
    ]
    assert ent.total_fen == 110_00


def test_a_first_no_reason_return_owes_no_shipping() -> None:
    """R2: the consumer pays the return leg of their first no-reason return."""
    g = given().did(accept(), ship_return(10_00), return_delivered(), confirm_receipt(), inspect())
    ent = g.case.entitlement()
    assert ent.shipping_fen == 0 and ent.total_fen == 100_00


@pytest.mark.parametrize(
    ("declared", "owed", "note"),
    [
        (FEE_CAP, FEE_CAP, ""),  # exactly at the unproven limit: owed in full
        (FEE_CAP + 1, FEE_CAP, "capped_unproven"),  # 1 fen above: capped without a receipt
        (50_000_00, FEE_CAP, "capped_unproven"),  # the 50,000 yuan declaration
    ],
)
def test_a_leg_above_the_unproven_fee_is_capped(declared: int, owed: int, note: str) -> None:
    g = merchant_pays_return(declared)
    leg = [i for i in g.case.entitlement().items if i.item is EntitlementItemKind.RETURN_LEG]
    assert (leg[0].amount_fen, leg[0].declared_fen, leg[0].note) == (owed, declared, note)
    g.when(approve()).then_events("RefundApproved")
    assert g.case.refund is not None and g.case.refund.total_fen == 100_00 + owed


def test_a_policy_may_pay_more_without_proof_within_the_platform_band() -> None:
    terms = replace(TERMS, unproven_leg_fee_fen=2000)
    check_terms(terms)
    with pytest.raises(PolicyBelowFloor, match="unproven_leg_fee_fen=1199"):
        check_terms(replace(TERMS, unproven_leg_fee_fen=1199))
    with pytest.raises(InvalidInput, match="ceiling"):
        check_terms(replace(TERMS, unproven_leg_fee_fen=2001))
    with pytest.raises(InvalidInput, match="not a deduction the platform allows"):
        check_terms(replace(TERMS, deduction_kinds=("packaging",)))
    with pytest.raises(InvalidInput, match="recorded by the platform"):
        check_terms(replace(TERMS, deduction_kinds=("arbitration_ruling",)))


# ----------------------------------------------------------------------------- approvals
def test_a_full_approval_records_the_entitlement_and_no_deduction() -> None:
    g = merchant_pays_return(10_00)
    g.when(approve()).then_events("RefundApproved")
    event = g.case.refund
    assert event is not None and event.total_fen == 110_00


def test_a_refund_below_the_entitlement_with_only_a_reason_is_refused() -> None:
    """The issue's 1 fen on a 66.66 yuan line: refused, nothing recorded (R3.a)."""
    g = given().did(*RECEIVED, inspect())
    error = g.when(approve(amount_fen=1, reason="no reason")).then_error(
        UnstatedDeduction, rule="R3.a", match="below the entitlement"
    )
    assert error.field == "amount_fen"
    assert g.case.refund is None


def test_a_refund_above_the_entitlement_is_refused() -> None:
    g = given().did(*RECEIVED, inspect())
    g.when(approve(amount_fen=100_01)).then_error(RefundExceedsPaid, rule="R3.a")


def test_a_user_damage_deduction_needs_the_r14_finding() -> None:
    g = given().did(*RECEIVED, inspect(Responsibility.NO_FAULT))
    g.when(
        approve(deduction_kind="user_damage", deduction_fen=10_00, deduction_evidence="photo")
    ).then_error(UnstatedDeduction, rule="R3.a", match="inspection finding of user_damage")


def user_damaged_and_ruled(refund_fen: int, terms: Any = TERMS) -> Any:
    """R14 user damage, disputed, ruled to a refund (R10): the one way it reaches a refund."""
    return given(terms=terms).did(
        accept(),
        ship_return(),
        return_delivered(),
        confirm_receipt(),
        inspect(Responsibility.USER_DAMAGE, evidence=(PHOTO,)),
        escalate(),
        rule(Ruling(RulingOutcome.REFUND, refund_fen=refund_fen)),
    )


def test_a_published_user_damage_deduction_is_itemised_with_rule_and_evidence() -> None:
    g = user_damaged_and_ruled(60_00)
    g.when(
        approve(deduction_kind="user_damage", deduction_fen=30_00, deduction_evidence="a" * 64)
    ).then_events("RefundApproved")
    assert g.case.refund is not None and g.case.refund.total_fen == 60_00


def test_the_approval_event_carries_entitlement_and_deductions() -> None:
    g = user_damaged_and_ruled(60_00)
    case: Case = g.case
    case.approve_refund(
        actor=AGENT,
        at=g.now + STEP,
        calendar=PRC,
        deduction_kind="user_damage",
        deduction_fen=30_00,
        deduction_evidence="inspection report IR-7",
        reason="scratched screen",
    )
    (event,) = case.collect_events()
    assert event.entitlement.total_fen == 100_00
    assert [(d.kind, d.amount_fen, d.rule, d.evidence) for d in event.deductions] == [
        (DeductionKind.USER_DAMAGE, 30_00, "R14", "inspection report IR-7"),
        (DeductionKind.ARBITRATION_RULING, 10_00, "R10", "ruling of case AS1"),
    ]
    assert event.plan.total_fen == event.entitlement.total_fen - sum(
        d.amount_fen for d in event.deductions
    )


def test_a_deduction_the_policy_does_not_publish_is_refused() -> None:
    g = user_damaged_and_ruled(60_00, terms=replace(TERMS, deduction_kinds=()))
    g.when(
        approve(deduction_kind="user_damage", deduction_fen=30_00, deduction_evidence="x")
    ).then_error(UnstatedDeduction, rule="R3.a", match="names no user_damage deduction")


def test_a_deduction_without_evidence_is_refused() -> None:
    g = user_damaged_and_ruled(60_00)
    g.when(approve(deduction_kind="user_damage", deduction_fen=30_00)).then_error(
        UnstatedDeduction, rule="R3.a", match="names its evidence"
    )


def test_a_ruling_deduction_is_never_entered_by_hand() -> None:
    g = given().did(*RECEIVED, inspect())
    ruling = Deduction(DeductionKind.ARBITRATION_RULING, 1_00, "R10", "x")
    g.when(approve(deductions=(ruling,))).then_error(
        UnstatedDeduction, rule="R3.a", match="recorded by the platform"
    )


def test_the_ruled_amount_still_binds() -> None:
    g = user_damaged_and_ruled(60_00)
    g.when(approve(amount_fen=70_00)).then_error(CaseRuledFinal, rule="R10")


# ----------------------------------------------------------------------------- v2 upcast
def test_a_v2_approval_is_upcast_with_its_cap_and_an_unstated_shortfall() -> None:
    plan = RefundPlan(
        goods_fen=1,
        shipping_fen=0,
        total_fen=1,
        cap_fen=66_66,
        split=(TenderRefund(TenderKind.CARD, 1),),
        return_leg_payer=Party.CONSUMER,
        outbound_leg_payer=Party.CONSUMER,
        currency="CNY",
    )
    state: dict[str, Any] = {"plan": plan}
    Case.RefundApproved.upcast_v2_v3(state)
    assert [(i.item, i.amount_fen) for i in state["entitlement"].items] == [
        (EntitlementItemKind.LEGACY_CAP, 66_66)
    ]
    assert [(d.kind, d.amount_fen, d.evidence) for d in state["deductions"]] == [
        (DeductionKind.UNSTATED_LEGACY, 66_65, "")
    ]
    full = replace(plan, total_fen=66_66, goods_fen=66_66)
    assert legacy(full)[1] == ()


# ----------------------------------------------------------------------------- properties
LINES = st.lists(st.integers(0, 10_000_00), min_size=1, max_size=4)
LEGS = st.lists(st.tuples(st.integers(0, 100_000_00), st.booleans()), max_size=3)


@hgiven(lines=LINES, legs=LEGS, cap=st.integers(1200, 2000), cuts=st.lists(st.integers(1, 10**8)))
def test_property_a_refund_never_exceeds_the_entitlement(
    lines: list[int], legs: list[tuple[int, bool]], cap: int, cuts: list[int]
) -> None:
    ent = entitlement_of(
        lines=list(enumerate(lines, start=1)),
        legs=[Leg(EntitlementItemKind.RETURN_LEG, fee, proven) for fee, proven in legs],
        unproven_leg_fee_fen=cap,
        currency="CNY",
    )
    for item in ent.items:
        if item.item is EntitlementItemKind.RETURN_LEG and item.note:
            assert item.amount_fen == cap < item.declared_fen
    deductions = [Deduction(DeductionKind.USER_DAMAGE, c, "R14", "ev") for c in cuts]
    try:
        refund = check_deductions(
            ent,
            deductions,
            published=("user_damage",),
            responsibility=Responsibility.USER_DAMAGE,
        )
    except UnstatedDeduction:
        assert sum(cuts) >= ent.total_fen
        return
    assert 0 < refund <= ent.total_fen
    assert refund == ent.total_fen - sum(cuts)
    check_amount(ent, deductions, refund)  # exactly the stated result passes
    for wrong in (refund - 1, refund + 1):
        if wrong <= 0:
            continue
        with pytest.raises((UnstatedDeduction, RefundExceedsPaid)):
            check_amount(ent, deductions, wrong)


def accept_receipt(actor: Any = AGENT) -> Any:
    return lambda c, at: c.accept_return_receipt(actor=actor, at=at, receipt=PHOTO, reason="ok")


def test_an_accepted_receipt_makes_the_whole_declared_fee_owed() -> None:
    """R2: above the unproven amount, the consumer's receipt accepted by an agent proves the fee."""
    g = merchant_pays_return(FEE_CAP + 1)
    g.when(accept_receipt()).then_events("ReturnReceiptAccepted")
    leg = [i for i in g.case.entitlement().items if i.item is EntitlementItemKind.RETURN_LEG]
    assert (leg[0].amount_fen, leg[0].note) == (FEE_CAP + 1, "")
    g.when(approve()).then_events("RefundApproved")
    assert g.case.refund is not None and g.case.refund.total_fen == 100_00 + FEE_CAP + 1
    g.when(accept_receipt()).then_error(IllegalTransition, rule="R2")


def test_a_receipt_is_accepted_only_above_the_limit_and_only_by_an_agent() -> None:
    g = merchant_pays_return(FEE_CAP)
    g.when(accept_receipt()).then_error(IllegalTransition, rule="R2", match="nothing to prove")
    g = merchant_pays_return(FEE_CAP + 1)
    g.when(accept_receipt(MERCHANT)).then_error(IllegalTransition, rule="P2")


def test_the_receipt_offer_is_the_domains_answer_for_pages() -> None:
    """R2: ``return_receipt_offer`` is (declared fee, limit) exactly when an acceptance would be
    taken, and None at the limit, after an acceptance or once the refund is fixed."""
    assert merchant_pays_return(FEE_CAP).case.return_receipt_offer() is None
    g = merchant_pays_return(FEE_CAP + 1)
    assert g.case.return_receipt_offer() == (FEE_CAP + 1, FEE_CAP)
    g.when(accept_receipt()).then_events("ReturnReceiptAccepted")
    assert g.case.return_receipt_offer() is None
    g = merchant_pays_return(FEE_CAP + 1)
    g.when(approve()).then_events("RefundApproved")
    assert g.case.return_receipt_offer() is None
