"""Fees around a case (issue 8): shipping the merchant owes for an exchange's or a repair's
inbound leg (R2, R8, R6) and the repair fee the consumer owes (R6), paid or waived.

A return or refund-only case pays its shipping inside the refund (``domain.case.entitled``);
an exchange or a repair has no refund, so the leg the merchant owes is recorded as
``ShippingOwed`` when the merchant ships the replacement (R8) or completes the repair (R7), and
settled by ``ShippingRepaid``. Who owes it:

- exchange: R2 for each leg (R8): the merchant owes the consumer's leg on fault, free returns or a
  returning buyer; the replacement's leg the merchant pays its carrier itself;
- repair: the merchant owes the consumer's send-in leg when the repair is free to the user (R6:
  in warranty and not user-caused, or transport damage, and no fee was accepted); the ship-back
  leg the merchant pays its carrier itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.case.entitled import Entitled
from domain.case.events_fees import (
    RepairFeePaid,
    RepairFeeWaived,
    ReturnReceiptAccepted,
    ShippingOwed,
    ShippingRepaid,
)
from domain.case.guards import text_input
from domain.case_values import Evidence
from domain.errors import IllegalTransition, InvalidInput, NotFound
from domain.values import Actor, CaseKind, Party, Responsibility, Role, TenderKind

_FEE_PAYERS = frozenset({Role.FINANCE, Role.MERCHANT, Role.SYSTEM})
_WAIVERS = frozenset({Role.FINANCE, Role.MERCHANT, Role.PLATFORM_AGENT})


class Fees(Entitled):
    # ------------------------------------------------------------------ R2, R8, R6 shipping owed
    def owed_legs(self) -> list[tuple[str, int, int, str]]:
        """(leg, owed, declared, rule) for each consumer-paid leg the merchant owes back outside
        a refund (exchange and repair cases)."""
        shipment = self.return_shipment
        if self.kind not in (CaseKind.EXCHANGE, CaseKind.REPAIR) or shipment is None:
            return []
        fee = shipment.fee_fen
        if not fee:
            return []
        if self.kind is CaseKind.EXCHANGE:
            owed_by_merchant = self.shipping_liability.return_leg is Party.MERCHANT
            rule = "R8"
        else:
            free = self.responsibility in (
                Responsibility.PRODUCT_DEFECT,
                Responsibility.TRANSPORT_DAMAGE,
            )
            owed_by_merchant = free and not self.quote_accepted_fen
            rule = "R6"
        if not owed_by_merchant:
            return []
        proven = vars(self).get("receipt_accepted_fen", 0) == fee
        owed = fee if proven else min(fee, self.terms.unproven_leg_fee_fen)
        return [("return_leg", owed, fee, rule)]

    def _owe_shipping(self, actor: Actor, at: datetime) -> None:
        """Record each owed leg once (called by ship_exchange and complete_repair)."""
        recorded = vars(self).get("shipping_owed") or {}
        for leg, owed, declared, rule in self.owed_legs():
            if leg in recorded:
                continue
            self._record(
                ShippingOwed,
                rule,
                actor=actor,
                at=at,
                leg=leg,
                amount_fen=owed,
                declared_fen=declared,
                reason="",
                deadlines=tuple(self._keep()),
            )

    def record_shipping_repaid(
        self, *, actor: Actor, at: datetime, leg: str, tender: Any, psp_reference: str
    ) -> None:
        """Finance paid an owed leg back to the consumer (R2)."""
        self._money_actor(actor, at, frozenset({Role.FINANCE, Role.SYSTEM}))
        owed = (vars(self).get("shipping_owed") or {}).get(leg)
        if owed is None:
            raise IllegalTransition(f"case {self.case_no} owes no {leg} shipping", rule="R2")
        if leg in (vars(self).get("shipping_repaid") or {}):
            raise IllegalTransition(f"the {leg} shipping was repaid already", rule="R2")
        ref = text_input(psp_reference, "psp_reference", "R2", "name the payment reference")
        self._record(
            ShippingRepaid,
            "R2",
            actor=actor,
            at=at,
            leg=leg,
            amount_fen=owed,
            tender=_money_tender(tender),
            psp_reference=ref,
            reason="",
            deadlines=tuple(self._keep()),
        )

    # ------------------------------------------------------------------ R2 a proven return fee
    def return_receipt_due(self) -> int:
        """R2 (issue 8): the declared return fee whose receipt an agent may accept now: above the
        policy's unproven amount, before the refund (or an exchange's or repair's owed leg) is
        fixed, once per case. Raises ``IllegalTransition`` naming R2 otherwise."""
        shipment = self.return_shipment
        if shipment is None or shipment.fee_fen <= self.terms.unproven_leg_fee_fen:
            raise IllegalTransition(
                f"case {self.case_no} has no return fee above the policy's unproven amount of "
                f"{self.terms.unproven_leg_fee_fen} fen: nothing to prove",
                rule="R2",
            )
        if self.refund is not None or vars(self).get("shipping_owed"):
            raise IllegalTransition(
                "the shipping owed was fixed already (refund approved or leg owed)", rule="R2"
            )
        if vars(self).get("receipt_accepted_fen"):
            raise IllegalTransition("the receipt was accepted already", rule="R2")
        return shipment.fee_fen

    def return_receipt_offer(self) -> tuple[int, int] | None:
        """(declared fee, unproven limit) when a receipt may be accepted now (R2), else None:
        what a page asks before it offers the form."""
        try:
            fee = self.return_receipt_due()
        except IllegalTransition:
            return None
        return fee, self.terms.unproven_leg_fee_fen

    def accept_return_receipt(
        self, *, actor: Actor, at: datetime, receipt: Evidence, reason: str = ""
    ) -> None:
        """R2 (issue 8): a platform agent accepts the carrier's receipt for a declared return fee
        above the policy's unproven amount, so the whole fee is owed."""
        self._money_actor(actor, at, frozenset({Role.PLATFORM_AGENT}))
        fee = self.return_receipt_due()
        if not isinstance(receipt, Evidence):
            raise InvalidInput("the receipt is an evidence file", field="receipt", rule="R2")
        self._record(
            ReturnReceiptAccepted,
            "R2",
            actor=actor,
            at=at,
            receipt=receipt,
            fee_fen=fee,
            reason=reason.strip(),
            deadlines=tuple(self._keep()),
        )

    # ------------------------------------------------------------------ R6 repair fee receivable
    @property
    def repair_fee_due(self) -> int:
        """R6: the fee the consumer accepted and the completed repair charged, not yet settled."""
        if vars(self).get("repair_fee_settled") or self.goods_outcome != "repaired":
            return 0
        return self.quote_accepted_fen

    def record_repair_fee_paid(
        self, *, actor: Actor, at: datetime, tender: Any, psp_reference: str
    ) -> None:
        self._money_actor(actor, at, _FEE_PAYERS)
        due = self._fee_due()
        ref = text_input(psp_reference, "psp_reference", "R6", "name the payment reference")
        self._record(
            RepairFeePaid,
            "R6",
            actor=actor,
            at=at,
            amount_fen=due,
            tender=_money_tender(tender),
            psp_reference=ref,
            reason="",
            deadlines=tuple(self._keep()),
        )

    def waive_repair_fee(self, *, actor: Actor, at: datetime, reason: str) -> None:
        self._money_actor(actor, at, _WAIVERS)
        due = self._fee_due()
        why = text_input(reason, "reason", "R6", "say why the fee is waived")
        self._record(
            RepairFeeWaived,
            "R6",
            actor=actor,
            at=at,
            amount_fen=due,
            reason=why,
            deadlines=tuple(self._keep()),
        )

    def _fee_due(self) -> int:
        settled = vars(self).get("repair_fee_settled")
        if settled:
            raise IllegalTransition(f"the repair fee was {settled} already", rule="R6")
        due = self.repair_fee_due
        if not due:
            raise IllegalTransition(
                f"case {self.case_no} has no repair fee due: a fee is owed once the consumer "
                "accepted it and the repair was completed",
                rule="R6",
            )
        return due

    def _money_actor(self, actor: Actor, at: datetime, roles: frozenset[Role]) -> None:
        self._check_time(at)
        if actor.role is Role.MERCHANT and actor.merchant_id != self.merchant_id:
            raise NotFound(f"no case {self.case_no} in your store")
        if actor.role not in roles:
            who = ", ".join(sorted(r.value for r in roles))
            raise IllegalTransition(
                f"a {actor.role.value} cannot record this (who may: {who})", rule="P2"
            )


def _money_tender(tender: Any) -> str:
    try:
        kind = TenderKind(tender)
    except ValueError:
        raise InvalidInput(
            f"unknown tender {tender!r}; one of card, wallet", field="tender"
        ) from None
    if kind.in_kind:
        raise InvalidInput(
            "shipping and repair fees move as money (card or wallet)",
            field="tender",
            code="fee_tender_not_money",
        )
    return kind.value
