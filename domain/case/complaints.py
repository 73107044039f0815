"""Complaints (R9, R9.a) and arbitration (R10)."""

from __future__ import annotations

from datetime import datetime

from domain.calendar import add_hours, format_cst, format_deadline_cst
from domain.case import events as ev
from domain.case.guards import CaseGuards, carry_out_state, text_input
from domain.case_values import Evidence, Ruling, RulingOutcome, Status
from domain.deadlines import Clock, Deadline
from domain.errors import CaseRuledFinal, IllegalTransition, InvalidInput
from domain.process.moves import Move
from domain.process.states import STATE_CLOCKS
from domain.terms import COMPLAINT_OPINION_HOURS, COMPLAINT_RESPONSE_HOURS
from domain.values import Actor, Channel


class Complaints(CaseGuards):
    # ------------------------------------------------------------------ R9 complaints
    def _may_file_complaint(self, actor: Actor) -> None:
        if self.status is Status.WITHDRAWN:
            raise IllegalTransition("a withdrawn case takes no complaint", rule="R9")
        if self.complaint_open:
            raise IllegalTransition(
                "a complaint on this case is already open", rule="R9", code="complaint_open"
            )
        self._check_post_close("R9", None)

    def _check_post_close(self, rule: str, at: datetime | None) -> None:
        """R9/R10 reading: a closed case takes a complaint or an escalation within its
        post-close window (``post_close_days``), never after."""
        if self.status is not Status.CLOSED:
            return
        window = self.deadlines.get(Clock.POST_CLOSE)
        if window is None or window.breached or (at is not None and at >= window.due_at):
            ended = f" (it ended {format_deadline_cst(window.due_at)})" if window else ""
            raise IllegalTransition(
                f"case {self.case_no} is closed and its window for complaints and escalation "
                f"has ended{ended}",
                rule=rule,
                code="post_close_window_ended",
            )

    def _window_file_complaint(self, at: datetime) -> None:
        """R9: the post-close window ends at its due time, breached by the timer or not yet."""
        self._check_post_close("R9", at)

    def file_complaint(self, *, actor: Actor, at: datetime, channel: Channel, reason: str) -> None:
        """R9: a complaint attached to this case (from either channel) starts the R9.a clocks."""
        spec = self._begin(Move.FILE_COMPLAINT, actor, at)
        why = text_input(reason, "reason", "R9", "a complaint says what went wrong")
        clocks = (
            Deadline.of(Clock.PLATFORM_RESPONSE, add_hours(at, COMPLAINT_RESPONSE_HOURS)),
            Deadline.of(Clock.PLATFORM_OPINION, add_hours(at, COMPLAINT_OPINION_HOURS)),
        )
        reopen = self.status is Status.CLOSED  # R9: within the post-close window
        status = Status.COMPLAINT_OPEN if reopen else self.status
        drop = (Clock.POST_CLOSE,) if reopen else ()
        self._record(
            ev.ComplaintFiled,
            spec.rule,
            actor=actor,
            at=at,
            channel=Channel(channel),
            reason=why,
            status=status,
            deadlines=(*self._keep(*drop), *clocks),
        )

    def _may_respond_to_complaint(self, actor: Actor) -> None:
        if not self.complaint_open or Clock.PLATFORM_RESPONSE not in self.deadlines:
            raise IllegalTransition("no complaint waits for a first response", rule="R9.a")

    def respond_to_complaint(self, *, actor: Actor, at: datetime, reason: str) -> None:
        """R9.a: the platform responds within 24 hours."""
        spec = self._begin(Move.RESPOND_TO_COMPLAINT, actor, at)
        why = text_input(reason, "reason", "R9.a", "write the response")
        status = Status.COMPLAINT_ANSWERED if self.status is Status.COMPLAINT_OPEN else None
        self._record(
            ev.ComplaintResponded,
            spec.rule,
            actor=actor,
            at=at,
            reason=why,
            status=status or self.status,
            deadlines=self._deadlines_to(
                status or self.status, at, drop=(Clock.PLATFORM_RESPONSE,)
            ),
        )

    def _may_give_opinion(self, actor: Actor) -> None:
        if not self.complaint_open:
            raise IllegalTransition("no complaint is open on this case", rule="R9.a")
        if Clock.PLATFORM_RESPONSE in self.deadlines:
            raise IllegalTransition(
                "respond to the complaint before giving an opinion", rule="R9.a"
            )

    def give_opinion(self, *, actor: Actor, at: datetime, opinion: str) -> None:
        """R9.a: the platform's handling opinion (处理意见) within 72 hours."""
        spec = self._begin(Move.GIVE_OPINION, actor, at)
        why = text_input(opinion, "opinion", "R9.a", "write the handling opinion")
        # R10: after a final ruling the opinion goes on the record but moves nothing.
        complaint_state = self.status in (Status.COMPLAINT_OPEN, Status.COMPLAINT_ANSWERED)
        status = Status.OPINION_GIVEN if complaint_state and self.ruling is None else self.status
        self._record(
            ev.OpinionGiven,
            spec.rule,
            actor=actor,
            at=at,
            reason=why,
            status=status,
            deadlines=self._deadlines_to(
                status, at, drop=(Clock.PLATFORM_OPINION, Clock.PLATFORM_RESPONSE)
            ),
        )

    # ------------------------------------------------------------------ R10 arbitration
    def _before_escalate(self, actor: Actor) -> None:
        if self.status is Status.WITHDRAWN:
            raise IllegalTransition("a withdrawn case is not escalated", rule="R10")
        self._check_post_close("R10", None)
        if self.status in (Status.IN_ARBITRATION, Status.RULED):
            raise IllegalTransition(
                "this case is already with arbitration", rule="R10", code="in_arbitration"
            )
        if self.status is Status.REQUESTED:
            decision = self.deadlines.get(Clock.MERCHANT_DECISION)
            raise IllegalTransition(
                "negotiation has not failed yet: the merchant has not answered (R12 deadline "
                f"{format_cst(decision.due_at)})"
                if decision is not None
                else "negotiation has not failed yet",
                rule="R10",
                code="merchant_not_answered_yet",
            )

    def _window_escalate(self, at: datetime) -> None:
        """R10: as for a complaint, the post-close window ends at its due time."""
        self._check_post_close("R10", at)

    def escalate(self, *, actor: Actor, at: datetime, reason: str) -> None:
        """R10: when negotiation fails either party applies for third-party arbitration."""
        spec = self._begin(Move.ESCALATE, actor, at)
        why = text_input(reason, "reason", "R10", "say why negotiation failed")
        ends = {d.name for d in self.deadlines.values() if d.name in STATE_CLOCKS}
        self._record(
            ev.EscalatedToArbitration,
            spec.rule,
            actor=actor,
            at=at,
            reason=why,
            deadlines=self._deadlines_to(Status.IN_ARBITRATION, at, drop=(*ends, Clock.POST_CLOSE)),
        )

    def _before_submit_evidence(self, actor: Actor) -> None:
        if self.ruling is not None:  # R10: also while the ruling is being carried out
            raise CaseRuledFinal(
                f"case {self.case_no} was ruled by arbitration; the ruling is final and the "
                "record is closed to new evidence"
            )

    def submit_evidence(
        self, *, actor: Actor, at: datetime, evidence: tuple[Evidence, ...], reason: str
    ) -> None:
        """R21: either side adds evidence; each item is recorded by its content hash."""
        spec = self._begin(Move.SUBMIT_EVIDENCE, actor, at)
        if not evidence:
            raise InvalidInput("attach at least one item of evidence", field="evidence")
        rule = "R10" if self.status is Status.IN_ARBITRATION else spec.rule
        self._record(
            ev.EvidenceSubmitted,
            rule,
            actor=actor,
            at=at,
            evidence=tuple(evidence),
            reason=reason.strip(),
            deadlines=tuple(self._keep()),
        )

    def _before_rule(self, actor: Actor) -> None:
        if self.ruling is not None:
            raise CaseRuledFinal(f"case {self.case_no} was ruled already; the ruling is final")

    def rule(self, *, actor: Actor, at: datetime, ruling: Ruling, reasoning: str) -> None:
        """R10: the arbitrator's ruling is final."""
        spec = self._begin(Move.RULE, actor, at)
        why = text_input(reasoning, "reasoning", "R10", "a ruling gives its reasoning")
        goods = (RulingOutcome.REFUND, RulingOutcome.EXCHANGE, RulingOutcome.REPAIR)
        if ruling.outcome in goods and not self.lines:
            raise InvalidInput(
                f"this case covers no goods: a {ruling.outcome.value} cannot be ruled",
                field="outcome",
                rule="R10",
            )
        if ruling.return_required and ruling.outcome not in goods:
            raise InvalidInput(
                "only a refund, exchange or repair ruling requires the goods back",
                field="return_required",
                rule="R10",
            )
        if ruling.refund_fen:
            if self.refund is not None:
                raise IllegalTransition("a refund was approved already", rule="R3.a")
            self.refund_plan(ruling.refund_fen)  # R3.a: the cap binds arbitration too
        # R10: the case moves to the state that carries the ruling out.
        status = carry_out_state(ruling)
        if ruling.return_required:
            status = Status.AWAITING_RETURN
        if ruling.outcome is RulingOutcome.DISMISSED:
            status = Status.IN_ARBITRATION  # Closed follows at once
        ends = {d.name for d in self.deadlines.values() if d.name in STATE_CLOCKS}
        self._record(
            ev.Ruled,
            spec.rule,
            actor=actor,
            at=at,
            ruling=ruling,
            reason=why,
            status=status,
            deadlines=self._deadlines_to(status, at, drop=ends),
        )
        if ruling.outcome is RulingOutcome.DISMISSED:
            self._close_now(actor, at, "dismissed")
