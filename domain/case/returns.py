"""Acceptance (R12), the return leg (R13, R25, R3's 24 hours and statutory ceiling) and
inspection (R14)."""

from __future__ import annotations

from datetime import datetime

from domain import rules
from domain.calendar import add_hours, end_of_natural_days, require_aware
from domain.case import events as ev
from domain.case.guards import CaseGuards, carry_out_state, text_input
from domain.case_values import Evidence, Shipment, Status
from domain.deadlines import Clock, Deadline
from domain.errors import IllegalTransition, InvalidInput
from domain.process.declaration import MOVES
from domain.process.moves import Move
from domain.values import Actor, CaseKind, Reason, Responsibility, Role


class Returns(CaseGuards):
    # ------------------------------------------------------------------ R12 acceptance
    def accept(self, *, actor: Actor, at: datetime, reason: str = "") -> None:
        """R12: the merchant accepts (or, R12.a, the platform / system in its place)."""
        spec = self._begin(Move.ACCEPT, actor, at)
        refund_only = self.kind is CaseKind.REFUND_ONLY
        status = Status.AWAITING_REFUND if refund_only else Status.AWAITING_RETURN
        rule = spec.stand_in.rule if spec.stand_in and actor.role is Role.SYSTEM else spec.rule
        self._record(
            ev.Accepted,
            rule,
            actor=actor,
            at=at,
            reason=reason.strip(),
            status=status,
            deadlines=self._deadlines_to(status, at, drop=(Clock.FIRST_RESPONSE,)),
        )

    def reject(self, *, actor: Actor, at: datetime, reason: str) -> None:
        """R12: a rejection always carries a reason; the consumer may dispute it (R10) within
        the dispute period, else it closes."""
        spec = self._begin(Move.REJECT, actor, at)
        why = text_input(
            reason, "reason", "R12", "a rejection always gives its reason (拒绝须说明理由)"
        )
        nxt = self._deadlines_to(Status.REJECTED, at, drop=(Clock.FIRST_RESPONSE,))
        self._record(ev.Rejected, spec.rule, actor=actor, at=at, reason=why, deadlines=nxt)

    # ------------------------------------------------------------------ R13 return leg
    def ship_return(
        self,
        *,
        actor: Actor,
        at: datetime,
        shipment: Shipment,
        expected_delivery_at: datetime | None = None,
    ) -> None:
        """R13/R25: the consumer ships the goods back with carrier and tracking number. The
        return is due by the carrier's expected delivery (its whole day), else by the end of
        ``return_transit_days`` natural days."""
        spec = self._begin(Move.SHIP_RETURN, actor, at)
        add: list[Deadline] = []
        if expected_delivery_at is not None:
            require_aware(expected_delivery_at, "expected_delivery_at")
            if expected_delivery_at < at:
                raise InvalidInput(
                    "the carrier's expected delivery cannot be before the shipping",
                    field="expected_delivery_at",
                    rule="R13",
                )
            due = end_of_natural_days(expected_delivery_at, 0)
            add.append(Deadline.of(Clock.RETURN_DELIVERY, due))
        self._record(
            ev.ReturnShipped,
            spec.rule,
            actor=actor,
            at=at,
            shipment=shipment,
            expected_delivery_at=expected_delivery_at,
            reason="",
            deadlines=self._deadlines_to(Status.RETURN_IN_TRANSIT, at, add=add),
        )

    def record_return_delivered(
        self,
        *,
        actor: Actor,
        at: datetime,
        delivered_at: datetime,
        evidence: tuple[Evidence, ...] = (),
        reason: str = "",
    ) -> None:
        """The return reached the merchant: R3's 24 hours to confirm receipt start, and for a
        refund R3's statutory ceiling (Law art. 13: 7 natural days from this delivery). The
        consumer may record it too, with proof (a carrier's delivery record, R21)."""
        spec = self._begin(Move.RECORD_RETURN_DELIVERED, actor, at)
        require_aware(delivered_at, "delivered_at")
        if delivered_at > at:
            raise InvalidInput(
                "a delivery cannot be recorded before it happens", field="delivered_at"
            )
        if actor.role is Role.CONSUMER and not evidence:
            raise InvalidInput(
                "R13: the consumer records the delivery with proof (the carrier's record)",
                rule="R13",
                field="evidence",
            )
        shipped = self.return_shipped_at
        if shipped is not None and delivered_at < shipped.replace(second=0, microsecond=0):
            raise InvalidInput(
                "a return cannot be delivered before it was shipped", field="delivered_at"
            )
        add = [Deadline.of(Clock.CONFIRM_RECEIPT, add_hours(delivered_at, self._receipt_hours()))]
        if self._refund_follows():
            add.append(
                Deadline.of(Clock.STATUTORY_REFUND, rules.statutory_refund_deadline(delivered_at))
            )
        self._record(
            ev.ReturnDelivered,
            spec.rule,
            actor=actor,
            at=at,
            delivered_at=delivered_at,
            evidence=tuple(evidence),
            reason=reason.strip(),
            deadlines=self._deadlines_to(
                Status.RETURN_DELIVERED, at, drop=(Clock.RETURN_DELIVERY,), add=add
            ),
        )

    def _receipt_hours(self) -> int:
        return self.terms.confirm_receipt_hours

    def _refund_follows(self) -> bool:
        """A return that ends in a refund: a return_refund case, or a ruled refund (R10)."""
        if self.ruling is not None:
            return self.ruling.outcome.value == "refund"
        return self.kind is CaseKind.RETURN_REFUND

    def confirm_receipt(self, *, actor: Actor, at: datetime, reason: str = "") -> None:
        """R3: the merchant confirms receipt within 24 hours of delivery back to it. Inspection
        follows (R14); after a ruling (R10), what the ruling ordered."""
        spec = self._begin(Move.CONFIRM_RECEIPT, actor, at)
        status = carry_out_state(self.ruling) if self.ruling is not None else Status.RECEIVED
        self._record(
            ev.ReceiptConfirmed,
            spec.rule,
            actor=actor,
            at=at,
            reason=reason.strip(),
            status=status,
            deadlines=self._deadlines_to(status, at),
        )

    # ------------------------------------------------------------------ R14 inspection
    def _may_inspect(self, actor: Actor) -> None:
        if self.phase is Status.AWAITING_RETURN and self.kind is not CaseKind.REPAIR:
            raise IllegalTransition(
                f"cannot inspect case {self.case_no} while it is awaiting_return (possible when "
                "received; only repairs are inspected on site, R7)",
                rule="R14",
            )
        if self.phase is Status.AWAITING_RETURN and actor.role is Role.SYSTEM:
            raise IllegalTransition("an on-site inspection is the merchant's", rule="R7")

    def _check_on_site(self, actor: Actor, on_site: bool) -> None:
        """R7: only repairs are inspected on site (refused before the state is looked at)."""
        self._check_party(actor, MOVES[Move.INSPECT])
        if on_site and self.kind is not CaseKind.REPAIR:
            raise IllegalTransition("only repairs can be inspected on site", rule="R7")

    def inspect(
        self,
        *,
        actor: Actor,
        at: datetime,
        responsibility: Responsibility,
        findings: str,
        evidence: tuple[Evidence, ...] = (),
        on_site: bool = False,
    ) -> None:
        """R14: inspect the returned (or, for repairs on site, visited) item and record who is
        responsible. The outcome follows: refund, exchange, repair, or the goods go back."""
        self._check_on_site(actor, on_site)
        spec = self._begin(Move.INSPECT, actor, at)
        if on_site != (self.phase is Status.AWAITING_RETURN):
            wanted = Status.AWAITING_RETURN if on_site else Status.RECEIVED
            raise IllegalTransition(
                f"cannot inspect case {self.case_no} {'on site ' if on_site else ''}while it is "
                f"{self.phase.value} (possible when {wanted.value})",
                rule="R7" if on_site else "R14",
            )
        responsibility = Responsibility(responsibility)
        why = text_input(findings, "findings", "R14", "an inspection records its findings")
        if (
            responsibility is Responsibility.USER_DAMAGE
            and not (evidence or self.evidence)
            and self.kind is not CaseKind.REPAIR
        ):
            raise InvalidInput(
                "R1: refusing a return for user damage needs evidence (photos, report)",
                rule="R1",
                field="evidence",
            )
        status = self._status_after_inspection(responsibility)
        self._record(
            ev.Inspected,
            spec.rule,
            actor=actor,
            at=at,
            responsibility=responsibility,
            reason=why,
            evidence=tuple(evidence),
            on_site=on_site,
            status=status,
            deadlines=self._deadlines_to(status, at, drop=(Clock.CONSUMER_SHIP,)),
        )

    def within_no_reason_window(self) -> bool:
        """R1: was the case opened inside the no-reason window (judged at opening)?"""
        if self.delivered_at is None:
            return False
        return self.opened_at < rules.no_reason_window_end(self.delivered_at, self.terms)

    def _status_after_inspection(self, responsibility: Responsibility) -> Status:
        if self.kind is CaseKind.REPAIR:
            return Status.REPAIRING
        if responsibility is Responsibility.USER_DAMAGE:
            return Status.INSPECTION_FAILED
        # R14: no fault on a quality claim. Outside the no-reason window the goods go back;
        # inside it, a no-reason return (R1; R2: the consumer pays the return leg).
        quality_claim = self.reason_code is not Reason.NO_REASON
        no_fault = responsibility is Responsibility.NO_FAULT
        if no_fault and quality_claim and not self.within_no_reason_window():
            return Status.INSPECTION_FAILED
        if self.kind is CaseKind.EXCHANGE:
            return Status.AWAITING_EXCHANGE
        return Status.AWAITING_REFUND
