"""What the merchant's case page shows beside the shared case view: the warranty (R5), the refund
plan (R3, R3.a, R2), whether a repair needs a quote (R6), and which forms apply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain import rules
from domain.errors import DomainError
from domain.values import Responsibility
from web.common.actions import refusal_text
from web.common.casepage import CaseView
from web.common.formats import money
from web.common.labels import (
    party_label,
    tender_label,
)
from web.services import get_service

#: Statuses in which the case waits for the merchant to accept or reject (R12).
DECIDABLE = frozenset({"requested"})
TERMINAL = frozenset({"closed", "withdrawn"})
AT_FAULT = frozenset({Responsibility.PRODUCT_DEFECT.value, Responsibility.TRANSPORT_DAMAGE.value})


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
        return refusal_text(error)
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


def quote_needed(view: CaseView, warranty: WarrantyInfo | None) -> bool:
    """R6: a repair the user pays for (out of warranty, or damage they caused) is quoted and
    accepted before work starts; asked of domain.rules with the inspection's finding."""
    found = view.summary.responsibility
    if found is None:
        return False
    charge = rules.repair_charge(
        in_warranty=bool(warranty and warranty.in_warranty),
        responsibility=Responsibility(found),
        quoted_fee_fen=0,
        fee_cap_fen=None,
    )
    return charge.needs_consent


def available_actions(view: CaseView, warranty: WarrantyInfo | None = None) -> dict[str, bool]:
    """The merchant's moves that fit the case now (R7, R8, R10, R12, R14, R3, R6, R21). The
    domain still decides: a move shown here that it refuses comes back with its rule."""
    s = view.summary
    status, kind = s.status, s.kind
    open_ = status not in TERMINAL
    ruling = step_details(view, "ruled")
    outcome = ruling.get("outcome") if ruling else None
    quoted = step_details(view, "repair_quoted") is not None
    accepted_quote = step_details(view, "quote_accepted") is not None
    ruled_compensation = int(ruling.get("compensation_fen", 0)) if ruling else 0
    repairable = kind == "repair" or outcome == "repair"
    needs_quote = kind == "repair" and ruling is None and quote_needed(view, warranty)
    return {
        "accept": status in DECIDABLE and kind != "complaint",
        "reject": status in DECIDABLE and kind != "complaint",
        "return_delivered": status == "return_in_transit",
        "confirm_receipt": status == "return_delivered",
        "inspect": (status == "received" and ruling is None)
        or (kind == "repair" and status == "awaiting_return" and ruling is None),
        "inspect_on_site": kind == "repair" and status == "awaiting_return" and ruling is None,
        "quote": status == "repairing" and needs_quote and not quoted,
        "complete_repair": repairable
        and (
            status == "returning_unrepaired"
            or (status == "repairing" and (accepted_quote or not needs_quote))
            or (outcome == "repair" and status in ("ruled", "received"))
        ),
        "ship_exchange": status == "awaiting_exchange"
        or (outcome == "exchange" and status in ("ruled", "received")),
        "compensate": open_
        and not s.compensation_fen
        and (ruled_compensation > 0 or (ruling is None and (s.responsibility or "") in AT_FAULT)),
        "escalate": open_
        and ruling is None
        and status not in ("requested", "in_arbitration", "ruled"),
        "evidence": open_ and ruling is None,
        "note": True,
    }


def deadline_of(view: CaseView, name: str) -> Any:
    for d in view.deadlines:
        if d.name == name:
            return d
    return None
