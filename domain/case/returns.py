"""Acceptance (R12), the return leg (R13, R25, R3's 24 hours) and inspection (R14)."""

from __future__ import annotations

from datetime import datetime

from domain import rules
from domain.calendar import add_hours, end_of_natural_days, require_aware
from domain.case import events as ev
from domain.case.guards import CaseGuards, text_input
from domain.case_values import Evidence, RulingOutcome, Shipment, Status
from domain.deadlines import Clock, Deadline
from domain.errors import IllegalTransition, InvalidInput
from domain.process.declaration import MOVES
from domain.process.moves import Move
from domain.values import Actor, CaseKind, Responsibility, Role


class Returns(CaseGuards):
    # ------------------------------------------------------------------ R12 acceptance
    def accept(self, *, actor: Actor, at: datetime, reason: str = "") -> None:
        """R12: the merchant accepts (or, R12.a, the platform / system in its place)."""
        spec = self._begin(Move.ACCEPT, actor, at)
        nxt: list[Deadline] = self._keep(Clock.MERCHANT_DECISION, Clock.FIRST_RESPONSE)
        if self.kind is CaseKind.REFUND_ONLY:
            status = Status.AWAITING_REFUND
            nxt.append(Deadline.of(Clock.REFUND_APPROVAL, end_of_natural_days(at, 7)))
        else:
            status = Status.AWAITING_RETURN
            due = end_of_natural_days(at, self.terms.consumer_ship_days)
            nxt.append(Deadline.of(Clock.CONSUMER_SHIP, due))
        rule = spec.stand_in.rule if spec.stand_in and actor.role is Role.SYSTEM else spec.rule
        self._record(
            ev.Accepted,
            rule,
            actor=actor,
            at=at,
            reason=reason.strip(),
            status=status,
            deadlines=tuple(nxt),
        )

    def reject(self, *, actor: Actor, at: datetime, reason: str) -> None:
        """R12: a rejection always carries a reason."""
        spec = self._begin(Move.REJECT, actor, at)
        why = text_input(
            reason, "reason", "R12", "a rejection always gives its reason (拒绝须说明理由)"
        )
        nxt = tuple(self._keep(Clock.MERCHANT_DECISION, Clock.FIRST_RESPONSE))
        self._record(ev.Rejected, spec.rule, actor=actor, at=at, reason=why, deadlines=nxt)

    # ------------------------------------------------------------------ R13 return leg
    def ship_return(self, *, actor: Actor, at: datetime, shipment: Shipment) -> None:
        """R13/R25: the consumer ships the goods back with carrier and tracking number."""
        spec = self._begin(Move.SHIP_RETURN, actor, at)
        nxt = tuple(self._keep(Clock.CONSUMER_SHIP))
        self._record(
            ev.ReturnShipped,
            spec.rule,
            actor=actor,
            at=at,
            shipment=shipment,
            reason="",
            deadlines=nxt,
        )

    def record_return_delivered(
        self, *, actor: Actor, at: datetime, delivered_at: datetime
    ) -> None:
        """The carrier delivered the return to the merchant: the R3 24-hour clock starts."""
        spec = self._begin(Move.RECORD_RETURN_DELIVERED, actor, at)
        require_aware(delivered_at, "delivered_at")
        if delivered_at > at:
            raise InvalidInput(
                "a delivery cannot be recorded before it happens", field="delivered_at"
            )
        due = add_hours(delivered_at, self.terms.confirm_receipt_hours)
        nxt = (*self._keep(), Deadline.of(Clock.CONFIRM_RECEIPT, due))
        self._record(
            ev.ReturnDelivered,
            spec.rule,
            actor=actor,
            at=at,
            delivered_at=delivered_at,
            reason="",
            deadlines=nxt,
        )

    def confirm_receipt(self, *, actor: Actor, at: datetime, reason: str = "") -> None:
        """R3: the merchant confirms receipt within 24 hours of delivery back to it."""
        spec = self._begin(Move.CONFIRM_RECEIPT, actor, at)
        nxt = [*self._keep(Clock.CONFIRM_RECEIPT)]
        if self.kind is CaseKind.RETURN_REFUND or (
            self.ruling is not None and self.ruling.outcome is RulingOutcome.REFUND
        ):
            nxt.append(Deadline.of(Clock.REFUND_APPROVAL, rules.statutory_refund_deadline(at)))
        self._record(
            ev.ReceiptConfirmed,
            spec.rule,
            actor=actor,
            at=at,
            reason=reason.strip(),
            deadlines=tuple(nxt),
        )

    # ------------------------------------------------------------------ R14 inspection
    def _may_inspect(self, actor: Actor) -> None:
        if self.status is Status.AWAITING_RETURN and self.kind is not CaseKind.REPAIR:
            raise IllegalTransition(
                f"cannot inspect case {self.case_no} while it is awaiting_return (possible when "
                "received; only repairs are inspected on site, R7)",
                rule="R14",
            )

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
        responsible. The outcome follows: refund, exchange, repair, or repair plus compensation."""
        self._check_on_site(actor, on_site)
        spec = self._begin(Move.INSPECT, actor, at)
        if on_site != (self.status is Status.AWAITING_RETURN):
            wanted = Status.AWAITING_RETURN if on_site else Status.RECEIVED
            raise IllegalTransition(
                f"cannot inspect case {self.case_no} {'on site ' if on_site else ''}while it is "
                f"{self.status.value} (possible when {wanted.value})",
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
        nxt = self._keep(Clock.CONSUMER_SHIP)
        status = self._status_after_inspection(responsibility)
        if status is Status.AWAITING_REFUND and not any(
            d.name is Clock.REFUND_APPROVAL for d in nxt
        ):
            nxt.append(Deadline.of(Clock.REFUND_APPROVAL, rules.statutory_refund_deadline(at)))
        if status is not Status.AWAITING_REFUND:
            nxt = [d for d in nxt if d.name is not Clock.REFUND_APPROVAL]
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
            deadlines=tuple(nxt),
        )

    def _status_after_inspection(self, responsibility: Responsibility) -> Status:
        if self.kind is CaseKind.REPAIR:
            return Status.REPAIRING
        if responsibility is Responsibility.USER_DAMAGE:
            return Status.INSPECTION_FAILED
        if self.kind is CaseKind.EXCHANGE:
            return Status.AWAITING_EXCHANGE
        return Status.AWAITING_REFUND
