"""The fee commands of the service (issue 8, R2, R6, R8): settle what is owed around a case,
through the same path as a move (idempotent by request id, one transaction)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from domain.case import Case
from domain.case_values import Evidence
from domain.values import Actor

if TYPE_CHECKING:
    from domain.service import Result


class FeeCommands:
    """Mixed into ``AfterSales``."""

    if TYPE_CHECKING:

        def _on_case(
            self,
            request_id: str,
            command: str,
            actor: Actor,
            case_no: str,
            move: Callable[[Case, datetime], Mapping[str, Any] | None],
        ) -> Result: ...

        def get_case(self, case_no: str) -> Case: ...

    def record_shipping_repaid(
        self,
        *,
        request_id: str,
        actor: Actor,
        case_no: str,
        tender: str,
        psp_reference: str,
        leg: str = "return_leg",
    ) -> Result:
        """R2/R8/R6: finance paid an owed shipping leg back to the consumer."""

        def move(case: Case, now: datetime) -> None:
            case.record_shipping_repaid(
                actor=actor, at=now, leg=leg, tender=tender, psp_reference=psp_reference
            )

        return self._on_case(request_id, "record_shipping_repaid", actor, case_no, move)

    def record_repair_fee_paid(
        self, *, request_id: str, actor: Actor, case_no: str, tender: str, psp_reference: str
    ) -> Result:
        """R6: the consumer paid the accepted repair fee."""

        def move(case: Case, now: datetime) -> None:
            case.record_repair_fee_paid(
                actor=actor, at=now, tender=tender, psp_reference=psp_reference
            )

        return self._on_case(request_id, "record_repair_fee_paid", actor, case_no, move)

    def accept_return_receipt(
        self,
        *,
        request_id: str,
        actor: Actor,
        case_no: str,
        receipt: Evidence,
        reason: str = "",
    ) -> Result:
        """R2: a platform agent accepts the receipt of a return fee above the unproven amount."""

        def move(case: Case, now: datetime) -> None:
            case.accept_return_receipt(actor=actor, at=now, receipt=receipt, reason=reason)

        return self._on_case(request_id, "accept_return_receipt", actor, case_no, move)

    def return_receipt_offer(self, case_no: str) -> tuple[int, int] | None:
        """R2: (declared return fee, the policy's unproven limit) when an agent may accept the
        fee's receipt on ``case_no`` now, else None (the domain decides; pages only ask)."""
        return self.get_case(case_no).return_receipt_offer()

    def waive_repair_fee(
        self, *, request_id: str, actor: Actor, case_no: str, reason: str
    ) -> Result:
        """R6: the merchant (or the platform) waives the accepted repair fee, with a reason."""

        def move(case: Case, now: datetime) -> None:
            case.waive_repair_fee(actor=actor, at=now, reason=reason)

        return self._on_case(request_id, "waive_repair_fee", actor, case_no, move)
