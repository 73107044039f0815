"""What the agent's case page shows beside the shared case view: the ruling to carry out (R10),
the refund plan per tender and shipping leg (R3, R3.a, R2), and which of the agent's forms apply."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import request

from domain.case_values import RefundPlan
from domain.entitlement import HandDeduction
from domain.errors import DomainError
from domain.process import Move
from projections.timeline import CaseSummary, TimelineStep
from web.common.actions import refusal_text
from web.common.amounts import AmountError, amount_error_text, parse_yuan
from web.common.formats import money, yuan_text
from web.common.labels import (
    DEDUCTION_LABELS,
    RULING_LABELS,
    label_of,
    party_label,
    tender_label,
)
from web.common.move_forms import other_moves
from web.common.moves import allowed_moves
from web.common.translate import gettext
from web.pages.agent.base import deadlines_by_name, parse_due
from web.services import get_service

# --- the case page ----------------------------------------------------------------------------


@dataclass
class RulingFacts:
    outcome: str
    outcome_label: str
    refund_fen: int
    compensation_fen: int
    return_required: bool


def ruling_facts(steps: list[TimelineStep]) -> RulingFacts | None:
    ruled = next((s for s in steps if s.step == "ruled"), None)
    if ruled is None:
        return None
    d = ruled.details
    outcome = str(d.get("outcome", ""))
    label = RULING_LABELS.get(outcome)
    return RulingFacts(
        outcome=outcome,
        outcome_label=str(label) if label is not None else outcome,
        refund_fen=int(d.get("refund_fen", 0)),
        compensation_fen=int(d.get("compensation_fen", 0)),
        return_required=bool(d.get("return_required", False)),
    )


def plan_view(plan: RefundPlan) -> dict[str, Any]:
    c = plan.currency
    return {
        "total_fen": plan.total_fen,
        "total": money(plan.total_fen, c),
        "goods": money(plan.goods_fen, c),
        "shipping": money(plan.shipping_fen, c),
        "cap_fen": plan.cap_fen,
        "cap": money(plan.cap_fen, c),
        "cap_yuan": yuan_text(plan.cap_fen),
        "total_yuan": yuan_text(plan.total_fen),
        "return_leg_payer": party_label(plan.return_leg_payer.value),
        "outbound_leg_payer": party_label(plan.outbound_leg_payer.value),
        "split": [
            {
                "tender": tender_label(part.kind.value),
                "amount": money(part.amount_fen, c),
                "in_kind": part.in_kind,
            }
            for part in plan.split
        ],
    }


def deduction_choices() -> list[tuple[str, str]]:
    """R3.a: the deductions an agent may enter (the domain checks the policy publishes them)."""
    return [(k.value, label_of(DEDUCTION_LABELS, k.value)) for k in HandDeduction]


@dataclass
class Actions:
    respond: bool = False
    opinion: bool = False
    approve: bool = False
    approve_fixed: int | None = None  # a ruling fixed the amount (R10)
    preview: dict[str, Any] | None = None
    full: dict[str, Any] | None = None
    preview_error: str = ""
    preview_amount: str = ""
    merchant_place: bool = False  # the case waits for the merchant's R12 decision
    merchant_breached: bool = False
    merchant_due: Any = None
    complaint: bool = False
    close: bool = False
    compensation: bool = False
    compensation_fixed: int | None = None
    route: bool = False
    others: list[Move] = field(default_factory=list)  # allowed, offered by their generic form
    deduction_kinds: list[tuple[str, str]] = field(default_factory=deduction_choices)  # R3.a
    receipt: dict[str, str] | None = None  # R2: a return fee above the unproven limit to prove


#: The moves the agent's case page has a form of its own for.
AGENT_FORMS = (
    Move.RESPOND_TO_COMPLAINT,
    Move.GIVE_OPINION,
    Move.APPROVE_REFUND,
    Move.ACCEPT,
    Move.REJECT,
    Move.FILE_COMPLAINT,
    Move.GRANT_COMPENSATION,
    Move.ROUTE,
    Move.CLOSE,
    Move.ADD_NOTE,
)


def case_forms(summary: CaseSummary, ruling: RulingFacts | None) -> Actions:
    """The agent's forms on the case: exactly the moves the domain allows the agent now
    (``Case.allowed_moves``), with what the shown forms need (the refund plan, the fixed amounts
    of a ruling, the merchant's R12 deadline)."""
    allowed = allowed_moves(summary)
    clocks = deadlines_by_name(summary)
    acts = Actions(
        respond=Move.RESPOND_TO_COMPLAINT in allowed,
        opinion=Move.GIVE_OPINION in allowed,
        approve=Move.APPROVE_REFUND in allowed,
        complaint=Move.FILE_COMPLAINT in allowed,
        close=Move.CLOSE in allowed,
        compensation=Move.GRANT_COMPENSATION in allowed,
        route=Move.ROUTE in allowed,
    )
    ruled = ruling if ruling is not None and ruling.outcome == "refund" else None
    acts.approve_fixed = ruled.refund_fen if acts.approve and ruled is not None else None
    if acts.approve:
        refund_preview(summary, acts)
    decision = clocks.get("merchant_decision")
    acts.merchant_breached = Move.ACCEPT in allowed or Move.REJECT in allowed
    acts.merchant_place = acts.merchant_breached or decision is not None
    acts.merchant_due = parse_due(decision)
    if acts.compensation and ruling is not None and ruling.compensation_fen:
        acts.compensation_fixed = ruling.compensation_fen
    acts.others = other_moves(allowed, AGENT_FORMS)
    acts.receipt = receipt_offer(summary)
    return acts


def receipt_offer(summary: CaseSummary) -> dict[str, str] | None:
    """R2 (issue 8): the declared return fee and the policy's unproven limit when the domain
    lets the agent accept the fee's receipt now (``Case.return_receipt_offer``), else None."""
    offer = get_service().return_receipt_offer(summary.case_no)
    if offer is None:
        return None
    fee, limit = offer
    return {"fee": money(fee, summary.currency), "limit": money(limit, summary.currency)}


def refund_preview(summary: CaseSummary, acts: Actions) -> None:
    """R3.a / R2: what the refund pays and where it goes, asked of the domain."""
    service = get_service()
    try:
        full = service.refund_preview(summary.case_no)
    except DomainError as error:
        acts.preview_error = refusal_text(error)
        return
    acts.full = plan_view(full)
    amount: int | None = acts.approve_fixed
    raw = (request.args.get("amount") or "").strip()
    if acts.approve_fixed is None and raw:
        acts.preview_amount = raw
        try:
            amount = parse_yuan(raw)
        except AmountError as error:
            acts.preview_error = amount_error_text(gettext("Refund amount (yuan)"), error)
            amount = None
    if amount is None or amount == full.total_fen:
        acts.preview = acts.full
        return
    try:
        acts.preview = plan_view(service.refund_preview(summary.case_no, amount))
    except DomainError as error:
        acts.preview_error = refusal_text(error)
        acts.preview = None
