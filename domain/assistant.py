"""R16 smart customer service: a consumer's questions about their own orders and cases, answered
from the same rules that decide them (R1-R6, R3.a, R9), as plain values the site words in the
viewer's language (zh / en). Nothing here reads a clock or a store.

- ``can_i_return``: "can I still return this?" (R1, R1.a-c, R5), one code with its deadline.
- ``about_line`` / ``about_order``: per order line, what the consumer can still do and until when
  (no-reason return or exchange, quality return / exchange, repair, refund for goods never
  delivered, complaint), which parts have which warranty (R5), who pays each shipping leg (R2,
  R8) and how much comes back at most (R3.a) for a no-reason and for a quality return.
- ``domain.assistant_cases.about_case``: for an open case, whose turn it is and by when, who
  pays the shipping and what the refund is (the approved plan, else the most it can be).

Every deadline is an exclusive end (``until``) with the last day it still covers (``last_day``):
a period of days ends at 24:00 of that day (``ends_at_midnight``), policy.md "Clocks".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from domain import rules
from domain.calendar import last_day_cst, require_aware, to_cst
from domain.lines import OrderLine, TenderRefund
from domain.terms import PolicyTerms
from domain.values import CaseKind, Party, Reason
from domain.warranty import PartOffer, parts_offered

# ---------------------------------------------------------------------------- can I return this?


@dataclass(frozen=True)
class Answer:
    code: str  # no_reason_open | no_reason_closed | excluded | not_delivered | quality_only ...
    rule: str
    deadline: datetime | None
    warranty_until: datetime | None
    exclusion_reason: str = ""

    @property
    def can_return_without_reason(self) -> bool:
        return self.code == "no_reason_open"


def can_i_return(
    line: OrderLine,
    terms: PolicyTerms,
    delivered_at: datetime | None,
    now: datetime,
    *,
    opened: bool = False,
) -> Answer:
    """R16 over R1, R1.a, R1.b, R1.c and R5: whether a no-reason return is open, until when, and
    what remains (a quality return or repair within warranty) when it is not."""
    if delivered_at is None:
        return Answer("not_delivered", "R3", None, None)
    warranty_until = rules.warranty_end(delivered_at, terms.warranty_months)
    verdict = rules.eligibility(
        CaseKind.RETURN_REFUND, Reason.NO_REASON, line, terms, delivered_at, now, opened=opened
    )
    if verdict.allowed:
        return Answer("no_reason_open", "R1", verdict.deadline, warranty_until)
    exclusion = terms.exclusion_for(line.category)
    if verdict.rule in ("R1.a", "R1.b") and exclusion is not None:
        return Answer("excluded", verdict.rule, None, warranty_until, exclusion.reason)
    in_warranty = now < warranty_until
    code = "quality_only" if in_warranty else "warranty_over"
    return Answer(code, "R1.c" if in_warranty else "R5", verdict.deadline, warranty_until)


# ---------------------------------------------------------------------------- shared answers


@dataclass(frozen=True)
class By:
    """A deadline as people read it: the exclusive end and the last day it covers (CST)."""

    until: datetime
    last_day: date
    ends_at_midnight: bool  # True: "by 24:00 of last_day"; else by until's time of day

    @classmethod
    def of(cls, until: datetime) -> By:
        local = to_cst(until)
        midnight = (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)
        return cls(until, last_day_cst(until), midnight)


def _by(until: datetime | None) -> By | None:
    return By.of(until) if until is not None else None


@dataclass(frozen=True)
class ShippingAnswer:
    """Who pays each leg (R2; R8 for an exchange: ``outbound_leg`` is the replacement's)."""

    return_leg: Party
    outbound_leg: Party
    rule: str = "R2"


@dataclass(frozen=True)
class MoneyBack:
    """What a refund pays back (R3.a): the goods, plus the shipping the merchant owes (R2).

    ``shipping_fen``: the shipping owed as known so far (the original delivery's share; once the
    return is shipped, its fee too). ``return_leg_refunded``: the merchant owes the return leg,
    so what the consumer paid the carrier comes back on top. ``total_fen``: what comes back
    (``approved``: the approved amount; else the most it can be, ``cap_fen``). ``split``: the
    money back to each tender (points and coupons in kind, Law art. 14-15)."""

    goods_fen: int
    shipping_fen: int
    return_leg_refunded: bool
    total_fen: int
    cap_fen: int
    split: tuple[TenderRefund, ...]
    approved: bool = False
    rule: str = "R3.a"


class Action(StrEnum):
    """What a consumer may ask for on a line (policy.md "Case kinds")."""

    NO_REASON_RETURN = "no_reason_return"  # R1
    NO_REASON_EXCHANGE = "no_reason_exchange"  # R1, R8
    QUALITY_RETURN = "quality_return"  # R1.c, R5
    QUALITY_EXCHANGE = "quality_exchange"  # R1.c, R8
    REPAIR = "repair"  # R4, R6
    REFUND_NOT_DELIVERED = "refund_not_delivered"  # R3 reading
    COMPLAINT = "complaint"  # R9


_ACTIONS: tuple[tuple[Action, CaseKind, Reason], ...] = (
    (Action.NO_REASON_RETURN, CaseKind.RETURN_REFUND, Reason.NO_REASON),
    (Action.NO_REASON_EXCHANGE, CaseKind.EXCHANGE, Reason.NO_REASON),
    (Action.QUALITY_RETURN, CaseKind.RETURN_REFUND, Reason.QUALITY_DEFECT),
    (Action.QUALITY_EXCHANGE, CaseKind.EXCHANGE, Reason.QUALITY_DEFECT),
    (Action.REPAIR, CaseKind.REPAIR, Reason.QUALITY_DEFECT),
    (Action.REFUND_NOT_DELIVERED, CaseKind.REFUND_ONLY, Reason.NOT_DELIVERED),
    (Action.COMPLAINT, CaseKind.COMPLAINT, Reason.SERVICE),
)


@dataclass(frozen=True)
class Option:
    """One thing the consumer can (``available``) or can no longer do on a line, with the rule
    that decided, the deadline (``by``: window or warranty end) and the domain's own sentence.

    ``free``: for a repair, whether it is free (in warranty, R6) or at the consumer's cost on a
    quote; None for other actions. ``exclusion_reason``: the merchant's published reason when an
    exclusion (R1.a / R1.b) refused."""

    action: Action
    kind: CaseKind
    reason: Reason
    available: bool
    rule: str
    by: By | None
    message: str
    free: bool | None = None
    exclusion_reason: str = ""


@dataclass(frozen=True)
class LineAnswer:
    line_no: int
    title: str
    category: str
    quantity: int  # units the answer is about (not yet under a refund-bearing case)
    delivered: bool
    options: tuple[Option, ...]
    parts: tuple[PartOffer, ...]  # R5: the whole unit, then the listed parts
    no_reason_shipping: ShippingAnswer
    quality_shipping: ShippingAnswer
    no_reason_money: MoneyBack
    quality_money: MoneyBack

    def option(self, action: Action) -> Option:
        return next(o for o in self.options if o.action is action)


@dataclass(frozen=True)
class OrderAnswer:
    order_no: str
    asked_at: datetime
    lines: tuple[LineAnswer, ...]


def _option(
    action: Action,
    kind: CaseKind,
    reason: Reason,
    line: OrderLine,
    terms: PolicyTerms,
    delivered_at: datetime | None,
    now: datetime,
    opened: bool,
) -> Option:
    verdict = rules.eligibility(kind, reason, line, terms, delivered_at, now, opened=opened)
    free: bool | None = None
    if kind is CaseKind.REPAIR and verdict.allowed:
        free = verdict.deadline is not None and now < verdict.deadline
    excluded = not verdict.allowed and verdict.rule in ("R1.a", "R1.b")
    exclusion = terms.exclusion_for(line.category) if excluded else None
    return Option(
        action,
        kind,
        reason,
        verdict.allowed,
        verdict.rule,
        _by(verdict.deadline),
        verdict.message,
        free,
        exclusion.reason if exclusion is not None else "",
    )


def _money(
    line: OrderLine, quantity: int, liability: rules.ShippingLiability, outbound_share_fen: int
) -> MoneyBack:
    goods = line.paid_for(quantity) if quantity else 0
    outbound = outbound_share_fen if liability.outbound_leg is Party.MERCHANT else 0
    cap = goods + outbound
    split = rules.split_refund(goods, line.tenders) if line.tenders else ()
    return MoneyBack(goods, outbound, liability.return_leg is Party.MERCHANT, cap, cap, split)


def about_line(
    line: OrderLine,
    terms: PolicyTerms,
    delivered_at: datetime | None,
    now: datetime,
    *,
    quantity: int | None = None,
    outbound_share_fen: int = 0,
    prior_returns_to_merchant: int = 0,
    bought_again_since_first_return: bool = False,
    opened: bool = False,
) -> LineAnswer:
    """R16: what the consumer can still do with ``quantity`` units of ``line`` (all by default)
    and until when, the parts' warranties (R5), the shipping (R2) and the money (R3.a)."""
    require_aware(now, "now")
    units = line.quantity if quantity is None else quantity
    options = tuple(
        _option(action, kind, reason, line, terms, delivered_at, now, opened)
        for action, kind, reason in _ACTIONS
    )
    no_reason, quality = (
        rules.shipping_liability(
            reason,
            None,
            prior_returns_to_merchant=prior_returns_to_merchant,
            bought_again_since_first_return=bought_again_since_first_return,
            free_return_shipping=terms.free_return_shipping,
        )
        for reason in (Reason.NO_REASON, Reason.QUALITY_DEFECT)
    )
    return LineAnswer(
        line.line_no,
        line.title,
        line.category,
        units,
        delivered_at is not None,
        options,
        parts_offered(line, terms, delivered_at),
        ShippingAnswer(no_reason.return_leg, no_reason.outbound_leg),
        ShippingAnswer(quality.return_leg, quality.outbound_leg),
        _money(line, units, no_reason, outbound_share_fen),
        _money(line, units, quality, outbound_share_fen),
    )


class OrderFacts(Protocol):
    """What ``about_order`` reads of an order (``domain.order.Order`` has it)."""

    @property
    def order_no(self) -> str: ...
    @property
    def lines(self) -> tuple[OrderLine, ...]: ...
    @property
    def delivered_at(self) -> datetime | None: ...

    def claimed_quantity(self, line_no: int) -> int: ...

    def outbound_share_fen(self, line_no: int, quantity: int) -> int: ...


def about_order(
    order: OrderFacts,
    terms: PolicyTerms,
    now: datetime,
    *,
    prior_returns_to_merchant: int = 0,
    bought_again_since_first_return: bool = False,
) -> OrderAnswer:
    """R16: ``about_line`` for every line of the order, over the units not yet under a
    refund-bearing case (R3.a: no unit is refunded twice)."""
    answers = []
    for line in order.lines:
        free = line.quantity - order.claimed_quantity(line.line_no)
        answers.append(
            about_line(
                line,
                terms,
                order.delivered_at,
                now,
                quantity=free,
                outbound_share_fen=order.outbound_share_fen(line.line_no, free) if free else 0,
                prior_returns_to_merchant=prior_returns_to_merchant,
                bought_again_since_first_return=bought_again_since_first_return,
            )
        )
    return OrderAnswer(order.order_no, now, tuple(answers))
