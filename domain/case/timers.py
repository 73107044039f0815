"""Timers: a deadline passed. The breach is recorded (R12.a, R15) and the consequence the process
declaration gives the case's state (or the overlay clock) follows: no open case can stall."""

from __future__ import annotations

from datetime import datetime

from domain.calendar import WorkingCalendar, end_of_natural_days, format_deadline_cst
from domain.case import events as ev
from domain.case.guards import PRC, CaseGuards
from domain.case_values import Status
from domain.deadlines import Clock, Deadline
from domain.process.states import OVERLAYS, Consequence, Effect, state_of
from domain.values import Actor, Reason, Responsibility, Role

TIMER = Actor(Role.SYSTEM, "timer")


class Timers(CaseGuards):
    def expire(
        self, *, clock: Clock, at: datetime, calendar: WorkingCalendar | None = None
    ) -> bool:
        """A deadline passed: record the breach and what policy says follows. Returns False
        (and records nothing) if that clock is not open, already breached, or not yet due."""
        clock = Clock(clock)
        deadline = self._breach(clock, at)
        if deadline is None:
            return False
        consequence = self._consequence_of(clock)
        if consequence is not None:
            self._follow(consequence, deadline, at, calendar or PRC)
        return True

    def expire_to_supervisor(self, *, clock: Clock, at: datetime, refusal: str) -> bool:
        """The declared consequence of ``clock`` was refused (say R3.a: the automatic refund
        approval finds the lines held by another case). The breach is recorded all the same and
        the case goes to the platform's supervisors with the refusal, so it never waits unseen
        and the timer does not try again on every run."""
        deadline = self._breach(Clock(clock), at)
        if deadline is None:
            return False
        why = f"{deadline.rule}: after the deadline {format_deadline_cst(deadline.due_at)}"
        self._route_to(
            "platform_supervisor",
            deadline.rule,
            at,
            f"{why}, what follows was refused ({refusal}): a supervisor decides",
            tuple(self._keep()),
        )
        return True

    def _breach(self, clock: Clock, at: datetime) -> Deadline | None:
        """Record that ``clock``'s deadline passed (R12.a: a breach is an event of its own) and
        return it; None, recording nothing, if it is not open, already breached or not yet due."""
        deadline = self.deadlines.get(clock)
        if deadline is None or deadline.breached or at < deadline.due_at:
            return None
        self._check_time(at)
        marked = tuple(d.as_breached() if d.name is clock else d for d in self.deadlines.values())
        self._record(
            ev.SlaBreached,
            deadline.rule,
            actor=TIMER,
            at=at,
            clock=clock,
            due_at=deadline.due_at,
            party=deadline.party,
            reason=f"{deadline.rule}: {deadline.party.value} missed the deadline "
            f"{format_deadline_cst(deadline.due_at)}",
            deadlines=marked,
        )
        return deadline

    def _consequence_of(self, clock: Clock) -> Consequence | None:
        """The state's consequence if ``clock`` is its own clock, else the overlay's."""
        state = state_of(self.kind, self.phase)
        if state is not None and state.clock is clock:
            return state.consequence
        return OVERLAYS.get(clock)

    def _follow(
        self, consequence: Consequence, deadline: Deadline, at: datetime, calendar: WorkingCalendar
    ) -> None:
        effect = consequence.effect
        why = f"{deadline.rule}: after the deadline {format_deadline_cst(deadline.due_at)}"
        if effect is Effect.AUTO_ACCEPT:
            self.accept(
                actor=TIMER,
                at=at,
                reason=f"{why}, the merchant is taken to agree (R12.a, 逾期未处理视为同意)",
            )
        elif effect is Effect.DEEM_DELIVERED:
            self._deem_delivered(consequence, deadline, at, why)
        elif effect is Effect.DEEM_RECEIVED:
            self.confirm_receipt(actor=TIMER, at=at, reason=f"{why}, receipt taken as confirmed")
        elif effect is Effect.DEEM_INSPECTION_PASSED:
            found = (
                Responsibility.NO_FAULT
                if self.reason_code is Reason.NO_REASON
                else Responsibility.PRODUCT_DEFECT
            )
            self.inspect(
                actor=TIMER,
                at=at,
                responsibility=found,
                findings=f"{why}, no finding against the consumer: taken as {found.value}",
            )
        elif effect is Effect.AUTO_APPROVE_REFUND:
            self.approve_refund(actor=TIMER, at=at, calendar=calendar, reason=why)
        elif effect is Effect.DEEM_DECLINED:
            self.answer_quote(actor=TIMER, at=at, accepted=False, reason=f"{why}, declined")
        elif effect is Effect.DEEM_GOODS_RECEIVED:
            self.confirm_goods_received(actor=TIMER, at=at, reason=f"{why}, taken as received")
        elif effect is Effect.EXCHANGE_BECOMES_REFUND:
            self._record(
                ev.TurnedIntoRefund,
                "R8",
                actor=TIMER,
                at=at,
                reason=f"{why}, no replacement was shipped: the exchange is refunded (P1)",
                deadlines=self._deadlines_to(Status.AWAITING_REFUND, at),
            )
        elif effect is Effect.CLOSE:
            self._close_now(TIMER, at, self.outcome or consequence.outcome, why)
        elif effect is Effect.ESCALATE:
            self._route_to(consequence.queue, deadline.rule, at, why, tuple(self._keep()))

    def _deem_delivered(
        self, consequence: Consequence, deadline: Deadline, at: datetime, why: str
    ) -> None:
        """R13/R25: the first time, the delivery date is extended once and the platform's
        logistics desk asks the carrier; the second time the tracked return is taken as delivered
        (the risk of a tracked shipment is the carrier's and the merchant's, not the consumer's)."""
        if self.breaches.count(Clock.RETURN_DELIVERY.value) < 2:
            days = self.terms.return_transit_days
            extended = Deadline.of(Clock.RETURN_DELIVERY, end_of_natural_days(at, days))
            kept = [d for d in self.deadlines.values() if d.name is not Clock.RETURN_DELIVERY]
            self._route_to(
                consequence.queue, deadline.rule, at, f"{why}, extended once", (*kept, extended)
            )
            return
        self.record_return_delivered(
            actor=TIMER, at=at, delivered_at=at, reason=f"{why}, taken as delivered"
        )

    def _route_to(
        self, queue: str, rule: str, at: datetime, why: str, deadlines: tuple[Deadline, ...]
    ) -> None:
        self._record(
            ev.Routed,
            rule,
            actor=TIMER,
            at=at,
            queue=queue,
            classified_kind=self.kind,
            confidence_pct=100,
            reason=why,
            deadlines=deadlines,
        )
