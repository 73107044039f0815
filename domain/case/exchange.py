"""Exchanges: the replacement (R8)."""

from __future__ import annotations

from datetime import datetime

from domain.case import events as ev
from domain.case.guards import CaseGuards
from domain.case_values import Shipment
from domain.errors import CaseRuledFinal
from domain.process.moves import Move
from domain.values import Actor


class Exchanges(CaseGuards):
    def _may_ship_exchange(self, actor: Actor) -> None:
        if self.ruling is not None and self.ruling.compensation_fen and not self.compensation_fen:
            raise CaseRuledFinal(
                f"the ruling also grants compensation of {self.ruling.compensation_fen} fen: "
                "grant it before the case closes"
            )

    def ship_exchange(self, *, actor: Actor, at: datetime, shipment: Shipment) -> None:
        """R8: the replacement is shipped with carrier and tracking; the case closes."""
        spec = self._begin(Move.SHIP_EXCHANGE, actor, at)
        self._record(
            ev.ExchangeShipped,
            spec.rule,
            actor=actor,
            at=at,
            shipment=shipment,
            reason="",
            deadlines=(),
        )
        self._close_now(actor, at, "exchanged")
