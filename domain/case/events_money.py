"""The money events of a case (R3, R3.a, R14, R10): refunds and compensation (the per-tender
payment events are in ``events_tenders``)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from domain.case.events_base import CaseEvent, _due, _name
from domain.case_values import Status
from domain.entitlement import legacy
from domain.process.moves import Move

if TYPE_CHECKING:
    from domain.case.guards import CaseGuards as CaseBase


class TurnedIntoRefund(CaseEvent):
    """R8, P1: the merchant shipped no replacement in time; the exchange is refunded instead."""

    RULE = "R8"
    LEADS_TO = Status.AWAITING_REFUND


class RefundApproved(CaseEvent):
    """v2 also names both R3 clocks, so pages show both: the policy's working days after the
    approval and the statutory end (Law art. 13; None when no return was delivered back). The
    REFUND_PAYMENT deadline is the earlier one.

    v3 (issue 8, R3.a) carries the ``entitlement`` itemised and the ``deductions`` stated; the
    plan's total is the one less the other. A v2 event is upcast with its stored cap as one
    ``legacy_cap`` item and any shortfall below it as an ``unstated_legacy`` deduction, so the
    record shows that the old approval did not say why (``domain.entitlement.legacy``)."""

    class_version = 3

    MOVE = Move.APPROVE_REFUND
    LEADS_TO = Status.REFUND_APPROVED
    plan: Any
    entitlement: Any
    deductions: tuple[Any, ...]
    working_days_due_at: datetime | None
    statutory_due_at: datetime | None

    @classmethod
    def upcast_v1_v2(cls, state: dict[str, Any]) -> None:
        super().upcast_v1_v2(state)
        payment = [d for d in state.get("deadlines", ()) if _name(d) == "refund_payment"]
        state["working_days_due_at"] = _due(payment[0]) if payment else None
        state["statutory_due_at"] = None

    @classmethod
    def upcast_v2_v3(cls, state: dict[str, Any]) -> None:
        state["entitlement"], state["deductions"] = legacy(state["plan"])

    def change(self, case: CaseBase) -> None:
        case.refund = self.plan


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
