"""The form that opens a case: its fields, the kinds and reasons it offers (the domain has the
last word, ``domain.rules.eligibility``) and a refusal in the consumer's words."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from flask import request
from flask_babel import gettext

from domain import rules
from domain.lines import OrderLine
from domain.terms import PolicyTerms
from domain.values import CaseKind, Reason
from domain.warranty import UNIT, parts_offered
from web.common.labels import category_name, kind_label, part_name, reason_label
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
    opened: bool = False  # R1.a: the consumer says the goods were opened
    component: str = UNIT  # R5: the part the consumer says is faulty
    errors: dict[str, str] = field(default_factory=dict)
    refusal: str = ""


@dataclass(frozen=True)
class LineExtras:
    """What the form asks about this line beyond kind, reason and quantity.

    ``opened_note``: the R1.a sentence when the line's category is excluded once opened (the
    form then shows the "opened" check box), else "". ``parts``: (component, label) choices from
    ``domain.warranty.parts_offered`` (the whole unit first, then each listed part with its
    warranty's last day, R5)."""

    opened_note: str
    parts: tuple[tuple[str, str], ...]

    @property
    def components(self) -> frozenset[str]:
        return frozenset(component for component, _label in self.parts)


def line_extras(
    line: OrderLine, terms: PolicyTerms | None, delivered_at: datetime | None
) -> LineExtras:
    if terms is None:
        return LineExtras("", ((UNIT, gettext("The whole unit")),))
    exclusion = terms.exclusion_for(line.category)
    note = ""
    if exclusion is not None and exclusion.kind.opened_bites:
        note = gettext(
            "%(category)s cannot be returned without a reason once opened (R1.a); the store "
            "says: %(reason)s. Tick the box if you have opened it. Unopened, the no-reason "
            "return applies, and a quality problem is covered either way (R1.c).",
            category=category_name(line.category),
            reason=exclusion.reason,
        )
    parts = []
    for offer in parts_offered(line, terms, delivered_at):
        until = localtime(offer.warranty_end, "date") if offer.warranty_end else ""
        if offer.is_unit:
            label = gettext("The whole unit (%(months)s-month warranty)", months=offer.months)
        else:
            label = gettext(
                "%(part)s (%(months)s-month warranty)",
                part=part_name(offer.component),
                months=offer.months,
            )
        if until:
            label = gettext("%(what)s, until %(date)s", what=label, date=until)
        parts.append((offer.component, label))
    return LineExtras(note, tuple(parts))


def kind_choices() -> list[tuple[str, str]]:
    return [(kind, kind_label(kind)) for kind in REASONS_BY_KIND]


def fully_claimed(status: LineStatus) -> bool:
    """Every unit of the line is under another refund-bearing case (R3.a, ``Order.claim``)."""
    return status.row.free_quantity <= 0


def offered_kinds(status: LineStatus) -> list[tuple[str, str]]:
    """Only what can succeed (issue 11 item 2): no return or refund on a line whose every unit is
    under another such case already (R3.a; the domain refuses it in ``Order.claim``)."""
    return [
        (kind, label)
        for kind, label in kind_choices()
        if not (kind in REFUND_BEARING and fully_claimed(status))
    ]


def reason_choices() -> list[tuple[str, str, str]]:
    """(reason, label, kinds it fits, space separated) for the form's reason list."""
    out = []
    for reason in Reason:
        kinds = " ".join(k for k, reasons in REASONS_BY_KIND.items() if reason.value in reasons)
        if kinds:
            out.append((reason.value, reason_label(reason.value), kinds))
    return out


def refusal_message(
    verdict: rules.Verdict, line: OrderLine, terms: PolicyTerms, *, opened: bool = False
) -> str:
    """Why the domain refuses to open this case, in the viewer's language, naming the rule and,
    when a deadline decided, the deadline (``opened``: the consumer ticked "opened", R1.a)."""
    rule = verdict.rule
    text: str
    if rule == "R1" and verdict.deadline is not None:
        text = gettext(
            "The %(days)s-day no-reason return window closed at %(deadline)s (R1). For a quality "
            "problem choose that reason instead (R1.c).",
            days=terms.return_window_days,
            deadline=localtime(verdict.deadline),
        )
    elif rule == "R1.a" and opened and _opened_bites(line, terms):
        text = gettext(
            "%(item)s was opened, so it cannot be returned without a reason (R1.a): %(reason)s. "
            "A quality problem is still covered (R1.c).",
            item=line.title,
            reason=_reason(line, terms),
        )
    elif rule in ("R1.a", "R1.b"):
        exclusion = terms.exclusion_for(line.category)
        text = gettext(
            "%(item)s cannot be returned without a reason (%(rule)s): %(reason)s. A quality "
            "problem is still covered (R1.c).",
            item=line.title,
            rule=rule,
            reason=exclusion.reason if exclusion else category_name(line.category),
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
        text = gettext("This item does not qualify for this kind of application.")
    return text


def _opened_bites(line: OrderLine, terms: PolicyTerms) -> bool:
    exclusion = terms.exclusion_for(line.category)
    return exclusion is not None and exclusion.kind.opened_bites


def _reason(line: OrderLine, terms: PolicyTerms) -> str:
    exclusion = terms.exclusion_for(line.category)
    return exclusion.reason if exclusion else category_name(line.category)


def parse_quantity(text: str, most: int) -> int | None:
    if not re.fullmatch(r"\d{1,4}", text.strip()):
        return None
    value = int(text.strip())
    return value if 1 <= value <= most else None


def read_open_form(status: LineStatus, extras: LineExtras) -> tuple[OpenForm, int | None]:
    """The posted form, each mistake named by its field; the quantity when it is one."""
    form = OpenForm(
        kind=request.form.get("kind", "").strip(),
        reason=request.form.get("reason", "").strip(),
        quantity=request.form.get("quantity", "1").strip(),
        description=request.form.get("description", "").strip(),
        opened=request.form.get("opened", "") in ("1", "on", "true", "yes"),
        component=request.form.get("component", "").strip() or UNIT,
    )
    if form.component not in extras.components:
        form.errors["component"] = gettext(
            "Part: choose the whole unit or one of the parts listed (R5)."
        )
    if form.kind not in REASONS_BY_KIND:
        form.errors["kind"] = gettext("Type: choose what you would like.")
    elif form.kind in REFUND_BEARING and fully_claimed(status):
        form.errors["kind"] = gettext(
            "Type: every unit of this item is already being returned or refunded in another "
            "case, so it cannot be refunded again. You can still ask for an exchange, a repair "
            "or make a complaint."
        )
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
