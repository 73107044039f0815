"""Routing (R20), notes (R21, P4), withdrawal, closing and rating (R18)."""

from __future__ import annotations

from datetime import datetime

from domain.case import events as ev
from domain.case.guards import CaseGuards, text_input
from domain.case_values import RulingOutcome
from domain.errors import CaseRuledFinal, IllegalTransition, InvalidInput, RatingNotAllowed
from domain.process import MOVES
from domain.process.moves import Move
from domain.values import Actor, CaseKind


class Ending(CaseGuards):
    def route(
        self,
        *,
        actor: Actor,
        at: datetime,
        queue: str,
        classified_kind: CaseKind,
        confidence_pct: int,
        reason: str,
    ) -> None:
        """R20: automatic triage (or a person overriding it) routes the case to a queue."""
        spec = self._begin(Move.ROUTE, actor, at)
        if (
            isinstance(confidence_pct, bool)
            or not isinstance(confidence_pct, int)
            or not 0 <= confidence_pct <= 100
        ):
            raise InvalidInput("confidence is a percentage 0-100", field="confidence_pct")
        name = text_input(queue, "queue", "R20", "name the queue")
        self._record(
            ev.Routed,
            spec.rule,
            actor=actor,
            at=at,
            queue=name,
            classified_kind=CaseKind(classified_kind),
            confidence_pct=confidence_pct,
            reason=reason.strip(),
            deadlines=tuple(self._keep()),
        )

    def add_note(self, *, actor: Actor, at: datetime, text: str, internal: bool) -> None:
        """R21 / P4: a note on the record; ``internal`` notes are hidden from the consumer."""
        spec = self._begin(Move.ADD_NOTE, actor, at)
        marking = next(i for i in MOVES[Move.ADD_NOTE].inputs if i.name == "internal")
        if internal and not marking.offered_to(actor.role):
            raise InvalidInput("only staff write internal notes", field="internal", rule="P4")
        body = text_input(text, "text", "R21", "a note needs text")
        self._record(
            ev.NoteAdded,
            spec.rule,
            actor=actor,
            at=at,
            reason=body,
            internal=internal,
            deadlines=tuple(self._keep()),
        )

    def _may_withdraw(self, actor: Actor) -> None:
        if self.refund is not None:
            raise IllegalTransition(
                "a refund was approved: the case can no longer be withdrawn", rule="R3"
            )

    def withdraw(self, *, actor: Actor, at: datetime, reason: str = "") -> None:
        """The consumer withdraws, before any refund is approved and before a ruling (R10)."""
        spec = self._begin(Move.WITHDRAW, actor, at)
        self._record(
            ev.Withdrawn, spec.rule, actor=actor, at=at, reason=reason.strip(), deadlines=()
        )

    def _ruling_pending(self) -> bool:
        assert self.ruling is not None
        if self.ruling.outcome in (RulingOutcome.EXCHANGE, RulingOutcome.REPAIR):
            return True  # carrying these out (ship_exchange, complete_repair) closes the case
        if self.ruling.refund_fen and not self.refund_paid:
            return True
        return bool(self.ruling.compensation_fen and not self.compensation_paid)

    def _before_close(self, actor: Actor) -> None:
        if self.status.is_terminal:
            raise IllegalTransition(
                f"case {self.case_no} is already {self.status.value}", rule="R21"
            )
        if self.ruling is not None and self._ruling_pending():
            raise CaseRuledFinal("the ruling has not been carried out yet")

    def close(self, *, actor: Actor, at: datetime, reason: str) -> None:
        """Close a case whose answer was given and not contested (rejection accepted, opinion
        given, inspection failure accepted, a ruling carried out)."""
        spec = self._begin(Move.CLOSE, actor, at)
        why = text_input(reason, "reason", "R21", "say why the case closes")
        outcome = self.outcome or "closed"
        self._record(
            ev.Closed, spec.rule, actor=actor, at=at, outcome=outcome, reason=why, deadlines=()
        )

    def _before_rate(self, actor: Actor) -> None:
        if not self.status.is_terminal or self.status.value != "closed":
            raise RatingNotAllowed(
                f"case {self.case_no} is {self.status.value}; rate it once it is closed"
            )
        if self.rating is not None:
            raise RatingNotAllowed(f"case {self.case_no} was rated already ({self.rating}/5)")

    def rate(self, *, actor: Actor, at: datetime, score: int, comment: str = "") -> None:
        """R18: the consumer rates a closed case once, 1-5."""
        spec = self._begin(Move.RATE, actor, at)
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            raise InvalidInput("a rating is a whole number from 1 to 5", field="score", rule="R18")
        self._record(
            ev.Rated,
            spec.rule,
            actor=actor,
            at=at,
            score=score,
            reason=comment.strip(),
            deadlines=tuple(self._keep()),
        )
