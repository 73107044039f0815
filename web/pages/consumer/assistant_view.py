"""The R16 assistant on the consumer's pages: the domain's answers about their own order and case
(``domain.assistant_queries.ask_about_order`` / ``ask_about_case``) in the viewer's words.

Each answer says what the consumer can still do and by when (deadlines through ``localtime``, so
a day's end reads "<last day> 24:00", policy.md "Clocks"), who pays each shipping leg (R2, R8)
and how much comes back to each tender (R3.a). Templates call ``order_help(order_no, line_no)``
and ``case_help(case_no)`` (template globals registered with the consumer blueprint); a question
the domain cannot answer (no policy, not the consumer's) shows nothing rather than a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from domain.assistant import Action, By, LineAnswer, MoneyBack, Option, ShippingAnswer
from domain.assistant_cases import CaseAnswer
from domain.assistant_queries import answer_about_case, ask_about_case, ask_about_order
from domain.errors import DomainError
from domain.values import CaseKind, Party
from web.common.auth import current_actor
from web.common.case_cache import case_at
from web.common.formats import money
from web.common.i18n import DEFAULT_LOCALE, current_language
from web.common.labels import clock_label, party_label, tender_label
from web.common.timefmt import localtime
from web.pages.consumer.base import bp
from web.services import get_service

ACTION_LABELS: dict[Action, Any] = {
    Action.NO_REASON_RETURN: _l("Return without giving a reason"),
    Action.NO_REASON_EXCHANGE: _l("Exchange without giving a reason"),
    Action.QUALITY_RETURN: _l("Return for a quality problem"),
    Action.QUALITY_EXCHANGE: _l("Exchange for a quality problem"),
    Action.REPAIR: _l("Repair"),
    Action.REFUND_NOT_DELIVERED: _l("Refund for goods that never arrived"),
    Action.COMPLAINT: _l("Complaint to the platform"),
}


def by_text(by: By | None) -> str:
    """``2026-10-07 24:00 北京时间 (UTC+08:00)``: the deadline as the viewer reads it."""
    return localtime(by.until) if by is not None else ""


def _payer(party: Party) -> str:
    return str(gettext("you")) if party is Party.CONSUMER else str(gettext("the store"))


def shipping_text(shipping: ShippingAnswer) -> str:
    return str(
        gettext(
            "Sending the goods back: paid by %(back)s; the original delivery: paid by "
            "%(out)s (%(rule)s).",
            back=_payer(shipping.return_leg),
            out=_payer(shipping.outbound_leg),
            rule=shipping.rule,
        )
    )


def money_text(back: MoneyBack, currency: str = "CNY") -> str:
    """``Up to ¥599.00 comes back: ¥500.00 to bank card, ¥99.00 to points (R3.a).``"""
    split = str(gettext(", ")).join(
        str(
            gettext(
                "%(amount)s to %(tender)s",
                amount=money(t.amount_fen, currency),
                tender=tender_label(t.kind.value),
            )
        )
        for t in back.split
    ) or money(back.total_fen, currency)
    total = money(back.total_fen, currency)
    if back.approved:
        text = gettext(
            "%(total)s comes back: %(split)s (%(rule)s).", total=total, split=split, rule=back.rule
        )
    else:
        text = gettext(
            "Up to %(total)s comes back: %(split)s (%(rule)s).",
            total=total,
            split=split,
            rule=back.rule,
        )
    if back.return_leg_refunded:
        return sentences(
            text, gettext("What you paid to send the goods back is refunded too (R2).")
        )
    return str(text)


def sentences(*texts: Any) -> str:
    """Sentences one after another: a space between them in English, none in Chinese."""
    gap = "" if current_language() == DEFAULT_LOCALE else " "
    return gap.join(str(t) for t in texts if t)


@dataclass(frozen=True)
class OptionView:
    label: str
    available: bool
    rule: str
    by: str
    note: str


def _option(option: Option) -> OptionView:
    note = ""
    if option.free is True:
        note = str(gettext("free of charge while in warranty (R6)"))
    elif option.free is False:
        note = str(gettext("at your cost, on a quote you accept first (R6)"))
    elif option.exclusion_reason:
        note = option.exclusion_reason
    return OptionView(
        str(ACTION_LABELS[option.action]), option.available, option.rule, by_text(option.by), note
    )


@dataclass(frozen=True)
class LineHelp:
    title: str
    quantity: int  # units not yet under a refund-bearing case (R3.a)
    can: list[OptionView]
    cannot: list[OptionView]
    parts: list[tuple[str, int, str]]  # (label, months, until)
    no_reason_shipping: str
    quality_shipping: str
    no_reason_money: str  # "" when no unit is left to refund (R3.a)
    quality_money: str

    @property
    def cannot_text(self) -> str:
        names = gettext(", ").join(
            str(gettext("%(what)s (%(rule)s)", what=o.label, rule=o.rule)) for o in self.cannot
        )
        return str(gettext("No longer possible: %(list)s.", list=names)) if names else ""


#: R3.a: kinds that refund units; with no unit left (every unit under such a case) they are
#: no longer possible, whatever the window says.
_REFUNDING = (CaseKind.RETURN_REFUND, CaseKind.REFUND_ONLY)


def _claimed(option: Option) -> Option:
    return replace(option, available=False, rule="R3.a", by=None)


def line_help(answer: LineAnswer, currency: str = "CNY") -> LineHelp:
    """The answer about one line; with no unit left to refund (``quantity`` 0: every unit is
    under a return or refund already) the refunding options read as no longer possible (R3.a)
    and no amount is promised."""
    left = answer.quantity > 0
    options = [
        _option(_claimed(o) if not left and o.available and o.kind in _REFUNDING else o)
        for o in answer.options
    ]
    parts = [
        (
            str(gettext("The whole unit")) if p.is_unit else p.component,
            p.months,
            localtime(p.warranty_end, "date") if p.warranty_end else "",
        )
        for p in answer.parts
    ]
    return LineHelp(
        answer.title,
        answer.quantity,
        [o for o in options if o.available],
        [o for o in options if not o.available],
        parts,
        shipping_text(answer.no_reason_shipping),
        shipping_text(answer.quality_shipping),
        money_text(answer.no_reason_money, currency) if left else "",
        money_text(answer.quality_money, currency) if left else "",
    )


def order_help(order_no: str, line_no: int | str | None = None) -> list[LineHelp]:
    """R16 about the consumer's order: every line, or only ``line_no``; [] when unanswerable."""
    service = get_service()
    try:
        answer = ask_about_order(service, actor=current_actor(), order_no=order_no)
        currency = service.get_order(order_no).currency
    except DomainError:
        return []
    return [
        line_help(line, currency)
        for line in answer.lines
        if line_no in (None, "") or str(line.line_no) == str(line_no)
    ]


@dataclass(frozen=True)
class DeadlineView:
    what: str
    who: str
    by: str
    rule: str
    yours: bool
    overdue: bool


@dataclass(frozen=True)
class CaseHelp:
    finished: bool
    your_turn: bool
    deadlines: list[DeadlineView]
    shipping: str
    money: str


def case_help_of(answer: CaseAnswer, currency: str = "CNY") -> CaseHelp:
    deadlines = [
        DeadlineView(
            clock_label(d.clock),
            str(gettext("you")) if d.yours else party_label(d.party.value),
            by_text(d.by),
            d.rule,
            d.yours,
            d.overdue,
        )
        for d in answer.deadlines
    ]
    return CaseHelp(
        answer.finished,
        answer.your_turn,
        deadlines,
        shipping_text(answer.shipping) if answer.shipping is not None else "",
        money_text(answer.money, currency) if answer.money is not None else "",
    )


def case_help(case_no: str, version: int | None = None) -> CaseHelp | None:
    """R16 / R21 about the consumer's case; None when unanswerable. With ``version`` (the case's
    last version the page's read model shows) the case is the one at that version, replayed from
    the event store once per (case, version) in this process (``case_at``), not on every view."""
    service = get_service()
    try:
        if version is None:
            answer = ask_about_case(service, actor=current_actor(), case_no=case_no)
        else:
            case = case_at(service, case_no, version)
            answer = answer_about_case(case, actor=current_actor(), now=service.clock())
    except DomainError:
        return None
    return case_help_of(answer)


bp.add_app_template_global(order_help, "order_help")
bp.add_app_template_global(case_help, "case_help")
