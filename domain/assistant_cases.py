"""R16 / R21 assistant, about a case: where the consumer's case stands, whose turn it is and by
which last day, who pays the shipping (R2) and what the refund is (R3.a), from the case's own facts
(``domain.assistant`` answers about orders; the shared answer values live there)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from domain import rules
from domain.assistant import By, MoneyBack, ShippingAnswer
from domain.calendar import require_aware
from domain.errors import DomainError
from domain.terms import PolicyTerms
from domain.values import CaseKind, Party, Reason, Responsibility, Role


@dataclass(frozen=True)
class DeadlineAnswer:
    """An open clock of the case: who must act, under which rule, by when (R21)."""

    clock: str
    party: Role
    rule: str
    by: By
    yours: bool  # the consumer must act
    overdue: bool
    breached: bool


@dataclass(frozen=True)
class CaseAnswer:
    case_no: str
    kind: CaseKind
    status: str
    finished: bool
    your_turn: bool  # some open clock waits for the consumer
    deadlines: tuple[DeadlineAnswer, ...]  # earliest first
    shipping: ShippingAnswer | None  # None for a complaint
    money: MoneyBack | None  # the refund (approved plan, else the most it can be); None: none
    refund_approved: bool
    refund_paid: bool


class CaseFacts(Protocol):
    """What ``about_case`` reads of a case (``domain.case.Case`` has it)."""

    @property
    def case_no(self) -> str: ...
    @property
    def kind(self) -> CaseKind: ...
    @property
    def status(self) -> Any: ...
    @property
    def reason_code(self) -> Reason: ...
    @property
    def responsibility(self) -> Responsibility | None: ...
    @property
    def terms(self) -> PolicyTerms: ...
    @property
    def prior_returns_to_merchant(self) -> int: ...
    @property
    def bought_again_since_first_return(self) -> bool: ...
    @property
    def deadlines(self) -> Mapping[Any, Any]: ...
    @property
    def refund(self) -> Any: ...
    @property
    def refund_paid(self) -> bool: ...

    def refund_plan(self, amount_fen: int | None = None) -> Any: ...


_REFUND_KINDS = (CaseKind.RETURN_REFUND, CaseKind.REFUND_ONLY)


def about_case(case: CaseFacts, now: datetime) -> CaseAnswer:
    """R16 / R21: where the consumer's case stands: the open clocks (theirs first to act on),
    who pays the shipping (R2, after inspection its finding, R14) and the refund (R3.a)."""
    require_aware(now, "now")
    status = str(getattr(case.status, "value", case.status))
    finished = status in ("closed", "withdrawn")
    deadlines = tuple(
        sorted(
            (
                DeadlineAnswer(
                    str(getattr(d.name, "value", d.name)),
                    Role(d.party),
                    d.rule,
                    By.of(d.due_at),
                    Role(d.party) is Role.CONSUMER,
                    now >= d.due_at,
                    bool(d.breached),
                )
                for d in ([] if finished else case.deadlines.values())
            ),
            key=lambda a: a.by.until,
        )
    )
    shipping: ShippingAnswer | None = None
    money: MoneyBack | None = None
    if case.kind is not CaseKind.COMPLAINT:
        liability = rules.shipping_liability(
            case.reason_code,
            case.responsibility,
            prior_returns_to_merchant=case.prior_returns_to_merchant,
            bought_again_since_first_return=case.bought_again_since_first_return,
            free_return_shipping=case.terms.free_return_shipping,
        )
        shipping = ShippingAnswer(liability.return_leg, liability.outbound_leg)
    plan = case.refund
    if plan is None and case.kind in _REFUND_KINDS and not finished:
        try:
            plan = case.refund_plan()
        except DomainError:
            plan = None
    if plan is not None:
        money = MoneyBack(
            plan.goods_fen,
            plan.shipping_fen,
            Party(plan.return_leg_payer) is Party.MERCHANT,
            plan.total_fen,
            plan.cap_fen,
            tuple(plan.split),
            case.refund is not None,
        )
        shipping = ShippingAnswer(Party(plan.return_leg_payer), Party(plan.outbound_leg_payer))
    return CaseAnswer(
        case.case_no,
        CaseKind(case.kind),
        status,
        finished,
        any(d.yours and not d.overdue for d in deadlines),
        deadlines,
        shipping,
        money,
        case.refund is not None,
        bool(case.refund_paid),
    )
