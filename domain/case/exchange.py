"""Goods going back to the consumer: the replacement (R8), goods sent back after a failed
inspection or a declined quote (R14, R6), and the consumer's confirmation that they arrived."""

from __future__ import annotations

from datetime import datetime

from domain.case import events as ev
from domain.case.guards import CaseGuards
from domain.case_values import Shipment, Status
from domain.errors import CaseRuledFinal
from domain.process.moves import Move
from domain.values import Actor, Role

GOODS_RULES = {"exchanged": "R8", "repaired": "R7", "returned_unrepaired": "R6"}


class Exchanges(CaseGuards):
    def _may_ship_exchange(self, actor: Actor) -> None:
        if self.ruling is not None and self.ruling.compensation_fen and not self.compensation_fen:
            raise CaseRuledFinal(
                f"the ruling also grants compensation of {self.ruling.compensation_fen} fen: "
                "grant it before the case closes"
            )

    def ship_exchange(self, *, actor: Actor, at: datetime, shipment: Shipment) -> None:
        """R8: the replacement is shipped with carrier and tracking; the case ends when the
        consumer confirms it arrived (or is deemed to, ``confirm_goods_days``)."""
        spec = self._begin(Move.SHIP_EXCHANGE, actor, at)
        self._record(
            ev.ExchangeShipped,
            spec.rule,
            actor=actor,
            at=at,
            shipment=shipment,
            reason="",
            status=Status.GOODS_RETURNING,
            deadlines=self._deadlines_to(Status.GOODS_RETURNING, at),
        )

    def ship_back(self, *, actor: Actor, at: datetime, shipment: Shipment) -> None:
        """R14 / R6: the goods stay the consumer's (user damage, no fault outside the no-reason
        window, a declined quote): the merchant sends them back with carrier and tracking."""
        spec = self._begin(Move.SHIP_BACK, actor, at)
        failed = self.phase is Status.INSPECTION_FAILED
        outcome = "inspection_failed" if failed else "returned_unrepaired"
        self._record(
            ev.GoodsShippedBack,
            spec.rule if failed else "R6",
            actor=actor,
            at=at,
            shipment=shipment,
            outcome=outcome,
            reason="",
            deadlines=self._deadlines_to(Status.GOODS_RETURNING, at),
        )

    def confirm_goods_received(self, *, actor: Actor, at: datetime, reason: str = "") -> None:
        """R7/R8 reading: the consumer confirms the goods arrived; the case closes with the
        stated outcome (exchanged, repaired, returned_unrepaired, inspection_failed)."""
        spec = self._begin(Move.CONFIRM_GOODS_RECEIVED, actor, at)
        outcome = self.goods_outcome or "closed"
        rule = GOODS_RULES.get(outcome, spec.rule if outcome != "inspection_failed" else "R14")
        if actor.role is Role.SYSTEM:
            reason = reason or "taken as received after the confirmation period"
        self._record(
            ev.GoodsReceived,
            rule,
            actor=actor,
            at=at,
            outcome=outcome,
            reason=reason.strip(),
            deadlines=self._deadlines_to(Status.GOODS_RETURNING, at),
        )
        self._close_now(actor, at, outcome)
