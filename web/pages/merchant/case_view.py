"""What the merchant's case page shows beside the shared case view: the warranty (R5), the refund
plan (R3, R3.a, R2), whether a repair needs a quote (R6), and which forms apply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain import rules
from domain.errors import DomainError
from domain.process import Move
from domain.values import CaseKind
from web.common.actions import refusal_text
from web.common.casepage import CaseView
from web.common.formats import money
from web.common.labels import (
    party_label,
    tender_label,
)
from web.common.move_forms import other_moves
from web.common.moves import allowed_moves
from web.services import get_service

TERMINAL = frozenset({"closed", "withdrawn"})


# --- the case page --------------------------------------------------------------------------


@dataclass
class WarrantyInfo:
    in_warranty: bool
    until: datetime
    months: int
    component: str


def step_details(view: CaseView, code: str) -> dict[str, Any] | None:
    for step in reversed(view.steps):
        if step.step.step == code:
            return step.step.details
    return None


def warranty_info(view: CaseView) -> WarrantyInfo | None:
    """R5/R6: whether the repair was asked for within warranty (judged when it was requested).
    A domain decision: the order and the policy come from the service, the rule from domain.rules.
    """
    opened = step_details(view, "opened")
    if opened is None or not opened.get("delivered_at"):
        return None
    from projections.db import parse_ts

    try:
        service = get_service()
        order = service.get_order(view.summary.order_no)
        _, terms = service.get_policy(view.summary.merchant_id).applicable(
            order.placed_at, view.summary.opened_at
        )
    except DomainError:
        return None
    component = str(opened.get("component") or "unit")
    try:  # R5: a part listed for the line's category has its own warranty
        lines = get_service().get_case(view.summary.case_no).lines
    except DomainError:
        return None
    months = terms.warranty_months_for(component, lines[0].category if lines else "")
    until = rules.warranty_end(parse_ts(str(opened["delivered_at"])), months)
    return WarrantyInfo(view.summary.opened_at < until, until, months, component)


@dataclass(frozen=True)
class RefundPreview:
    goods: str
    shipping: str
    total: str
    cap: str
    split: list[tuple[str, str, bool]]  # (tender label, amount, in kind)
    return_leg_payer: str
    outbound_leg_payer: str


def refund_preview(view: CaseView, ruling: dict[str, Any] | None) -> RefundPreview | str | None:
    """R3/R3.a/R2, read-only: what the platform's refund would pay, per tender, and who pays
    which shipping leg. A text when the domain cannot plan one yet (the reason, with its rule)."""
    s = view.summary
    refund_bearing = s.kind in ("return_refund", "refund_only")
    ruled_refund = ruling is not None and ruling.get("outcome") == "refund"
    if s.status in TERMINAL or s.refund_total_fen is not None:
        return None
    if ruling is not None and not ruled_refund:
        return None
    if not (refund_bearing or ruled_refund):
        return None
    amount = int(ruling["refund_fen"]) if ruling is not None and ruled_refund else None
    try:
        plan = get_service().refund_preview(s.case_no, amount)
    except DomainError as error:
        return str(refusal_text(error))
    cur = plan.currency
    return RefundPreview(
        goods=money(plan.goods_fen, cur),
        shipping=money(plan.shipping_fen, cur),
        total=money(plan.total_fen, cur),
        cap=money(plan.cap_fen, cur),
        split=[
            (
                tender_label(part.kind.value),
                money(part.amount_fen, cur),
                part.in_kind,
            )
            for part in plan.split
        ],
        return_leg_payer=party_label(plan.return_leg_payer.value),
        outbound_leg_payer=party_label(plan.outbound_leg_payer.value),
    )


#: The merchant's forms on the case page and the move each makes.
FORMS: dict[str, Move] = {
    "accept": Move.ACCEPT,
    "reject": Move.REJECT,
    "return_delivered": Move.RECORD_RETURN_DELIVERED,
    "confirm_receipt": Move.CONFIRM_RECEIPT,
    "inspect": Move.INSPECT,
    "quote": Move.QUOTE_REPAIR,
    "complete_repair": Move.COMPLETE_REPAIR,
    "ship_exchange": Move.SHIP_EXCHANGE,
    "compensate": Move.GRANT_COMPENSATION,
    "escalate": Move.ESCALATE,
    "evidence": Move.SUBMIT_EVIDENCE,
    "note": Move.ADD_NOTE,
}


def case_forms(view: CaseView) -> dict[str, bool]:
    """The merchant's forms to show: exactly the moves the domain allows the viewer now
    (``Case.allowed_moves``; R3, R6, R7, R8, R10, R12, R14, R21)."""
    allowed = allowed_moves(view.summary)
    shown = {form: move in allowed for form, move in FORMS.items()}
    shown["inspect_on_site"] = shown["inspect"] and view.summary.kind == CaseKind.REPAIR.value
    return shown


def other_forms(view: CaseView) -> list[Move]:
    """Allowed moves the page has no form of its own for (sending goods back R14 ...), offered by
    their generic form."""
    return other_moves(allowed_moves(view.summary), FORMS.values())


def deadline_of(view: CaseView, name: str) -> Any:
    for d in view.deadlines:
        if d.name == name:
            return d
    return None
