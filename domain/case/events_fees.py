"""The fee events of a case (issue 8): shipping the merchant owes the consumer for an exchange or
repair leg (R2, R8, R6), and a repair fee the consumer owes the merchant (R6) paid or waived.

They are not moves of the process (``domain.process``): they settle money around it and may come
after the case closed; each names its rule and carries actor, ``at`` and reason like every case
event. ``status`` stays as it was."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from domain.case.events_base import CaseEvent

if TYPE_CHECKING:
    from domain.case.guards import CaseGuards as CaseBase


class ShippingOwed(CaseEvent):
    """R2 / R8 / R6: a leg the consumer paid the carrier for and the merchant owes back: capped
    at the policy's unproven amount unless its receipt was accepted (docs/money.md)."""

    RULE = "R2"
    leg: str  # return_leg: the goods sent in for an exchange or repair
    amount_fen: int
    declared_fen: int

    def change(self, case: CaseBase) -> None:
        owed = dict(vars(case).get("shipping_owed") or {})
        owed[self.leg] = self.amount_fen
        vars(case)["shipping_owed"] = owed


class ShippingRepaid(CaseEvent):
    """Finance paid an owed leg back to the consumer (tender and payment reference)."""

    RULE = "R2"
    leg: str
    amount_fen: int
    tender: str
    psp_reference: str

    def change(self, case: CaseBase) -> None:
        repaid = dict(vars(case).get("shipping_repaid") or {})
        repaid[self.leg] = self.amount_fen
        vars(case)["shipping_repaid"] = repaid


class RepairFeePaid(CaseEvent):
    """R6: the consumer paid the repair fee they accepted (tender and reference)."""

    RULE = "R6"
    amount_fen: int
    tender: str
    psp_reference: str

    def change(self, case: CaseBase) -> None:
        vars(case)["repair_fee_settled"] = "paid"


class RepairFeeWaived(CaseEvent):
    """R6: the merchant (or the platform) waived the accepted repair fee, with its reason."""

    RULE = "R6"
    amount_fen: int

    def change(self, case: CaseBase) -> None:
        vars(case)["repair_fee_settled"] = "waived"


class ReturnReceiptAccepted(CaseEvent):
    """R2 (issue 8): an agent accepted the carrier's receipt for a declared return fee above the
    policy's unproven amount; the fee is owed in full from now on (docs/money.md)."""

    RULE = "R2"
    receipt: Any  # Evidence: the receipt, by SHA-256
    fee_fen: int

    def change(self, case: CaseBase) -> None:
        vars(case)["receipt_accepted_fen"] = self.fee_fen
