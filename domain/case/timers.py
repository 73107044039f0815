"""Timers: a deadline passed. The breach is recorded (R12.a, R15) and what policy says follows."""

from __future__ import annotations

from datetime import datetime

from domain.calendar import format_cst
from domain.case import events as ev
from domain.case.guards import CaseGuards
from domain.case_values import Status
from domain.deadlines import Clock
from domain.values import Actor, CaseKind, Reason, Role

TIMER = Actor(Role.SYSTEM, "timer")


class Timers(CaseGuards):
    def expire(self, *, clock: Clock, at: datetime) -> bool:
        """A deadline passed: record the breach (R12.a) and what policy says follows. Returns
        False (and records nothing) if that clock is not open, already breached, or not yet due."""
        clock = Clock(clock)
        deadline = self.deadlines.get(clock)
        if deadline is None or deadline.breached or at < deadline.due_at:
            return False
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
            f"{format_cst(deadline.due_at)}",
            deadlines=marked,
        )
        if self.ruling is not None and clock is not Clock.CONFIRM_RECEIPT:
            return True  # R10: only carrying the ruling out remains; receipt is part of that
        self._consequence(clock, deadline.rule, at)
        return True

    def _consequence(self, clock: Clock, rule: str, at: datetime) -> None:
        if (
            clock is Clock.MERCHANT_DECISION
            and self.status is Status.REQUESTED
            and self.reason_code is Reason.NO_REASON
            and self.kind in (CaseKind.RETURN_REFUND, CaseKind.EXCHANGE)
        ):
            self.accept(
                actor=TIMER,
                at=at,
                reason="R12.a: merchant silent past the deadline "
                "is taken to agree (逾期未处理视为同意)",
            )
        elif clock is Clock.CONFIRM_RECEIPT and self.status is Status.RETURN_DELIVERED:
            self.confirm_receipt(
                actor=TIMER,
                at=at,
                reason="R3: receipt taken as confirmed after the merchant's 24-hour deadline",
            )
        elif clock is Clock.CONSUMER_SHIP and self.status is Status.AWAITING_RETURN:
            self._close_now(TIMER, at, "not_shipped")
        elif clock in (Clock.MERCHANT_DECISION, Clock.PLATFORM_RESPONSE, Clock.REFUND_APPROVAL):
            queue = "platform" if clock is Clock.MERCHANT_DECISION else "platform_supervisor"
            self._record(
                ev.Routed,
                rule,
                actor=TIMER,
                at=at,
                queue=queue,
                classified_kind=self.kind,
                confidence_pct=100,
                reason=f"{rule}: escalated after the deadline passed",
                deadlines=tuple(self._keep()),
            )
