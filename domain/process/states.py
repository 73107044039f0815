"""Every state of every kind of case (issue 7): whose turn it is (``owner``), the clock that runs,
what the platform does when it runs out (``consequence``) and the queue the case sits in. No open
state is without all three, so no case can stall. Overlay clocks run beside a state's own clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from domain.case_values import Status
from domain.deadlines import Clock
from domain.values import CaseKind, Role


class Effect(StrEnum):
    AUTO_ACCEPT = "auto_accept"  # R12.a: a silent merchant is taken to agree
    DEEM_DELIVERED = "deem_delivered"  # R13/R25: extended once, then taken as delivered
    DEEM_RECEIVED = "deem_received"  # R3: receipt taken as confirmed
    DEEM_INSPECTION_PASSED = "deem_inspection_passed"  # R14: no finding against the consumer
    AUTO_APPROVE_REFUND = "auto_approve_refund"  # R3: the derived (or ruled) amount
    DEEM_DECLINED = "deem_declined"  # R6: an unanswered quote is declined, no fee
    DEEM_GOODS_RECEIVED = "deem_goods_received"  # R7/R8: closes with the stated outcome
    EXCHANGE_BECOMES_REFUND = "exchange_becomes_refund"  # R8, P1: no replacement, money back
    CLOSE = "close"  # with ``outcome``
    ESCALATE = "escalate"  # to ``queue``
    RECORD = "record"  # the breach is recorded (R12.a, R15, R22); nothing else moves


@dataclass(frozen=True)
class Consequence:
    effect: Effect
    outcome: str = ""  # CLOSE
    queue: str = ""  # ESCALATE; DEEM_DELIVERED's extension

    def describe(self) -> str:
        if self.effect is Effect.CLOSE:
            return f"close ({self.outcome})"
        if self.effect is Effect.ESCALATE:
            return f"escalate to {self.queue}"
        if self.effect is Effect.DEEM_DELIVERED:
            return f"extend once and route to {self.queue}; then deem delivered"
        return self.effect.value.replace("_", " ")


@dataclass(frozen=True)
class StateSpec:
    kind: CaseKind
    status: Status
    owner: Role | None  # None: terminal
    clock: Clock | None
    consequence: Consequence | None
    queue: str

    @property
    def terminal(self) -> bool:
        return self.owner is None


E = Effect
M, C, P, A, F = Role.MERCHANT, Role.CONSUMER, Role.PLATFORM_AGENT, Role.ARBITRATOR, Role.FINANCE
_ESC_PLATFORM = Consequence(E.ESCALATE, queue="platform")
_ESC_SUPERVISOR = Consequence(E.ESCALATE, queue="platform_supervisor")
_ESC_FINANCE = Consequence(E.ESCALATE, queue="finance_supervisor")

# status: (owner, clock, consequence, queue)
_BY_STATUS: dict[Status, tuple[Role, Clock, Consequence, str]] = {
    Status.REQUESTED: (M, Clock.MERCHANT_DECISION, Consequence(E.AUTO_ACCEPT), "merchant"),
    Status.REJECTED: (
        C,
        Clock.CONSUMER_DISPUTE,
        Consequence(E.CLOSE, outcome="rejected"),
        "consumer",
    ),
    Status.AWAITING_RETURN: (
        C,
        Clock.CONSUMER_SHIP,
        Consequence(E.CLOSE, outcome="not_shipped"),
        "consumer",
    ),
    Status.RETURN_IN_TRANSIT: (
        M,
        Clock.RETURN_DELIVERY,
        Consequence(E.DEEM_DELIVERED, queue="platform_logistics"),
        "merchant",
    ),
    Status.RETURN_DELIVERED: (M, Clock.CONFIRM_RECEIPT, Consequence(E.DEEM_RECEIVED), "merchant"),
    Status.RECEIVED: (M, Clock.INSPECTION, Consequence(E.DEEM_INSPECTION_PASSED), "merchant"),
    Status.INSPECTION_FAILED: (M, Clock.SHIP_BACK, _ESC_PLATFORM, "merchant"),
    Status.GOODS_RETURNING: (
        C,
        Clock.CONSUMER_CONFIRM,
        Consequence(E.DEEM_GOODS_RECEIVED),
        "consumer",
    ),
    Status.AWAITING_REFUND: (
        P,
        Clock.REFUND_APPROVAL,
        Consequence(E.AUTO_APPROVE_REFUND),
        "platform",
    ),
    Status.REFUND_APPROVED: (F, Clock.REFUND_PAYMENT, _ESC_FINANCE, "finance"),
    Status.REFUND_FAILED: (F, Clock.REFUND_PAYMENT, _ESC_FINANCE, "finance"),
    Status.AWAITING_EXCHANGE: (
        M,
        Clock.REPLACEMENT_SHIP,
        Consequence(E.EXCHANGE_BECOMES_REFUND),
        "merchant",
    ),
    Status.REPAIRING: (M, Clock.REPAIR_WORK, _ESC_PLATFORM, "merchant"),
    Status.AWAITING_QUOTE_ANSWER: (
        C,
        Clock.QUOTE_ANSWER,
        Consequence(E.DEEM_DECLINED),
        "consumer",
    ),
    Status.RETURNING_UNREPAIRED: (M, Clock.SHIP_BACK, _ESC_PLATFORM, "merchant"),
    Status.COMPLAINT_OPEN: (P, Clock.PLATFORM_RESPONSE, _ESC_SUPERVISOR, "platform"),
    Status.COMPLAINT_ANSWERED: (P, Clock.PLATFORM_OPINION, _ESC_SUPERVISOR, "platform"),
    Status.OPINION_GIVEN: (
        C,
        Clock.CONSUMER_DISPUTE,
        Consequence(E.CLOSE, outcome="opinion_given"),
        "consumer",
    ),
    Status.IN_ARBITRATION: (
        A,
        Clock.ARBITRATION,
        Consequence(E.ESCALATE, queue="arbitration_supervisor"),
        "arbitration",
    ),
    Status.AWAITING_COMPENSATION: (F, Clock.COMPENSATION_PAYMENT, _ESC_FINANCE, "finance"),
}

_COMPLAINT_STATES = frozenset(
    {
        Status.COMPLAINT_OPEN,
        Status.COMPLAINT_ANSWERED,
        Status.OPINION_GIVEN,
        Status.IN_ARBITRATION,
        Status.AWAITING_COMPENSATION,
    }
)
_TERMINAL = (Status.CLOSED, Status.WITHDRAWN)


def _kind_states(kind: CaseKind) -> frozenset[Status]:
    """A complaint never handles goods; any other kind may reach every goods state (an exchange
    may become a refund, a ruling may order a return, refund, exchange or repair: R10) and, by a
    complaint after closing, the complaint states."""
    if kind is CaseKind.COMPLAINT:
        return _COMPLAINT_STATES
    return frozenset(_BY_STATUS)


def _spec(kind: CaseKind, status: Status) -> StateSpec:
    if status in _TERMINAL:
        return StateSpec(kind, status, None, None, None, "")
    owner, clock, consequence, queue = _BY_STATUS[status]
    return StateSpec(kind, status, owner, clock, consequence, queue)


STATES: MappingProxyType[tuple[CaseKind, Status], StateSpec] = MappingProxyType(
    {
        (kind, status): _spec(kind, status)
        for kind in CaseKind
        for status in sorted(_kind_states(kind) | set(_TERMINAL), key=list(Status).index)
    }
)

# Clocks that run beside a state's own clock, and what their running out does.
OVERLAYS: MappingProxyType[Clock, Consequence] = MappingProxyType(
    {
        Clock.FIRST_RESPONSE: Consequence(E.RECORD),  # R12.a: breach recorded (R15, R22)
        Clock.STATUTORY_REFUND: _ESC_SUPERVISOR,  # R3, Law art. 13
        Clock.PLATFORM_RESPONSE: _ESC_SUPERVISOR,  # R9.a, a complaint on another kind's case
        Clock.PLATFORM_OPINION: _ESC_SUPERVISOR,
        Clock.POST_CLOSE: Consequence(E.RECORD),  # R9/R10 reading: the window's end recorded
    }
)

STATE_CLOCKS = frozenset(clock for _, clock, _, _ in _BY_STATUS.values())


def state_of(kind: CaseKind, status: Status) -> StateSpec | None:
    return STATES.get((kind, status))
