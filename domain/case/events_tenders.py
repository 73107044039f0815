"""The per-tender payment events of a refund (R3, R3.a, R21; ``domain.tenders``).

Version 3 of ``RefundPaid`` and ``RefundFailed`` names the tender. A version 2 event (one
payment for the whole refund) is upcast with ``tender`` ``None``: it paid, or failed, every money
tender still open; ``RefundPaid``'s ``amount_fen`` then becomes ``None`` (the v2 amount was the
refund's total, in kind included, and moves to ``refund_total_fen``) and it settles the refund.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from domain.case.events_base import CaseEvent
from domain.case_values import Status
from domain.process.moves import Move
from domain.tenders import PaymentStatus, changed, payments_of

if TYPE_CHECKING:
    from domain.case.guards import CaseGuards as CaseBase


def _changes(case: CaseBase) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = vars(case).get("tender_payments") or {}
    return found


def _open_tenders(case: CaseBase) -> list[str]:
    if case.refund is None:
        return []
    return [p.tender.value for p in payments_of(case.refund.split, _changes(case)) if p.open]


class RefundPaid(CaseEvent):
    """The provider confirmed one tender's payment (``tender``; ``None``: every open one) of
    ``amount_fen``; ``settles_refund`` when it was the last open payment of the refund of
    ``refund_total_fen``."""

    class_version = 3
    MOVE = Move.RECORD_REFUND_PAID
    psp_reference: str
    amount_fen: int
    tender: str | None
    paid_to: str | None
    settles_refund: bool
    refund_total_fen: int

    @classmethod
    def upcast_v2_v3(cls, state: dict[str, Any]) -> None:
        state["refund_total_fen"] = state.get("amount_fen")
        state["tender"] = None
        state["paid_to"] = None
        state["settles_refund"] = True

    def change(self, case: CaseBase) -> None:
        changes = _changes(case)
        for tender in [self.tender] if self.tender else _open_tenders(case):
            changes = changed(
                changes, tender, status=PaymentStatus.PAID.value, psp_reference=self.psp_reference
            )
        vars(case)["tender_payments"] = changes
        if self.settles_refund:
            case.refund_paid = True


class RefundFailed(CaseEvent):
    """One tender's payment failed (``tender``; ``None``: every one waiting for the provider);
    the R3 clock runs on."""

    class_version = 3
    MOVE = Move.RECORD_REFUND_FAILED
    LEADS_TO = Status.REFUND_FAILED
    tender: str | None

    @classmethod
    def upcast_v2_v3(cls, state: dict[str, Any]) -> None:
        state["tender"] = None

    def change(self, case: CaseBase) -> None:
        case.refund_attempts += 1
        changes = _changes(case)
        if case.refund is None:
            return
        payments = {p.tender.value: p for p in payments_of(case.refund.split, changes)}
        waiting = [t for t, p in payments.items() if p.status is PaymentStatus.DUE]
        for tender in [self.tender] if self.tender else waiting:
            attempts = payments[tender].failed_attempts + 1 if tender in payments else 1
            changes = changed(
                changes, tender, status=PaymentStatus.FAILED.value, failed_attempts=attempts
            )
        vars(case)["tender_payments"] = changes


class RefundRetried(CaseEvent):
    """A failed tender's payment is sent again (same tender, same amount)."""

    MOVE = Move.RETRY_REFUND_PAYMENT
    tender: str
    amount_fen: int

    def change(self, case: CaseBase) -> None:
        changes = changed(_changes(case), self.tender, status=PaymentStatus.DUE.value)
        vars(case)["tender_payments"] = changes


class RefundRerouted(CaseEvent):
    """A failed tender's payment goes to ``to_tender`` (the wallet) instead, with the consumer's
    consent: ``consent`` says how it was given (her own move on the case, or what finance
    recorded of it) and ``consent_by`` who gave it."""

    MOVE = Move.REROUTE_REFUND_PAYMENT
    tender: str
    from_tender: str
    to_tender: str
    amount_fen: int
    consent: str
    consent_by: str

    def change(self, case: CaseBase) -> None:
        changes = changed(
            _changes(case),
            self.tender,
            status=PaymentStatus.DUE.value,
            paid_to=self.to_tender,
            consent=self.consent,
        )
        vars(case)["tender_payments"] = changes


class PaymentReopened(CaseEvent):
    """A payment recorded as paid did not reach the consumer after all (the provider's report
    lacks it, or returned it): it is open again as failed, and a closed case reopens."""

    MOVE = Move.REOPEN_REFUND_PAYMENT
    LEADS_TO = Status.REFUND_FAILED
    tender: str
    paid_to: str
    amount_fen: int
    psp_reference: str

    def change(self, case: CaseBase) -> None:
        changes = changed(_changes(case), self.tender, status=PaymentStatus.FAILED.value)
        vars(case)["tender_payments"] = changes
        case.refund_paid = False
        case.outcome = ""
