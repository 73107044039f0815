"""Idempotency: one small aggregate per client request id, saved in the same transaction as the
change it caused. A repeat (same process or another) finds it and gets the first result back.

``Handled`` is at version 2: it also records a fingerprint of the command's arguments, so a request
id reused for a different request is refused instead of answered with the first result. Version 1
events (no fingerprint) are upcast with an empty one, which compares with nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain import ids
from domain.chain import ChainedAggregate
from domain.values import Actor


class RequestRecord(ChainedAggregate):
    @staticmethod
    def create_id(request_id: str) -> UUID:
        return ids.request_id(request_id)

    class Handled(ChainedAggregate.Created):
        class_version = 2

        request_id: str
        command: str
        target_id: UUID
        target_version: int
        result: str
        actor: Actor
        at: datetime
        fingerprint: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["fingerprint"] = ""  # unknown: a v1 record compares with nothing

    @event(Handled)
    def __init__(
        self,
        request_id: str,
        command: str,
        target_id: UUID,
        target_version: int,
        result: str,
        actor: Actor,
        at: datetime,
        fingerprint: str,
    ) -> None:
        self.request_id = request_id
        self.command = command
        self.target_id = target_id
        self.target_version = target_version
        self.result = result
        self.actor = actor
        self.fingerprint = fingerprint
