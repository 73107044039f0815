"""What an application will record, before it is filed (issue 11 item 1): what the consumer asks
(kind, reason, units, the rule it is opened under), what comes back at most (R3.a), who pays each
shipping leg (R2; R8 for an exchange) and the clocks that start when it is filed (R12, R12.a,
R5.a, R9.a), as hours from the moment of filing.

``preview`` is pure; ``AfterSales.open_case`` builds the case's lines with it and the case's first
clocks come from the same ``opening_deadlines``, so the review page and the filed case agree.
``preview_for`` reads the stored facts (order, policy version in force, the consumer's history
with the merchant) the way ``open_case`` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from eventsourcing.application import AggregateNotFoundError

from domain import ids, rules
from domain.calendar import require_aware
from domain.case.opening import opening_deadlines, opening_rule
from domain.case_values import CaseLine
from domain.deadlines import Clock
from domain.errors import NotFound
from domain.history import ConsumerMerchantHistory
from domain.lines import OrderLine, TenderRefund
from domain.terms import PolicyTerms
from domain.values import Actor, CaseKind, Party, Reason, Role

if TYPE_CHECKING:
    from domain.order import Order
    from domain.service import AfterSales

#: Kinds whose case reserves the units and may refund them (R3.a).
REFUND_BEARING = frozenset({CaseKind.RETURN_REFUND, CaseKind.REFUND_ONLY})


@dataclass(frozen=True)
class LineAsked:
    """One order line as the application names it (``opened``: R1.a)."""

    line: OrderLine
    quantity: int
    outbound_share_fen: int
    opened: bool = False


@dataclass(frozen=True)
class ClockStarted:
    """A clock the filing starts: whose turn, under which rule, and how many hours it runs."""

    name: Clock
    party: Role
    rule: str
    hours: int


@dataclass(frozen=True)
class Preview:
    kind: CaseKind
    reason: Reason
    rule: str  # the rule the case is opened under (``opening_rule``)
    lines: tuple[CaseLine, ...]
    refund_bearing: bool
    goods_fen: int  # what was paid for the units asked (R3.a)
    shipping_fen: int  # the original delivery's share the merchant owes back (R2), so far
    return_leg_refunded: bool  # the merchant owes the return leg too (R2)
    cap_fen: int  # the most that can come back (R3.a); 0 when nothing is refunded
    split: tuple[TenderRefund, ...]  # the goods' money back to each tender (points in kind)
    shipping: rules.ShippingLiability | None  # who pays each leg (R2); None for a complaint
    clocks: tuple[ClockStarted, ...]
    first_application: bool

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)


def preview(
    *,
    kind: CaseKind,
    reason: Reason,
    asked: Sequence[LineAsked],
    terms: PolicyTerms,
    prior_returns_to_merchant: int,
    bought_again_since_first_return: bool,
    first_application: bool,
    at: datetime,
) -> Preview:
    """What filing this application records (nothing is checked here: ``check_opening`` and
    ``Order.claim`` refuse what is not allowed when it is filed)."""
    require_aware(at, "at")
    kind, reason = CaseKind(kind), Reason(reason)
    lines = tuple(
        CaseLine.of(a.line, a.quantity, a.outbound_share_fen, opened=a.opened) for a in asked
    )
    shipping: rules.ShippingLiability | None = None
    if kind is not CaseKind.COMPLAINT:  # as ``about_case`` and ``refund_plan`` read it
        shipping = rules.shipping_liability(
            reason,
            None,
            prior_returns_to_merchant=prior_returns_to_merchant,
            bought_again_since_first_return=bought_again_since_first_return,
            free_return_shipping=terms.free_return_shipping,
        )
        if kind is CaseKind.REFUND_ONLY and reason is Reason.NOT_DELIVERED:
            shipping = rules.ShippingLiability(Party.MERCHANT, Party.MERCHANT, "R2")
    refund_bearing = kind in REFUND_BEARING
    goods = sum(line.paid_fen for line in lines) if refund_bearing else 0
    outbound = 0
    if refund_bearing and shipping is not None:
        outbound = rules.shipping_refund_fen(
            shipping,
            return_leg_fee_fen=0,
            outbound_fee_share_fen=sum(line.outbound_share_fen for line in lines),
        )
    split: tuple[TenderRefund, ...] = ()
    if refund_bearing and len(asked) == 1 and asked[0].line.tenders:
        split = rules.split_refund(goods, asked[0].line.tenders)
    clocks = tuple(
        ClockStarted(d.name, d.party, d.rule, int((d.due_at - at).total_seconds() // 3600))
        for d in opening_deadlines(kind, terms, first_application, at)
    )
    return Preview(
        kind=kind,
        reason=reason,
        rule=opening_rule(kind, reason),
        lines=lines,
        refund_bearing=refund_bearing,
        goods_fen=goods,
        shipping_fen=outbound,
        return_leg_refunded=(
            refund_bearing and shipping is not None and shipping.return_leg is Party.MERCHANT
        ),
        cap_fen=goods + outbound,
        split=split,
        shipping=shipping,
        clocks=clocks,
        first_application=first_application,
    )


def history_of(app: AfterSales, order: Order) -> tuple[int, bool]:
    """(prior returns to the merchant, bought again since the first) from the stored history."""
    try:
        found: object = app.repository.get(ids.history_id(order.consumer_id, order.merchant_id))
    except AggregateNotFoundError:
        return 0, False
    if isinstance(found, ConsumerMerchantHistory):
        return found.prior_returns, found.bought_again_since_first_return
    return 0, False


def preview_for(
    app: AfterSales,
    *,
    actor: Actor,
    order_no: str,
    kind: CaseKind | str,
    reason: Reason | str,
    lines: Sequence[tuple[int, int, bool]],
) -> Preview:
    """``preview`` over the stored order, the policy version in force now and the consumer's
    history with the merchant; ``lines``: (line no, quantity, opened)."""
    order = app.get_order(order_no)
    if actor.role is Role.CONSUMER and actor.id != order.consumer_id:
        raise NotFound(f"order {order_no} is not one of yours", field="order_no")
    now = app.clock()
    _, terms = app.get_policy(order.merchant_id).applicable(order.placed_at, now)
    prior, bought_again = history_of(app, order)
    asked = [
        LineAsked(order.line(no), qty, order.outbound_share_fen(no, qty), opened)
        for no, qty, opened in lines
    ]
    return preview(
        kind=CaseKind(kind),
        reason=Reason(reason),
        asked=asked,
        terms=terms,
        prior_returns_to_merchant=prior,
        bought_again_since_first_return=bought_again,
        first_application=not any(True for _ in order.cases),
        at=now,
    )
