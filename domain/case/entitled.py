"""A case's refund entitlement and the deductions an approval states (R3.a, R2, R14, R10).

The pure rules are ``domain.entitlement``; this part of ``Case`` feeds them the case's facts:
its lines, who owes each shipping leg (R2, ``rules.shipping_liability``), the leg fees the
consumer declared and whether a receipt above the policy's unproven amount was accepted."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from domain import rules
from domain.case.guards import CaseGuards
from domain.entitlement import (
    DEDUCTION_RULES,
    Deduction,
    DeductionKind,
    Entitlement,
    EntitlementItemKind,
    Leg,
    UnstatedDeduction,
    check_amount,
    check_deductions,
    entitlement_of,
)
from domain.errors import CaseRuledFinal
from domain.values import CaseKind, Party, Reason


class Entitled(CaseGuards):
    @property
    def shipping_liability(self) -> rules.ShippingLiability:
        """R2 (R8 for each leg of an exchange): who pays the return and the outbound leg."""
        if self.kind is CaseKind.REFUND_ONLY and self.reason_code is Reason.NOT_DELIVERED:
            return rules.ShippingLiability(Party.MERCHANT, Party.MERCHANT, "R2")
        return rules.shipping_liability(
            self.reason_code,
            self.responsibility,
            prior_returns_to_merchant=self.prior_returns_to_merchant,
            bought_again_since_first_return=self.bought_again_since_first_return,
            free_return_shipping=self.terms.free_return_shipping,
        )

    @property
    def return_receipt_accepted(self) -> bool:
        """R2: an agent accepted the receipt of a return fee above the unproven amount."""
        return bool(vars(self).get("receipt_accepted_fen", 0))

    def entitlement(self) -> Entitlement:
        """R3.a + R2, itemised: each line's paid units, each owed leg (capped unless proven)."""
        liability = self.shipping_liability
        legs: list[Leg] = []
        owed_outside = vars(self).get("shipping_owed") or {}  # an exchange's leg owed already
        if (
            liability.return_leg is Party.MERCHANT
            and self.return_shipment is not None
            and "return_leg" not in owed_outside
        ):
            fee = self.return_shipment.fee_fen
            proven = vars(self).get("receipt_accepted_fen", 0) == fee
            legs.append(Leg(EntitlementItemKind.RETURN_LEG, fee, proven))
        if liability.outbound_leg is Party.MERCHANT:
            outbound = sum(line.outbound_share_fen for line in self.lines)
            # The original delivery's fee is a fact of the order, not a declaration: proven.
            legs.append(Leg(EntitlementItemKind.OUTBOUND_LEG, outbound, True))
        return entitlement_of(
            lines=[(line.line_no, line.paid_fen) for line in self.lines],
            legs=legs,
            unproven_leg_fee_fen=self.terms.unproven_leg_fee_fen,
            currency=self.terms.currency,
        )

    def stated_deductions(
        self,
        *,
        amount_fen: int | None,
        deductions: Sequence[Deduction | dict[str, Any]] = (),
        deduction_kind: Any = None,
        deduction_fen: int | None = None,
        deduction_evidence: str = "",
        reason: str = "",
    ) -> tuple[Entitlement, tuple[Deduction, ...], int]:
        """The entitlement, the deductions the approval states and the refund they leave.

        A deduction is entered by hand only of a kind the policy version publishes, with its
        precondition (``user_damage``: an R14 finding of user damage) and evidence; a ruling's
        lower amount is itemised as an ``arbitration_ruling`` deduction (R10). A stated amount
        must equal the entitlement less the deductions; anything else is refused (R3.a)."""
        entitlement = self.entitlement()
        stated = [d if isinstance(d, Deduction) else Deduction(**d) for d in deductions]
        if deduction_kind is not None or deduction_fen is not None:
            if deduction_kind is None or deduction_fen is None:
                raise UnstatedDeduction(
                    "a deduction names both its kind and its amount", field="deduction_kind"
                )
            kind = DeductionKind(deduction_kind)
            stated.append(
                Deduction(
                    kind,
                    deduction_fen,
                    DEDUCTION_RULES[kind].rule,
                    deduction_evidence or "",
                    reason.strip(),
                )
            )
        for d in stated:
            if not DEDUCTION_RULES[d.kind].entered_by_hand:
                raise UnstatedDeduction(
                    f"a {d.kind.value} deduction is recorded by the platform, not entered",
                    field="deduction_kind",
                )
        check_deductions(
            entitlement,
            stated,
            published=self.terms.deduction_kinds,
            responsibility=self.responsibility,
        )
        if self.ruling is not None:
            if amount_fen is not None and amount_fen != self.ruling.refund_fen:
                raise CaseRuledFinal(
                    f"the ruling fixed the refund at {self.ruling.refund_fen} fen; "
                    f"{amount_fen} fen would change it"
                )
            amount_fen = self.ruling.refund_fen
            short = entitlement.total_fen - sum(d.amount_fen for d in stated) - amount_fen
            if short > 0:
                stated.append(
                    Deduction(
                        DeductionKind.ARBITRATION_RULING,
                        short,
                        "R10",
                        f"ruling of case {self.case_no}",
                    )
                )
        if amount_fen is None:
            amount_fen = entitlement.total_fen - sum(d.amount_fen for d in stated)
        check_amount(entitlement, stated, amount_fen)
        return entitlement, tuple(stated), amount_fen
