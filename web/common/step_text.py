"""One timeline step in words: its label with parameters filled in (amounts as ``¥x.xx``,
codes as words), the amounts worth showing beside it, and its other facts (carrier, tracking
number ...)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from projections.labels import STEP_LABELS
from projections.timeline import TimelineStep
from web.common.entitlement_text import entitlement_amounts
from web.common.formats import money
from web.common.labels import (
    CLOSE_OUTCOME_LABELS,
    RESPONSIBILITY_LABELS,
    RULING_LABELS,
    TENDER_LABELS,
    Missing,
    actor_role_label,
    clock_label,
    kind_label,
    label_of,
    party_label,
    queue_text,
)

_AMOUNT_LABELS: dict[str, Any] = {
    "fee_fen": _l("Fee"),
    "amount_fen": _l("Amount"),
    "goods_fen": _l("Goods"),
    "shipping_fen": _l("Shipping"),
    "total_fen": _l("Total"),
    "cap_fen": _l("Refund cap (paid for these goods)"),
    "refund_fen": _l("Refund"),
    "compensation_fen": _l("Compensation"),
}

_FACT_LABELS: dict[str, Any] = {
    "carrier": _l("Carrier"),
    "tracking_no": _l("Tracking number"),
    "psp_reference": _l("Payment reference"),
    "tender": _l("Tender"),
    "paid_to": _l("Paid to"),
    "to_tender": _l("Now paid to"),
    "return_leg_payer": _l("Return shipping paid by"),
    "outbound_leg_payer": _l("Original shipping paid by"),
    "queue": _l("Queue"),
    "classified_kind": _l("Classified as"),
    "confidence_pct": _l("Confidence"),
}


def _parameters(step: TimelineStep, currency: str) -> dict[str, Any]:
    """The label's ``{…}`` parameters: amounts as ``¥x.xx``, codes as words."""
    d = step.details
    params: dict[str, Any] = {
        "actor_role": actor_role_label(step.actor_role),
        "actor_id": step.actor_id,
        "rule": step.rule,
    }
    for key, value in d.items():
        if key.endswith("_fen") and isinstance(value, int):
            params[key] = money(value, currency)
        else:
            params[key] = value
    if "responsibility" in d:
        params["responsibility"] = label_of(RESPONSIBILITY_LABELS, d["responsibility"])
    if step.step == "ruled":
        params["outcome"] = label_of(RULING_LABELS, d.get("outcome"))
    elif step.step == "closed":
        params["outcome"] = label_of(CLOSE_OUTCOME_LABELS, d.get("outcome"))
    if "clock" in d:
        params["clock"] = clock_label(d["clock"])
    if "queue" in d:
        params["queue"] = queue_text(str(d["queue"]))
    return params


def step_label(step: TimelineStep, currency: str = "CNY") -> str:
    """The step in words, in the viewer's language, with its parameters filled in."""
    template = STEP_LABELS.get(step.step)
    if template is None:
        return step.step.replace("_", " ")
    return str(gettext(template)).format_map(Missing(_parameters(step, currency)))


_FEE_STEPS = frozenset({"repair_quoted", "quote_accepted", "repair_completed"})


def step_amounts(step: TimelineStep, currency: str) -> list[tuple[str, str]]:
    out = entitlement_amounts(step.details, currency)  # R3.a: the refund's basis (issue 8)
    for key, label in _AMOUNT_LABELS.items():
        value = step.details.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            continue
        # A zero fee is worth saying for a repair (free in warranty); other zeros are noise.
        if value or (key == "fee_fen" and step.step in _FEE_STEPS):
            out.append((str(label), money(value, currency)))
    for part in step.details.get("split", ()) or ():
        tender = label_of(TENDER_LABELS, str(part.get("kind", "")))
        label = gettext("Paid back to %(tender)s", tender=tender)
        if part.get("in_kind"):
            label = gettext("Returned in kind as %(tender)s", tender=tender)
        out.append((label, money(int(part.get("amount_fen", 0)), currency)))
    return out


def step_facts(step: TimelineStep) -> list[tuple[str, str]]:
    out = []
    for key, label in _FACT_LABELS.items():
        value = step.details.get(key)
        if value in (None, ""):
            continue
        if key in ("return_leg_payer", "outbound_leg_payer"):
            value = party_label(str(value))
        elif key in ("tender", "paid_to", "to_tender"):  # R3.a: one payment per tender
            value = label_of(TENDER_LABELS, str(value))
        elif key == "classified_kind":
            value = kind_label(str(value))
        elif key == "confidence_pct":
            value = f"{value}%"
        elif key == "queue":
            value = queue_text(str(value))
        out.append((str(label), str(value)))
    if step.step == "repair_quoted" and "in_warranty" in step.details:
        out.append(
            (
                gettext("Warranty"),
                gettext("within warranty (R5)")
                if step.details["in_warranty"]
                else gettext("warranty over (R5)"),
            )
        )
    return out


#: Issue 11 item 8: each kind of text a step carries gets its own label (a rejection's reason,
#: the merchant's message, the platform's reply, a rating's comment ...); "Reason:" otherwise.
TEXT_LABELS: dict[str, Any] = {
    "opened": _l("Description:"),
    "complaint_filed": _l("Complaint:"),
    "complaint_responded": _l("Platform's reply:"),
    "opinion_given": _l("Platform's opinion:"),
    "note_added": _l("Note:"),
    "evidence_submitted": _l("Note:"),
    "rated": _l("Comment:"),
    "ruled": _l("Arbitrator's reasoning:"),
    "accepted": _l("Merchant's message:"),
    "receipt_confirmed": _l("Merchant's message:"),
    "inspected": _l("Inspection findings:"),
    "repair_quoted": _l("Merchant's message:"),
    "repair_completed": _l("Repair notes:"),
    "escalated": _l("Why arbitration:"),
    "withdrawn": _l("Why withdrawn:"),
}


def text_label(step: str) -> str:
    label = TEXT_LABELS.get(step)
    return str(label) if label is not None else str(_l("Reason:"))
