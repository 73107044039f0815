"""Who a step of a case concerns (issue 9; P1, P4, R12, R21): the parties told of it, what kind
of notice it is, which notices a consumer cannot turn off, and which deadlines are announced
before they run out. Decided here once; the outbox projection and the notification worker read
it (they never re-derive who is told of what).

- Every step that is not internal reaches both parties of the case, the consumer and the
  merchant (P1, R21: the consumer sees each step), and whoever must act next: the owner of the
  state the step leads to (``domain.process.states``) and the party of every open deadline.
- An internal step (P4: a routing, a note marked internal) reaches platform staff only, and the
  merchant's own store when its staff wrote it; never the consumer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from types import MappingProxyType

from domain.case_values import Status
from domain.deadlines import Clock
from domain.process.states import state_of
from domain.values import CaseKind, Role

__all__ = [
    "INTERNAL_EVENTS",
    "REMINDERS",
    "RIGHTS_CLOCKS",
    "NoticeKind",
    "Reminder",
    "audience",
    "is_internal",
    "is_locked",
    "notice_kind",
]


class NoticeKind(StrEnum):
    """The kinds of notice a person chooses channels for."""

    NEW_CASE = "new_case"  # an application arrived (R12: the merchant's clock starts)
    STEP = "step"  # any other step of a case
    MONEY = "money"  # a refund or compensation approved, paid or failed (R3, R14)
    DEADLINE = "deadline"  # a deadline about to run out, or missed (R12, R12.a, R13)
    NOTE = "note"  # a note or evidence added (R21)


# P4: steps that are the platform's business whatever they carry.
INTERNAL_EVENTS = frozenset({"Routed"})

_MONEY_EVENTS = frozenset(
    {
        "RefundApproved",
        "RefundPaid",
        "RefundFailed",
        "CompensationGranted",
        "CompensationPaid",
        "TurnedIntoRefund",
    }
)
_NOTE_EVENTS = frozenset({"NoteAdded", "EvidenceSubmitted"})

# P1: the consumer's deadlines whose end costs the consumer a right (an unshipped return closes
# the case, an unanswered quote is declined, an undisputed rejection or opinion stands, goods are
# deemed received, the post-close window for a complaint ends). Notices about them cannot be
# turned off by the consumer.
RIGHTS_CLOCKS = frozenset(
    {
        Clock.CONSUMER_SHIP,
        Clock.QUOTE_ANSWER,
        Clock.CONSUMER_DISPUTE,
        Clock.CONSUMER_CONFIRM,
        Clock.POST_CLOSE,
    }
)


@dataclass(frozen=True)
class Reminder:
    """A deadline announced ``lead`` before it runs out, to the party that owes it."""

    clock: Clock
    party: Role
    lead: timedelta
    rule: str


REMINDERS: MappingProxyType[Clock, Reminder] = MappingProxyType(
    {
        # R12: the merchant accepts or rejects within 2 hours; told 30 minutes before.
        Clock.MERCHANT_DECISION: Reminder(
            Clock.MERCHANT_DECISION, Role.MERCHANT, timedelta(minutes=30), "R12"
        ),
        # R13 reading: an accepted return not shipped in time closes the case; told a day before.
        Clock.CONSUMER_SHIP: Reminder(Clock.CONSUMER_SHIP, Role.CONSUMER, timedelta(days=1), "R13"),
    }
)


def is_internal(event_name: str, marked_internal: bool) -> bool:
    """P4: whether a step is hidden from the consumer."""
    return event_name in INTERNAL_EVENTS or marked_internal


def notice_kind(event_name: str) -> NoticeKind:
    if event_name == "Opened":
        return NoticeKind.NEW_CASE
    if event_name == "SlaBreached":
        return NoticeKind.DEADLINE
    if event_name in _MONEY_EVENTS:
        return NoticeKind.MONEY
    if event_name in _NOTE_EVENTS:
        return NoticeKind.NOTE
    return NoticeKind.STEP


def _role(value: str) -> Role | None:
    try:
        return Role(value)
    except ValueError:
        return None


def audience(
    event_name: str,
    *,
    actor_role: Role,
    marked_internal: bool,
    kind: CaseKind,
    status: Status,
    deadline_parties: Iterable[str],
) -> frozenset[Role]:
    """The roles a step concerns (the system is nobody to tell).

    ``status`` is the case's status after the step; ``deadline_parties`` the parties of the
    deadlines open (not breached) after it.
    """
    if is_internal(event_name, marked_internal):
        staff = {Role.PLATFORM_AGENT}
        if actor_role is Role.MERCHANT:
            staff.add(Role.MERCHANT)  # the store's own internal note, for its colleagues
        return frozenset(staff)
    roles = {Role.CONSUMER, Role.MERCHANT}
    spec = state_of(kind, status)
    if spec is not None and spec.owner is not None:
        roles.add(spec.owner)
    for party in deadline_parties:
        role = _role(party)
        if role is not None:
            roles.add(role)
    roles.discard(Role.SYSTEM)
    return frozenset(roles)


def is_locked(role: Role, clocks: Iterable[str]) -> bool:
    """P1: a notice the consumer cannot turn off: one about a deadline of the consumer's that
    costs a right when missed (``clocks``: the consumer's clocks the notice is about, or that run
    after the step it tells of)."""
    rights = {c.value for c in RIGHTS_CLOCKS}
    return role is Role.CONSUMER and any(c in rights for c in clocks)
