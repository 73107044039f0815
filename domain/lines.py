"""What an order line holds: the facts the commerce platform hands over (issue: Order aggregate)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import InvalidInput
from domain.values import TenderKind


@dataclass(frozen=True)
class Tender:
    """One way a line was paid: card, wallet, points or coupon, in fen (points at fen value)."""

    kind: TenderKind
    amount_fen: int

    def __post_init__(self) -> None:
        if not isinstance(self.kind, TenderKind):
            try:
                object.__setattr__(self, "kind", TenderKind(self.kind))
            except ValueError:
                raise InvalidInput(
                    f"unknown tender {self.kind!r}; one of {[k.value for k in TenderKind]}",
                    field="tenders",
                ) from None
        if isinstance(self.amount_fen, bool) or not isinstance(self.amount_fen, int):
            raise InvalidInput("tender amounts are whole fen", field="tenders")
        if self.amount_fen < 0:
            raise InvalidInput(
                f"a tender amount cannot be negative ({self.amount_fen})", field="tenders"
            )


@dataclass(frozen=True)
class TenderRefund:
    """R3.a: part of a refund going back to one tender; points and coupons come back in kind."""

    kind: TenderKind
    amount_fen: int

    def __post_init__(self) -> None:
        if not isinstance(self.kind, TenderKind):
            object.__setattr__(self, "kind", TenderKind(self.kind))

    @property
    def in_kind(self) -> bool:
        return self.kind.in_kind


@dataclass(frozen=True)
class OrderLine:
    line_no: int
    sku: str
    title: str
    category: str
    quantity: int
    paid_fen: int  # what the consumer paid for all units of the line, after discounts
    tenders: tuple[Tender, ...]
    non_returnable_confirmed: bool = False  # R1.b consumer confirmed at purchase

    def __post_init__(self) -> None:
        object.__setattr__(self, "tenders", tuple(self.tenders))
        where = f"line {self.line_no}"
        if isinstance(self.line_no, bool) or not isinstance(self.line_no, int) or self.line_no < 1:
            raise InvalidInput("line numbers start at 1", field="lines")
        for name in ("sku", "title", "category"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise InvalidInput(f"{where}: {name} is required", field=f"lines.{name}")
        if (
            isinstance(self.quantity, bool)
            or not isinstance(self.quantity, int)
            or self.quantity < 1
        ):
            raise InvalidInput(f"{where}: quantity must be at least 1", field="lines.quantity")
        if isinstance(self.paid_fen, bool) or not isinstance(self.paid_fen, int):
            raise InvalidInput(f"{where}: paid amount is whole fen", field="lines.paid_fen")
        if self.paid_fen < 0:
            raise InvalidInput(
                f"{where}: paid amount cannot be negative ({self.paid_fen})", field="lines.paid_fen"
            )
        if not self.tenders and self.paid_fen:
            raise InvalidInput(f"{where}: say which tenders paid it", field="lines.tenders")
        total = sum(t.amount_fen for t in self.tenders)
        if total != self.paid_fen:
            raise InvalidInput(
                f"{where}: tenders sum to {total} fen but the line was paid {self.paid_fen} fen",
                field="lines.tenders",
            )

    def paid_for(self, quantity: int) -> int:
        """What was paid for ``quantity`` of the line's units, in fen (R3.a cap); exact at full."""
        if quantity < 1 or quantity > self.quantity:
            raise InvalidInput(
                f"line {self.line_no} has {self.quantity} unit(s); cannot take {quantity}",
                field="quantity",
            )
        return self.paid_fen * quantity // self.quantity
