"""Case aggregate: one after-sales case and its whole flow (policy.md R1-R22).

The process is declared once in ``domain.process``; ``Case``'s guards read it (``guards``), each
move checks its inputs and records one or more events (``events``: each carries the status it
leads to, the rule it applied, the moves allowed after it, the actor, the business time ``at``,
the reason and the deadlines open after it). The moves are grouped by concern: opening, returns
and inspection, repair, exchange, refunds and compensation, complaints and arbitration, ending,
timers. The class is defined here so its events keep their topics (``domain.case:Case.Accepted``)
whatever file their code lives in.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import Snapshot as LibrarySnapshot

from domain import ids
from domain.case import events as ev
from domain.case import opening
from domain.case.complaints import Complaints
from domain.case.ending import Ending
from domain.case.events_fees import (
    RepairFeePaid,
    RepairFeeWaived,
    ReturnReceiptAccepted,
    ShippingOwed,
    ShippingRepaid,
)
from domain.case.exchange import Exchanges
from domain.case.fees import Fees
from domain.case.refunds import Refunds
from domain.case.repair import Repairs
from domain.case.returns import Returns
from domain.case.tender_moves import TenderMoves
from domain.case.timers import Timers
from domain.case_values import CaseLine, Evidence, Status
from domain.chain import ChainedAggregate
from domain.deadlines import Clock
from domain.errors import InvalidInput
from domain.process.declaration import MOVES
from domain.process.moves import Move
from domain.terms import PolicyTerms
from domain.values import Actor, CaseKind, Channel, Reason, Responsibility


class Case(
    TenderMoves,
    Returns,
    Repairs,
    Exchanges,
    Refunds,
    Fees,
    Complaints,
    Ending,
    Timers,
    ChainedAggregate,
):
    """One after-sales case of one order (one or several of its lines)."""

    class Snapshot(LibrarySnapshot):
        """A snapshot's state comes back from JSON with enums as plain strings and tuples as
        lists; restore them so a case loaded from a snapshot is the case its events build."""

        def mutate(self, _: None) -> Case:
            case = cast("Case", super().mutate(_))
            case._restore_value_types()
            return case

    Opened = opening.Opened
    Accepted = ev.Accepted
    Rejected = ev.Rejected
    ReturnShipped = ev.ReturnShipped
    ReturnDelivered = ev.ReturnDelivered
    ReceiptConfirmed = ev.ReceiptConfirmed
    Inspected = ev.Inspected
    RepairQuoted = ev.RepairQuoted
    QuoteAccepted = ev.QuoteAccepted
    QuoteDeclined = ev.QuoteDeclined
    RepairCompleted = ev.RepairCompleted
    ExchangeShipped = ev.ExchangeShipped
    RefundApproved = ev.RefundApproved
    RefundPaid = ev.RefundPaid
    RefundFailed = ev.RefundFailed
    RefundRetried = ev.RefundRetried
    RefundRerouted = ev.RefundRerouted
    PaymentReopened = ev.PaymentReopened
    CompensationGranted = ev.CompensationGranted
    CompensationPaid = ev.CompensationPaid
    ComplaintFiled = ev.ComplaintFiled
    ComplaintResponded = ev.ComplaintResponded
    OpinionGiven = ev.OpinionGiven
    EscalatedToArbitration = ev.EscalatedToArbitration
    EvidenceSubmitted = ev.EvidenceSubmitted
    Ruled = ev.Ruled
    SlaBreached = ev.SlaBreached
    Routed = ev.Routed
    NoteAdded = ev.NoteAdded
    Withdrawn = ev.Withdrawn
    Closed = ev.Closed
    GoodsShippedBack = ev.GoodsShippedBack
    GoodsReceived = ev.GoodsReceived
    TurnedIntoRefund = ev.TurnedIntoRefund
    Rated = ev.Rated
    ShippingOwed = ShippingOwed  # issue 8: fees around the process (domain.case.fees)
    ShippingRepaid = ShippingRepaid
    RepairFeePaid = RepairFeePaid
    RepairFeeWaived = RepairFeeWaived
    ReturnReceiptAccepted = ReturnReceiptAccepted

    def ship_exchange(self, **inputs: Any) -> None:
        """R8, then R2 per leg: the consumer's leg the merchant owes (domain.case.fees)."""
        super().ship_exchange(**inputs)
        self._owe_shipping(inputs["actor"], inputs["at"])

    def complete_repair(self, **inputs: Any) -> None:
        """R7, then R6: the send-in leg the merchant owes for a free repair (domain.case.fees)."""
        super().complete_repair(**inputs)
        self._owe_shipping(inputs["actor"], inputs["at"])

    def __init__(self) -> None:
        """The starting state is set by ``Opened`` (its ``change``), for new and stored cases."""

    @staticmethod
    def create_id(case_no: str) -> UUID:
        return ids.case_id(case_no)

    @classmethod
    def open(
        cls,
        *,
        case_no: str,
        kind: CaseKind,
        reason_code: Reason,
        description: str,
        evidence: tuple[Evidence, ...],
        order_id: UUID,
        order_no: str,
        consumer_id: str,
        merchant_id: str,
        placed_at: datetime,
        delivered_at: datetime | None,
        lines: tuple[CaseLine, ...],
        policy_version: int,
        terms: PolicyTerms,
        prior_returns_to_merchant: int,
        bought_again_since_first_return: bool,
        first_application: bool,
        channel: Channel,
        component: str,
        actor: Actor,
        at: datetime,
        eligibility_lines: Iterable[Any] = (),
    ) -> Case:
        """Open a case after checking eligibility (R1, R1.a, R1.b, R1.c, R5) for every line.

        ``eligibility_lines`` are the ``OrderLine`` facts of ``lines`` (same order)."""
        if not case_no or not case_no.strip():
            raise InvalidInput("case_no is required", field="case_no")
        opening.check_opening(
            kind=kind,
            reason_code=reason_code,
            description=description,
            consumer_id=consumer_id,
            order_no=order_no,
            delivered_at=delivered_at,
            lines=lines,
            terms=terms,
            component=component,
            actor=actor,
            at=at,
            eligibility_lines=eligibility_lines,
        )
        complaint = kind is CaseKind.COMPLAINT
        fields: dict[str, Any] = dict(
            case_no=case_no,
            kind=kind,
            reason_code=reason_code,
            description=description.strip(),
            evidence=evidence,
            order_id=order_id,
            order_no=order_no,
            consumer_id=consumer_id,
            merchant_id=merchant_id,
            placed_at=placed_at,
            delivered_at=delivered_at,
            lines=lines,
            policy_version=policy_version,
            terms=terms,
            prior_returns_to_merchant=prior_returns_to_merchant,
            bought_again_since_first_return=bought_again_since_first_return,
            first_application=first_application,
            channel=channel,
            component=component,
            actor=actor,
            at=at,
            reason="",
            deadlines=opening.opening_deadlines(kind, terms, first_application, at),
            status=Status.COMPLAINT_OPEN if complaint else Status.REQUESTED,
            rule=opening.opening_rule(kind, reason_code),
        )
        shadow = object.__new__(cls)
        provisional = object.__new__(cls.Opened)
        object.__setattr__(provisional, "__dict__", {**fields, "allowed": None})
        provisional.apply(shadow)
        fields["allowed"] = shadow.allowed_by_role()
        return cls._create(cls.Opened, **fields)

    def _restore_value_types(self) -> None:
        self.kind = CaseKind(self.kind)
        self.reason_code = Reason(self.reason_code)
        self.channel = Channel(self.channel)
        self.status = Status(self.status)
        if self.responsibility is not None:
            self.responsibility = Responsibility(self.responsibility)
        state = vars(self)
        if "status_before_arbitration" in state:
            state["status_before_arbitration"] = Status(state["status_before_arbitration"])
        for name in ("return_shipped_at", "return_delivered_at"):
            state.setdefault(name, None)
        state.setdefault("queue", "")
        state.setdefault("goods_outcome", "")
        self.lines = tuple(self.lines)
        self.deadlines = {Clock(name): d for name, d in self.deadlines.items()}

    @property
    def is_no_reason(self) -> bool:
        return self.reason_code is Reason.NO_REASON


__all__ = ["MOVES", "Case", "Move"]
