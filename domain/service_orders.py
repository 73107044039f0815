"""The service's commands on policies (R11, R19) and orders (the facts the commerce platform hands
over), mixed into ``AfterSales``; each runs through its idempotent, conflict-retrying ``_run``."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain import ids
from domain.calendar import require_aware
from domain.errors import InvalidInput
from domain.history import ConsumerMerchantHistory
from domain.idempotency import command
from domain.lines import OrderLine
from domain.order import Order
from domain.policy import MerchantPolicy
from domain.terms import PolicyTerms
from domain.values import Actor, Role

if TYPE_CHECKING:
    from domain.service import Result

T = TypeVar("T")
Step = tuple[Aggregate, str, Mapping[str, Any], Sequence[Aggregate]]


class OrderCommands:
    if TYPE_CHECKING:

        def _get(self, cls: type[T], aggregate_id: UUID, what: str) -> T: ...

        def _find(self, cls: type[T], aggregate_id: UUID) -> T | None: ...

        def _run(
            self,
            request_id: str,
            command: str,
            actor: Actor,
            step: Callable[[Callable[[], datetime]], Step],
            key: str | None = None,
        ) -> Result: ...

    # ------------------------------------------------------------------ policies (R11, R19)
    @command
    def publish_policy(
        self,
        *,
        request_id: str,
        actor: Actor,
        merchant_id: str,
        terms: PolicyTerms,
        summary: str = "",
    ) -> Result:
        def step(clock: Callable[[], datetime]) -> Step:
            now = clock()
            policy = self._find(MerchantPolicy, ids.policy_id(merchant_id))
            if policy is None:
                policy = MerchantPolicy.start(merchant_id=merchant_id, actor=actor, at=now)
            number = policy.publish(terms=terms, summary=summary, actor=actor, at=now)
            return policy, merchant_id, {"version": number}, [policy]

        return self._run(request_id, "publish_policy", actor, step)

    def get_policy(self, merchant_id: str) -> MerchantPolicy:
        return self._get(
            MerchantPolicy,
            ids.policy_id(merchant_id),
            f"merchant {merchant_id!r} (no published policy)",
        )

    # ------------------------------------------------------------------ orders
    @command
    def record_order(
        self,
        *,
        request_id: str,
        actor: Actor,
        order_no: str,
        consumer_id: str,
        merchant_id: str,
        placed_at: datetime,
        lines: Sequence[OrderLine],
        shipping_fee_fen: int = 0,
        currency: str = "CNY",
    ) -> Result:
        """Record the facts of an order handed over by the commerce platform."""
        if actor.role not in (Role.SYSTEM, Role.PLATFORM_AGENT):
            raise InvalidInput(
                "orders are handed over by the commerce platform (system)", field="actor"
            )
        require_aware(placed_at, "placed_at")  # R19 compares it with policy versions' times

        def step(clock: Callable[[], datetime]) -> Step:
            now = clock()
            if self._find(Order, ids.order_id(order_no)) is not None:
                raise InvalidInput(f"order {order_no} is recorded already", field="order_no")
            policy = self.get_policy(merchant_id)
            _, terms = policy.applicable(placed_at, now)
            for line in lines:
                if line.category not in terms.categories:
                    raise InvalidInput(
                        f"line {line.line_no}: category {line.category!r} is not in merchant "
                        f"{merchant_id}'s policy (categories: {list(terms.categories)}) (R11)",
                        rule="R11",
                        field="lines.category",
                    )
            order = Order.record(
                order_no=order_no,
                consumer_id=consumer_id,
                merchant_id=merchant_id,
                placed_at=placed_at,
                lines=tuple(lines),
                shipping_fee_fen=shipping_fee_fen,
                currency=currency,
                actor=actor,
                at=now,
            )
            touched: list[Aggregate] = [order]
            history = self._find(ConsumerMerchantHistory, ids.history_id(consumer_id, merchant_id))
            if (history is not None and history.returns) or placed_at > now:
                # R2 reads a purchase only when it was placed after the consumer's first
                # no-reason return to this merchant. With no return yet (and the order placed
                # before now, so before any return still to come) it can never count: the
                # history is left alone (issue 12: orders of one consumer and one merchant no
                # longer collide on it).
                if history is None:
                    history = self._history(consumer_id, merchant_id, actor, now)
                history.note_purchase(order_no=order_no, placed_at=placed_at, actor=actor, at=now)
                touched.append(history)
            return order, order_no, {}, touched

        return self._run(request_id, "record_order", actor, step)

    def _history(
        self, consumer_id: str, merchant_id: str, actor: Actor, now: datetime
    ) -> ConsumerMerchantHistory:
        found = self._find(ConsumerMerchantHistory, ids.history_id(consumer_id, merchant_id))
        if found is not None:
            return found
        return ConsumerMerchantHistory(
            consumer_id=consumer_id, merchant_id=merchant_id, actor=actor, at=now
        )

    @command
    def record_delivery(
        self, *, request_id: str, actor: Actor, order_no: str, signed_at: datetime
    ) -> Result:
        def step(clock: Callable[[], datetime]) -> Step:
            now = clock()
            order = self.get_order(order_no)
            order.record_delivery(signed_at=signed_at, actor=actor, at=now)
            return order, order_no, {}, [order]

        return self._run(request_id, "record_delivery", actor, step)

    def get_order(self, order_no: str) -> Order:
        return self._get(Order, ids.order_id(order_no), f"order {order_no!r}")
