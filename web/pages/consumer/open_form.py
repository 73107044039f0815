"""The form that opens a case: its fields, the kinds and reasons it offers (the domain has the
last word, ``domain.rules.eligibility``) and a refusal in the consumer's words."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask import request
from flask_babel import gettext

from domain import rules
from domain.lines import OrderLine
from domain.terms import PolicyTerms
from domain.values import CaseKind, Reason
from web.common.labels import kind_label, reason_label
from web.common.timefmt import localtime
from web.pages.consumer.base import MAX_DESCRIPTION, REASONS_BY_KIND, REFUND_BEARING
from web.pages.consumer.order_view import LineStatus

# --- opening a case -------------------------------------------------------------------------


@dataclass
class OpenForm:
    kind: str = ""
    reason: str = ""
    quantity: str = "1"
    description: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    refusal: str = ""


def kind_choices() -> list[tuple[str, str]]:
    return [(kind, kind_label(kind)) for kind in REASONS_BY_KIND]


def reason_choices() -> list[tuple[str, str, str]]:
    """(reason, label, kinds it fits, space separated) for the form's reason list."""
    out = []
    for reason in Reason:
        kinds = " ".join(k for k, reasons in REASONS_BY_KIND.items() if reason.value in reasons)
        if kinds:
            out.append((reason.value, reason_label(reason.value), kinds))
    return out


def refusal_message(verdict: rules.Verdict, line: OrderLine, terms: PolicyTerms) -> str:
    """Why the domain refuses to open this case, in the viewer's language, naming the rule and,
    when a deadline decided, the deadline."""
    rule = verdict.rule
    text: str
    if rule == "R1" and verdict.deadline is not None:
        text = gettext(
            "The %(days)s-day no-reason return window closed at %(deadline)s (R1). For a quality "
            "problem choose that reason instead (R1.c).",
            days=terms.return_window_days,
            deadline=localtime(verdict.deadline),
        )
    elif rule in ("R1.a", "R1.b"):
        exclusion = terms.exclusion_for(line.category)
        text = gettext(
            "%(item)s cannot be returned without a reason (%(rule)s): %(reason)s. A quality "
            "problem is still covered (R1.c).",
            item=line.title,
            rule=rule,
            reason=exclusion.reason if exclusion else line.category,
        )
    elif rule == "R5" and verdict.deadline is not None:
        text = gettext(
            "The warranty ended at %(deadline)s (R5). A repair at your cost is still possible "
            "(R6).",
            deadline=localtime(verdict.deadline),
        )
    elif rule == "R3":
        text = gettext(
            "A refund for goods that never arrived is only possible before delivery is signed "
            "for (R3)."
        )
    elif verdict.message.endswith(f"has not been signed for yet ({rule})"):
        text = gettext(
            "The order has not been delivered yet (%(rule)s): this can be asked for once you have "
            "signed for it.",
            rule=rule,
        )
    else:
        text = gettext("Not possible (%(rule)s): %(message)s", rule=rule, message=verdict.message)
    return text


def parse_quantity(text: str, most: int) -> int | None:
    if not re.fullmatch(r"\d{1,4}", text.strip()):
        return None
    value = int(text.strip())
    return value if 1 <= value <= most else None


def read_open_form(status: LineStatus) -> tuple[OpenForm, int | None]:
    """The posted form, each mistake named by its field; the quantity when it is one."""
    form = OpenForm(
        kind=request.form.get("kind", "").strip(),
        reason=request.form.get("reason", "").strip(),
        quantity=request.form.get("quantity", "1").strip(),
        description=request.form.get("description", "").strip(),
    )
    if form.kind not in REASONS_BY_KIND:
        form.errors["kind"] = gettext("Type: choose what you would like.")
    elif form.reason not in REASONS_BY_KIND[form.kind]:
        form.errors["reason"] = gettext(
            "Reason: choose one of the reasons offered for %(kind)s.",
            kind=kind_label(form.kind),
        )
    most = (
        status.row.free_quantity if form.kind in REFUND_BEARING else status.row.quantity
    ) or status.row.quantity
    quantity = parse_quantity(form.quantity, most)
    if quantity is None:
        form.errors["quantity"] = gettext("Quantity: a whole number from 1 to %(most)s.", most=most)
    if len(form.description) > MAX_DESCRIPTION:
        form.errors["description"] = gettext(
            "Description: at most %(n)s characters.", n=MAX_DESCRIPTION
        )
    elif form.kind == CaseKind.COMPLAINT.value and not form.description:
        form.errors["description"] = gettext("Description: say what went wrong (R9).")
    return form, quantity
