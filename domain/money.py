"""Money as integer minor units (fen) with a currency. No floats anywhere (DEVELOPERS.md)."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_CURRENCY = "CNY"


class MoneyError(ValueError):
    """Arithmetic between amounts that cannot be combined, or a non-integer amount."""


@dataclass(frozen=True, order=True)
class Money:
    fen: int
    currency: str = DEFAULT_CURRENCY

    def __post_init__(self) -> None:
        if isinstance(self.fen, bool) or not isinstance(self.fen, int):
            raise MoneyError(f"amounts are whole fen, got {self.fen!r}")
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise MoneyError(
                f"currency must be an ISO 4217 code such as CNY, got {self.currency!r}"
            )

    @classmethod
    def zero(cls, currency: str = DEFAULT_CURRENCY) -> Money:
        return cls(0, currency)

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise MoneyError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.fen + other.fen, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.fen - other.fen, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.fen, self.currency)

    @property
    def is_negative(self) -> bool:
        return self.fen < 0

    def __str__(self) -> str:
        sign = "-" if self.fen < 0 else ""
        yuan, fen = divmod(abs(self.fen), 100)
        return f"{sign}{yuan}.{fen:02d} {self.currency}"


def allocate(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` fen in proportion to non-negative integer ``weights``; the parts sum exactly.

    Largest-remainder method; ties go to the earlier weight, so the result is deterministic.
    """
    if total < 0:
        raise MoneyError(f"cannot allocate a negative amount {total}")
    if any(w < 0 for w in weights):
        raise MoneyError("weights must not be negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        if total == 0:
            return [0 for _ in weights]
        raise MoneyError("cannot allocate a positive amount over zero weights")
    floors = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    short = total - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:short]:
        floors[i] += 1
    return floors
