"""Orders as the consumer sees them: each line with what can still be done and why (not) (R1,
R1.a-c, R3.a, R5, R16). Eligibility is the domain's answer (``domain.assistant.can_i_return``),
put in plain words naming the rule and the deadline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext

from domain.assistant import Answer, can_i_return
from domain.case_values import Status
from domain.errors import DomainError, NotFound
from domain.lines import OrderLine
from domain.order import Order
from domain.terms import PolicyTerms
from projections.orders import OrderLineRow, case_nos_of_order, claims_with_status
from web import get_db
from web.common.formats import money
from web.common.timefmt import localtime
from web.services import get_service

# --- orders and eligibility -----------------------------------------------------------------


@dataclass
class LineStatus:
    """One order line as the consumer sees it: what they may still do, and why (not)."""

    row: OrderLineRow
    answer: Answer | None
    headline: str
    detail: str
    ok: bool  # a no-reason return is open
    can_open: bool  # some case can still be opened on it
    deadline: datetime | None = None
    warranty_until: datetime | None = None
    rules: list[str] = field(default_factory=list)
    claim_note: str = ""  # R3.a: every unit is under an open return or refund

    @property
    def paid(self) -> str:
        return money(self.row.paid_fen, self.row.currency)


@dataclass
class OrderView:
    order_no: str
    merchant_id: str
    placed_at: datetime
    delivered_at: datetime | None
    currency: str
    shipping_fee_fen: int
    lines: list[LineStatus]
    cases: list[str]
    open_claimed: dict[int, int]  # units per line under a case still in progress (item 7)
    policy_number: int | None
    terms: PolicyTerms | None

    @property
    def total(self) -> str:
        return money(sum(ls.row.paid_fen for ls in self.lines), self.currency)

    @property
    def shipping(self) -> str:
        return money(self.shipping_fee_fen, self.currency)


def terms_for(order: Order, now: datetime) -> tuple[int | None, PolicyTerms | None]:
    try:
        version, terms = (
            get_service().get_policy(order.merchant_id).applicable(order.placed_at, now)
        )
    except DomainError:
        return None, None
    return version.number, terms


def explain(answer: Answer, line: OrderLine, terms: PolicyTerms) -> tuple[str, str]:
    """The R16 answer in plain words: a headline and a sentence naming the rule and deadline."""
    window = terms.return_window_days
    if answer.code == "no_reason_open":
        assert answer.deadline is not None
        detail = gettext(
            "The %(days)s-day no-reason return is open until %(deadline)s (R1). Goods and "
            "packaging must be intact.",
            days=window,
            deadline=localtime(answer.deadline),
        )
        exclusion = terms.exclusion_for(line.category)
        if exclusion is not None and exclusion.kind.opened_bites:
            detail += " " + gettext(
                "Once opened, it can no longer be returned without a reason (R1.a): %(reason)s.",
                reason=exclusion.reason,
            )
        return gettext("Yes, you can return it without giving a reason."), detail
    if answer.code == "not_delivered":
        return (
            gettext("Not delivered yet."),
            gettext(
                "The %(days)s-day no-reason return starts the day after you sign for the delivery "
                "(R1). If the goods never arrive you can ask for a refund only (R3).",
                days=window,
            ),
        )
    if answer.code == "excluded":
        until = localtime(answer.warranty_until) if answer.warranty_until else ""
        if answer.rule == "R1.b":
            text = gettext(
                "No-reason return is not available: you confirmed at purchase that this item "
                "cannot be returned without a reason (R1.b). The store says: %(reason)s.",
                reason=answer.exclusion_reason,
            )
        else:
            text = gettext(
                "No-reason return is not available for this kind of goods (R1.a). The store "
                "says: %(reason)s.",
                reason=answer.exclusion_reason,
            )
        if until:
            text += " " + gettext(
                "A quality problem is still covered until %(date)s (R1.c).", date=until
            )
        return gettext("No no-reason return for this item."), text
    if answer.code == "quality_only":
        closed = localtime(answer.deadline) if answer.deadline else ""
        return (
            gettext("Only for a quality problem now."),
            gettext(
                "The %(days)s-day no-reason return window closed at %(closed)s (R1). A return, "
                "exchange or repair for a quality problem is possible until %(date)s (R1.c, R5).",
                days=window,
                closed=closed,
                date=localtime(answer.warranty_until) if answer.warranty_until else "",
            ),
        )
    if answer.code == "warranty_over":
        return (
            gettext("The warranty is over."),
            gettext(
                "The warranty ended at %(date)s (R5): no return any more, but a repair at your "
                "cost on a quote is still possible (R6).",
                date=localtime(answer.warranty_until) if answer.warranty_until else "",
            ),
        )
    return answer.code, answer.rule


def line_status(
    row: OrderLineRow, order: Order | None, terms: PolicyTerms | None, now: datetime
) -> LineStatus:
    if order is None or terms is None:
        return LineStatus(
            row,
            None,
            gettext("No after-sales policy found."),
            gettext("The store has no published after-sales policy for this order (R11)."),
            ok=False,
            can_open=False,
            rules=["R11"],
        )
    line = order.line(row.line_no)
    answer = can_i_return(line, terms, order.delivered_at, now)
    headline, detail = explain(answer, line, terms)
    status = LineStatus(
        row,
        answer,
        headline,
        detail,
        ok=answer.can_return_without_reason,
        can_open=True,
        deadline=answer.deadline,
        warranty_until=answer.warranty_until,
        rules=[answer.rule],
    )
    if row.claimed_quantity and row.free_quantity == 0:
        if status.ok:
            status.headline = gettext("Already under an after-sales case.")
        status.ok = False
        status.claim_note = gettext(
            "All %(n)s unit(s) of this line are already refunded or under a return or refund "
            "(R3.a): no line is refunded twice. A repair or an exchange, or a complaint, is still "
            "possible.",
            n=row.quantity,
        )
        status.rules.append("R3.a")
    return status


def order_view(rows: Sequence[OrderLineRow], now: datetime) -> OrderView:
    first = rows[0]
    try:
        order: Order | None = get_service().get_order(first.order_no)
    except NotFound:
        order = None
    number, terms = terms_for(order, now) if order is not None else (None, None)
    return OrderView(
        order_no=first.order_no,
        merchant_id=first.merchant_id,
        placed_at=first.placed_at,
        delivered_at=first.delivered_at,
        currency=first.currency,
        shipping_fee_fen=first.shipping_fee_fen,
        lines=[line_status(row, order, terms, now) for row in rows],
        cases=case_nos_of_order(get_db(), first.order_no),
        open_claimed=_open_claims(first.order_no),
        policy_number=number,
        terms=terms,
    )


def _open_claims(order_no: str) -> dict[int, int]:
    """Units per line under a refund-bearing case that has not ended (the domain says which
    statuses end a case); finished refunds are not "under a case" any more."""
    out: dict[int, int] = {}
    for line_no, units, status in claims_with_status(get_db(), order_no):
        try:
            ended = Status(status).is_terminal
        except ValueError:
            ended = False
        if not ended:
            out[line_no] = out.get(line_no, 0) + units
    return out
