"""The events of a case, version 2 (issue 7): see ``events_base`` for what every one carries
and how version 1 events are upcast; the money events are in ``events_money``."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from domain.case.events_base import Allowed, CaseEvent, _system_stand_in
from domain.case.events_money import (
    CompensationGranted,
    CompensationPaid,
    RefundApproved,
    TurnedIntoRefund,
)
from domain.case.events_tenders import (
    PaymentReopened,
    RefundFailed,
    RefundPaid,
    RefundRerouted,
    RefundRetried,
)
from domain.case_values import Status
from domain.process.moves import Move
from domain.values import Role

if TYPE_CHECKING:
    from domain.case.guards import CaseGuards as CaseBase

__all__ = [
    "Allowed",
    "CaseEvent",
    "CompensationGranted",
    "CompensationPaid",
    "PaymentReopened",
    "RefundApproved",
    "RefundFailed",
    "RefundPaid",
    "RefundRerouted",
    "RefundRetried",
    "TurnedIntoRefund",
]


class Accepted(CaseEvent):
    MOVE = Move.ACCEPT

    @classmethod
    def v1_rule(cls, state: dict[str, Any]) -> str:
        return _system_stand_in(state, "R12")


class Rejected(CaseEvent):
    MOVE = Move.REJECT
    LEADS_TO = Status.REJECTED

    def change(self, case: CaseBase) -> None:
        case.outcome = "rejected"


class ReturnShipped(CaseEvent):
    MOVE = Move.SHIP_RETURN
    LEADS_TO = Status.RETURN_IN_TRANSIT
    shipment: Any
    expected_delivery_at: datetime | None  # the carrier's estimate (R25), v2

    @classmethod
    def upcast_v1_v2(cls, state: dict[str, Any]) -> None:
        super().upcast_v1_v2(state)
        state["expected_delivery_at"] = None

    def change(self, case: CaseBase) -> None:
        case.return_shipment = self.shipment
        case.return_shipped_at = self.at


class ReturnDelivered(CaseEvent):
    MOVE = Move.RECORD_RETURN_DELIVERED
    LEADS_TO = Status.RETURN_DELIVERED
    delivered_at: datetime
    evidence: tuple[Any, ...]  # the consumer's proof of delivery (R13, R21), v2

    @classmethod
    def upcast_v1_v2(cls, state: dict[str, Any]) -> None:
        super().upcast_v1_v2(state)
        state["evidence"] = ()

    def change(self, case: CaseBase) -> None:
        case.return_delivered_at = self.delivered_at
        case.evidence.extend(self.evidence)


class ReceiptConfirmed(CaseEvent):
    MOVE = Move.CONFIRM_RECEIPT
    LEADS_TO = Status.RECEIVED

    def change(self, case: CaseBase) -> None:
        case.received_at = self.at


class Inspected(CaseEvent):
    MOVE = Move.INSPECT
    responsibility: Any
    evidence: tuple[Any, ...]
    on_site: bool

    def change(self, case: CaseBase) -> None:
        from domain.values import Responsibility

        case.responsibility = Responsibility(self.responsibility)
        case.evidence.extend(self.evidence)
        if self.status is not None and Status(self.status) is Status.INSPECTION_FAILED:
            case.outcome = "inspection_failed"


class RepairQuoted(CaseEvent):
    MOVE = Move.QUOTE_REPAIR
    LEADS_TO = Status.AWAITING_QUOTE_ANSWER
    fee_fen: int
    in_warranty: bool

    def change(self, case: CaseBase) -> None:
        case.repair_fee_fen = self.fee_fen


class QuoteAccepted(CaseEvent):
    MOVE = Move.ANSWER_QUOTE
    LEADS_TO = Status.REPAIRING
    fee_fen: int

    def change(self, case: CaseBase) -> None:
        case.quote_accepted_fen = self.fee_fen


class QuoteDeclined(CaseEvent):
    MOVE = Move.ANSWER_QUOTE
    LEADS_TO = Status.RETURNING_UNREPAIRED

    def change(self, case: CaseBase) -> None:
        case.repair_fee_fen = 0
        case.quote_accepted_fen = 0


class RepairCompleted(CaseEvent):
    """v2: the goods go back to the consumer (goods_returning); v1 closed at once after it."""

    MOVE = Move.COMPLETE_REPAIR
    repaired: bool
    shipment: Any
    fee_fen: int

    def change(self, case: CaseBase) -> None:
        case.goods_outcome = "repaired" if self.repaired else "returned_unrepaired"


class ExchangeShipped(CaseEvent):
    """v2: the replacement is on its way (goods_returning); v1 closed at once after it."""

    MOVE = Move.SHIP_EXCHANGE
    shipment: Any

    def change(self, case: CaseBase) -> None:
        case.goods_outcome = "exchanged"


class GoodsShippedBack(CaseEvent):
    """R14 / R6: goods that stay the consumer's go back (failed inspection, declined quote)."""

    MOVE = Move.SHIP_BACK
    LEADS_TO = Status.GOODS_RETURNING
    shipment: Any
    outcome: str

    def change(self, case: CaseBase) -> None:
        case.goods_outcome = self.outcome


class GoodsReceived(CaseEvent):
    """R7/R8 reading: the consumer confirmed (or is deemed to have confirmed) the goods arrived;
    a ``Closed`` with the stated outcome follows."""

    MOVE = Move.CONFIRM_GOODS_RECEIVED
    outcome: str


class ComplaintFiled(CaseEvent):
    MOVE = Move.FILE_COMPLAINT
    channel: Any

    def change(self, case: CaseBase) -> None:
        case.complaint_open = True


class ComplaintResponded(CaseEvent):
    MOVE = Move.RESPOND_TO_COMPLAINT


class OpinionGiven(CaseEvent):
    MOVE = Move.GIVE_OPINION

    def change(self, case: CaseBase) -> None:
        case.complaint_open = False


class EscalatedToArbitration(CaseEvent):
    MOVE = Move.ESCALATE
    LEADS_TO = Status.IN_ARBITRATION

    def change(self, case: CaseBase) -> None:
        case.status_before_arbitration = case.status
        case.outcome = ""  # the earlier answer is contested now (R10)


class EvidenceSubmitted(CaseEvent):
    MOVE = Move.SUBMIT_EVIDENCE
    evidence: tuple[Any, ...]

    def change(self, case: CaseBase) -> None:
        case.evidence.extend(self.evidence)


class Ruled(CaseEvent):
    MOVE = Move.RULE
    LEADS_TO = Status.RULED
    ruling: Any

    def change(self, case: CaseBase) -> None:
        case.ruling = self.ruling


class SlaBreached(CaseEvent):
    """A clock ran out. Its ``rule`` (also in version 1) is the clock's rule."""

    clock: Any
    due_at: datetime
    party: Role

    @classmethod
    def v1_rule(cls, state: dict[str, Any]) -> str:
        return str(state.get("rule") or "R12.a")

    def change(self, case: CaseBase) -> None:
        from domain.deadlines import Clock

        case.breaches.append(Clock(self.clock).value)


class Routed(CaseEvent):
    MOVE = Move.ROUTE
    queue: str
    classified_kind: Any
    confidence_pct: int

    def change(self, case: CaseBase) -> None:
        case.queue = self.queue


class NoteAdded(CaseEvent):
    MOVE = Move.ADD_NOTE
    internal: bool


class Withdrawn(CaseEvent):
    MOVE = Move.WITHDRAW
    LEADS_TO = Status.WITHDRAWN

    def change(self, case: CaseBase) -> None:
        case.outcome = "withdrawn"
        case.complaint_open = False


CLOSE_RULES: dict[str, str] = {
    "refunded": "R3",
    "repaired": "R7",
    "returned_unrepaired": "R6",
    "exchanged": "R8",
    "not_shipped": "R13",
    "dismissed": "R10",
    "compensated": "R10",
    "rejected": "R10",
    "opinion_given": "R10",
    "inspection_failed": "R14",
}


class Closed(CaseEvent):
    LEADS_TO = Status.CLOSED
    outcome: str

    @classmethod
    def v1_rule(cls, state: dict[str, Any]) -> str:
        return CLOSE_RULES.get(str(state.get("outcome", "")), "R21")

    def change(self, case: CaseBase) -> None:
        case.outcome = self.outcome
        case.complaint_open = False


class Rated(CaseEvent):
    MOVE = Move.RATE
    score: int

    def change(self, case: CaseBase) -> None:
        case.rating = self.score
