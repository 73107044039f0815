"""Order aggregate: the facts the commerce platform hands over. Cases never invent orders."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import event

from domain import ids
from domain.chain import ChainedAggregate
from domain.errors import IllegalTransition, InvalidInput, NotFound
from domain.lines import OrderLine
from domain.values import Actor


class Order(ChainedAggregate):
    """One order: consumer, merchant, lines with tenders, delivery signed-for time (R1, R3.a).

    Quantities under an open refund-bearing case are *claimed* so that no line is refunded twice
    across cases (R3.a); a case that ends without a refund releases its claim.
    """

    @staticmethod
    def create_id(order_no: str) -> UUID:
        return ids.order_id(order_no)

    @event("Recorded")
    def __init__(
        self,
        order_no: str,
        consumer_id: str,
        merchant_id: str,
        placed_at: datetime,
        lines: tuple[OrderLine, ...],
        shipping_fee_fen: int,
        currency: str,
        actor: Actor,
        at: datetime,
    ) -> None:
        self.order_no = order_no
        self.consumer_id = consumer_id
        self.merchant_id = merchant_id
        self.placed_at = placed_at
        self.lines = tuple(lines)
        self.shipping_fee_fen = shipping_fee_fen
        self.currency = currency
        self.delivered_at: datetime | None = None
        self.claims: dict[str, dict[str, int]] = {}  # case_no -> {line_no: qty}
        self.cases: list[str] = []  # after-sales cases opened on this order (R12.a)

    @classmethod
    def record(
        cls,
        *,
        order_no: str,
        consumer_id: str,
        merchant_id: str,
        placed_at: datetime,
        lines: tuple[OrderLine, ...],
        shipping_fee_fen: int,
        currency: str,
        actor: Actor,
        at: datetime,
    ) -> Order:
        for name, value in (("order_no", order_no), ("consumer_id", consumer_id)):
            if not value or not value.strip():
                raise InvalidInput(f"{name} is required", field=name)
        if not merchant_id or not merchant_id.strip():
            raise InvalidInput("merchant_id is required", field="merchant_id")
        if not lines:
            raise InvalidInput("an order has at least one line", field="lines")
        numbers = [line.line_no for line in lines]
        if len(set(numbers)) != len(numbers):
            raise InvalidInput("line numbers must be distinct", field="lines")
        if isinstance(shipping_fee_fen, bool) or not isinstance(shipping_fee_fen, int):
            raise InvalidInput("shipping fee is whole fen", field="shipping_fee_fen")
        if shipping_fee_fen < 0:
            raise InvalidInput(
                f"shipping fee cannot be negative ({shipping_fee_fen})", field="shipping_fee_fen"
            )
        if placed_at.tzinfo is None or at.tzinfo is None:
            raise InvalidInput("times must carry a time zone", field="placed_at")
        return cls(
            order_no=order_no,
            consumer_id=consumer_id,
            merchant_id=merchant_id,
            placed_at=placed_at,
            lines=tuple(lines),
            shipping_fee_fen=shipping_fee_fen,
            currency=currency,
            actor=actor,
            at=at,
        )

    def line(self, line_no: int) -> OrderLine:
        for line in self.lines:
            if line.line_no == line_no:
                return line
        raise NotFound(
            f"order {self.order_no} has no line {line_no} "
            f"(its lines: {[ln.line_no for ln in self.lines]})",
            field="lines",
        )

    @property
    def goods_total_fen(self) -> int:
        return sum(line.paid_fen for line in self.lines)

    def outbound_share_fen(self, line_no: int, quantity: int) -> int:
        """The part of the order's outbound shipping fee that belongs to these units (R2)."""
        total = self.goods_total_fen
        if total == 0 or self.shipping_fee_fen == 0:
            return 0
        return self.shipping_fee_fen * self.line(line_no).paid_for(quantity) // total

    def record_delivery(self, *, signed_at: datetime, actor: Actor, at: datetime) -> None:
        if signed_at.tzinfo is None:
            raise InvalidInput("signed_at must carry a time zone", field="signed_at")
        if signed_at < self.placed_at:
            raise InvalidInput(
                "delivery cannot be signed before the order was placed", field="signed_at"
            )
        if self.delivered_at is not None:
            raise IllegalTransition(
                f"order {self.order_no} was already signed for at {self.delivered_at.isoformat()}",
                rule="R1",
            )
        self._delivery_signed(signed_at=signed_at, actor=actor, at=at)

    @event("DeliverySigned")
    def _delivery_signed(self, signed_at: datetime, actor: Actor, at: datetime) -> None:
        self.delivered_at = signed_at

    def claimed_quantity(self, line_no: int) -> int:
        return sum(claim.get(str(line_no), 0) for claim in self.claims.values())

    def claim(
        self, *, case_no: str, quantities: dict[int, int], actor: Actor, at: datetime
    ) -> None:
        """Reserve units for a refund-bearing case (R3.a: no line is refunded twice)."""
        for line_no, qty in quantities.items():
            line = self.line(line_no)
            free = line.quantity - self.claimed_quantity(line_no)
            if qty > free:
                raise IllegalTransition(
                    f"line {line_no} of order {self.order_no}: {qty} unit(s) asked, {free} of "
                    f"{line.quantity} not already under another case",
                    rule="R3.a",
                    field="lines",
                    code="units_already_claimed",
                    params={"line_no": line_no, "asked": qty, "free": free},
                )
        self._claimed(
            case_no=case_no,
            quantities={str(k): v for k, v in quantities.items()},
            actor=actor,
            at=at,
        )

    @event("LinesClaimed")
    def _claimed(
        self, case_no: str, quantities: dict[str, int], actor: Actor, at: datetime
    ) -> None:
        self.claims[case_no] = dict(quantities)

    def release(self, *, case_no: str, actor: Actor, at: datetime) -> None:
        if case_no in self.claims:
            self._released(case_no=case_no, actor=actor, at=at)

    @event("LinesReleased")
    def _released(self, case_no: str, actor: Actor, at: datetime) -> None:
        self.claims.pop(case_no, None)

    def note_case(self, *, case_no: str, actor: Actor, at: datetime) -> None:
        """Remember a case opened on this order: only the first is a "first application" (R12.a)."""
        self._case_noted(case_no=case_no, actor=actor, at=at)

    @event("CaseNoted")
    def _case_noted(self, case_no: str, actor: Actor, at: datetime) -> None:
        self.cases.append(case_no)
