"""The events of a case, version 2 (issue 7): each carries the status it leads to (``status``),
the rule it applied (``rule``) and the moves each role may make after it (``allowed``), besides
who acted (``actor``), when (``at``), why (``reason``) and the deadlines open after it.

Version 1 events (stored before the process declaration) are upcast: ``status`` from the event
where it said so (its own field, or the one state its kind always led to), else ``None`` for
"unchanged"; ``rule`` from the declaration; ``allowed`` ``None`` (unknown). Upcasting happens
when events are read for replay; the hash chain is verified over the stored (not upcast) bytes.

Each class's ``change`` applies what is particular to it; ``apply`` then sets the common facts.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from domain.case_values import Status
from domain.chain import ChainedAggregate
from domain.deadlines import Deadline
from domain.process.declaration import MOVES
from domain.process.moves import Move
from domain.values import Actor, Role

if TYPE_CHECKING:
    from domain.case.base import CaseBase

Allowed = dict[str, list[str]]


class CaseEvent(ChainedAggregate.Event):
    """Common to every Case event from version 2 on."""

    class_version = 2

    actor: Actor
    at: datetime
    reason: str
    deadlines: tuple[Deadline, ...]
    status: Status | None
    rule: str
    allowed: Allowed | None

    LEADS_TO: ClassVar[Status | None] = None  # the state this kind of event always leads to
    MOVE: ClassVar[Move | None] = None  # the move that records it (for the v1 rule)
    RULE: ClassVar[str] = "R21"  # the rule when no move names one

    @classmethod
    def upcast_v1_v2(cls, state: dict[str, Any]) -> None:
        if state.get("status") is None:
            state["status"] = cls.LEADS_TO.value if cls.LEADS_TO is not None else None
        state["rule"] = cls.v1_rule(state)
        state["allowed"] = None

    @classmethod
    def v1_rule(cls, state: dict[str, Any]) -> str:
        return MOVES[cls.MOVE].rule if cls.MOVE is not None else cls.RULE

    def apply(self, aggregate: Any) -> None:
        case: CaseBase = aggregate
        self.change(case)
        case.updated_at = self.at
        case.deadlines = {d.name: d for d in self.deadlines}
        if self.status is not None:
            case.status = Status(self.status)

    def change(self, case: CaseBase) -> None:
        """What this kind of event changes besides time, deadlines and status."""


def _name(deadline: Any) -> str:
    value = deadline.get("name") if isinstance(deadline, dict) else getattr(deadline, "name", "")
    return str(getattr(value, "value", value))


def _due(deadline: Any) -> Any:
    return deadline.get("due_at") if isinstance(deadline, dict) else deadline.due_at


def _system_stand_in(state: dict[str, Any], rule: str) -> str:
    actor = state.get("actor")
    role = getattr(actor, "role", None)
    return "R12.a" if role is not None and Role(role) is Role.SYSTEM else rule


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


class TurnedIntoRefund(CaseEvent):
    """R8, P1: the merchant shipped no replacement in time; the exchange is refunded instead."""

    RULE = "R8"
    LEADS_TO = Status.AWAITING_REFUND


class RefundApproved(CaseEvent):
    """v2 also names both R3 clocks, so pages show both: the policy's working days after the
    approval and the statutory end (Law art. 13; None when no return was delivered back). The
    REFUND_PAYMENT deadline is the earlier one."""

    MOVE = Move.APPROVE_REFUND
    LEADS_TO = Status.REFUND_APPROVED
    plan: Any
    working_days_due_at: datetime | None
    statutory_due_at: datetime | None

    @classmethod
    def upcast_v1_v2(cls, state: dict[str, Any]) -> None:
        super().upcast_v1_v2(state)
        payment = [d for d in state.get("deadlines", ()) if _name(d) == "refund_payment"]
        state["working_days_due_at"] = _due(payment[0]) if payment else None
        state["statutory_due_at"] = None

    def change(self, case: CaseBase) -> None:
        case.refund = self.plan


class RefundPaid(CaseEvent):
    MOVE = Move.RECORD_REFUND_PAID
    psp_reference: str
    amount_fen: int

    def change(self, case: CaseBase) -> None:
        case.refund_paid = True


class RefundFailed(CaseEvent):
    MOVE = Move.RECORD_REFUND_FAILED
    LEADS_TO = Status.REFUND_FAILED

    def change(self, case: CaseBase) -> None:
        case.refund_attempts += 1


class CompensationGranted(CaseEvent):
    MOVE = Move.GRANT_COMPENSATION
    amount_fen: int

    def change(self, case: CaseBase) -> None:
        case.compensation_fen = self.amount_fen


class CompensationPaid(CaseEvent):
    MOVE = Move.RECORD_COMPENSATION_PAID
    amount_fen: int
    psp_reference: str

    def change(self, case: CaseBase) -> None:
        case.compensation_paid = True


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
