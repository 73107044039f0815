"""Repairs: the quote (R6) and the work (R7)."""

from __future__ import annotations

from datetime import datetime

from domain import rules
from domain.case import events as ev
from domain.case.guards import CaseGuards, text_input
from domain.case_values import Shipment, Status
from domain.errors import CaseRuledFinal, IllegalTransition, InvalidInput
from domain.process.moves import Move
from domain.values import Actor, Role


class Repairs(CaseGuards):
    def in_warranty(self, at: datetime) -> bool:
        if self.delivered_at is None:
            return False
        category = self.lines[0].category if self.lines else ""  # R5 the line's parts
        months = self.terms.warranty_months_for(self.component, category)
        return at < rules.warranty_end(self.delivered_at, months)

    def _needs_consent(self) -> bool:
        """R6: out of warranty or user-caused, the user accepts a quoted fee before work starts
        (the warranty is judged when the repair was requested)."""
        if self.responsibility is None:
            return True
        charge = rules.repair_charge(
            in_warranty=self.in_warranty(self.opened_at),
            responsibility=self.responsibility,
            quoted_fee_fen=0,
            fee_cap_fen=None,
        )
        return charge.needs_consent

    def _may_quote_repair(self, actor: Actor) -> None:
        if self.responsibility is None:
            raise IllegalTransition("inspect the item before quoting", rule="R7")
        if self.repair_fee_fen:
            raise IllegalTransition("this repair has been quoted already", rule="R6")
        if not self._needs_consent():
            raise IllegalTransition(
                "this repair is free (in warranty and not user-caused): nothing to quote",
                rule="R6",
            )

    def quote_repair(
        self, *, actor: Actor, at: datetime, fee_fen: int | None, reason: str = ""
    ) -> None:
        """R6: after inspection, the repair is free (in warranty, not user-caused) or the user is
        quoted a fee to accept or decline before work starts."""
        spec = self._begin(Move.QUOTE_REPAIR, actor, at)
        assert self.responsibility is not None
        in_warranty = self.in_warranty(self.opened_at)
        charge = rules.repair_charge(
            in_warranty=in_warranty,
            responsibility=self.responsibility,
            quoted_fee_fen=fee_fen,
            fee_cap_fen=self.terms.repair_fee_cap_fen,
        )
        self._record(
            ev.RepairQuoted,
            spec.rule,
            actor=actor,
            at=at,
            fee_fen=charge.fee_fen,
            in_warranty=in_warranty,
            reason=reason.strip() or charge.rule,
            deadlines=self._deadlines_to(Status.AWAITING_QUOTE_ANSWER, at),
        )

    def answer_quote(self, *, actor: Actor, at: datetime, accepted: bool, reason: str = "") -> None:
        """R6 reading: the consumer accepts or declines the quoted fee before work starts."""
        spec = self._begin(Move.ANSWER_QUOTE, actor, at)
        if accepted and actor.role is not Role.CONSUMER:
            raise InvalidInput("only the consumer accepts a fee (R6)", field="accepted", rule="R6")
        if accepted:
            self._record(
                ev.QuoteAccepted,
                spec.rule,
                actor=actor,
                at=at,
                fee_fen=self.repair_fee_fen,
                reason=reason,
                deadlines=self._deadlines_to(Status.REPAIRING, at),
            )
        else:
            self._record(
                ev.QuoteDeclined,
                spec.rule,
                actor=actor,
                at=at,
                reason=reason,
                deadlines=self._deadlines_to(Status.RETURNING_UNREPAIRED, at),
            )

    def _check_ruled_compensation_granted(self) -> None:
        """R10: a move that closes a ruled case waits until the ruled compensation is granted
        (it may be paid after the case closed)."""
        if self.ruling is not None and self.ruling.compensation_fen and not self.compensation_fen:
            raise CaseRuledFinal(
                f"the ruling also grants compensation of {self.ruling.compensation_fen} fen: "
                "grant it before the case closes"
            )

    def _may_complete_repair(self, actor: Actor) -> None:
        self._check_ruled_compensation_granted()
        repaired = self.status is not Status.RETURNING_UNREPAIRED
        if repaired and self.ruling is None and self._needs_consent() and not self.repair_fee_fen:
            raise IllegalTransition(
                "R6: this repair is paid by the user: quote it and wait for the user to accept "
                "before starting work",
                rule="R6",
            )

    def complete_repair(
        self, *, actor: Actor, at: datetime, notes: str, shipment: Shipment | None
    ) -> None:
        """R7: repaired and shipped back (with carrier and tracking) or repaired on site; a declined
        quote ships the item back unrepaired. The case ends when the consumer confirms the goods
        are back (or is deemed to, ``confirm_goods_days``)."""
        spec = self._begin(Move.COMPLETE_REPAIR, actor, at)
        repaired = self.status is not Status.RETURNING_UNREPAIRED
        why = text_input(notes, "notes", "R7", "say what was done")
        self._record(
            ev.RepairCompleted,
            spec.rule,
            actor=actor,
            at=at,
            repaired=repaired,
            shipment=shipment,
            # R6: the user pays only a fee they accepted before work started.
            fee_fen=self.quote_accepted_fen if repaired else 0,
            reason=why,
            status=Status.GOODS_RETURNING,
            deadlines=self._deadlines_to(Status.GOODS_RETURNING, at),
        )
