"""Idempotency: one small aggregate per client request id, saved in the same transaction as the
change it caused. A repeat (same process or another) finds it and gets the first result back."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import event

from domain import ids
from domain.chain import ChainedAggregate
from domain.values import Actor


class RequestRecord(ChainedAggregate):
    @staticmethod
    def create_id(request_id: str) -> UUID:
        return ids.request_id(request_id)

    @event("Handled")
    def __init__(
        self,
        request_id: str,
        command: str,
        target_id: UUID,
        target_version: int,
        result: str,
        actor: Actor,
        at: datetime,
    ) -> None:
        self.request_id = request_id
        self.command = command
        self.target_id = target_id
        self.target_version = target_version
        self.result = result
        self.actor = actor
