"""What R2 needs to know of one consumer with one merchant: purchases and no-reason returns.

Kept as its own small aggregate, saved atomically with the order or case that changes it, so the
shipping rule reads facts, never a query."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import event

from domain import ids
from domain.chain import ChainedAggregate
from domain.values import Actor


class ConsumerMerchantHistory(ChainedAggregate):
    @staticmethod
    def create_id(consumer_id: str, merchant_id: str) -> UUID:
        return ids.history_id(consumer_id, merchant_id)

    @event("Begun")
    def __init__(self, consumer_id: str, merchant_id: str, actor: Actor, at: datetime) -> None:
        self.consumer_id = consumer_id
        self.merchant_id = merchant_id
        self.purchases: list[datetime] = []
        self.returns: list[datetime] = []  # opened no-reason returns, by time
        self.return_cases: dict[str, datetime] = {}  # the same, by case number (not withdrawn)

    def note_purchase(
        self, *, order_no: str, placed_at: datetime, actor: Actor, at: datetime
    ) -> None:
        self._purchased(order_no=order_no, placed_at=placed_at, actor=actor, at=at)

    @event("PurchaseNoted")
    def _purchased(self, order_no: str, placed_at: datetime, actor: Actor, at: datetime) -> None:
        self.purchases.append(placed_at)

    def note_return(self, *, case_no: str, opened_at: datetime, actor: Actor, at: datetime) -> None:
        self._returned(case_no=case_no, opened_at=opened_at, actor=actor, at=at)

    @event("ReturnNoted")
    def _returned(self, case_no: str, opened_at: datetime, actor: Actor, at: datetime) -> None:
        self.returns.append(opened_at)
        self.return_cases[case_no] = opened_at

    def note_withdrawal(self, *, case_no: str, actor: Actor, at: datetime) -> bool:
        """R2 (issue 8): a withdrawn request is not a return; it no longer counts as the
        consumer's first (or any) return to this merchant. False when it was never noted."""
        if case_no not in self.return_cases:
            return False
        self._withdrawn(case_no=case_no, actor=actor, at=at)
        return True

    @event("ReturnWithdrawn")
    def _withdrawn(self, case_no: str, actor: Actor, at: datetime) -> None:
        self.returns.remove(self.return_cases.pop(case_no))

    @property
    def prior_returns(self) -> int:
        return len(self.returns)

    @property
    def bought_again_since_first_return(self) -> bool:
        """R2 reading: a purchase placed after the consumer's first return to this merchant."""
        if not self.returns:
            return False
        first = min(self.returns)
        return any(p > first for p in self.purchases)
