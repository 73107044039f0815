"""R15 rates as exact fractions, response times, and the per-merchant query functions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from projections.db import Database, DbConnection
from projections.metrics.limits import _DAILY_COUNTS

# ---------------------------------------------------------------------------------------------
# Arithmetic


@dataclass(frozen=True)
class Rate:
    """``numerator / denominator`` kept as integers; ``value`` is None when nothing was counted."""

    numerator: int
    denominator: int

    @property
    def value(self) -> Fraction | None:
        return Fraction(self.numerator, self.denominator) if self.denominator else None

    def percent(self, places: int = 2) -> Decimal | None:
        """The rate in percent, rounded half up to ``places`` decimals (for display)."""
        return _rounded(self.value * 100 if self.value is not None else None, places)

    def rounded(self, places: int = 2) -> Decimal | None:
        """The value itself rounded half up (an average rating such as 4.67)."""
        return _rounded(self.value, places)

    def at_most(self, limit: Fraction) -> bool:
        return self.value is not None and self.value <= limit

    def above(self, limit: Fraction) -> bool:
        return self.value is not None and self.value > limit


def _rounded(value: Fraction | None, places: int) -> Decimal | None:
    if value is None:
        return None
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def percentile(values: Iterable[int], pct: int) -> int | None:
    """Nearest-rank percentile (``pct`` in 1..100) of whole numbers; None when there are none."""
    if not 0 < pct <= 100:
        raise ValueError(f"a percentile is between 1 and 100, not {pct}")
    ordered = sorted(values)
    if not ordered:
        return None
    rank = -(-pct * len(ordered) // 100)  # ceil(pct * n / 100)
    return ordered[rank - 1]


@dataclass(frozen=True)
class Durations:
    """Response durations in whole seconds: how many, median and 90th percentile."""

    count: int
    median_seconds: int | None
    p90_seconds: int | None

    @classmethod
    def of(cls, seconds: Sequence[int]) -> Durations:
        return cls(len(seconds), percentile(seconds, 50), percentile(seconds, 90))


# ---------------------------------------------------------------------------------------------
# Queries


@dataclass(frozen=True)
class Counts:
    """The daily counters summed over some days."""

    delivered_lines: int = 0
    delivered_paid_fen: int = 0
    delivered_orders: int = 0  # R15's base (issue 8)
    refunded_orders: int = 0
    cases_opened: int = 0
    refunded_cases: int = 0
    refunded_fen: int = 0
    merchant_breaches: int = 0
    other_breaches: int = 0
    complaints: int = 0
    arbitrations: int = 0
    closed_cases: int = 0
    ratings: int = 0
    rating_sum: int = 0

    @classmethod
    def of(cls, row: Any) -> Counts:
        return cls(**{c: int(row[c] or 0) for c in _DAILY_COUNTS})


class CountRates:
    """The R15/R18 rates of a period's ``counts``; shared by a merchant's figures and each month
    of its series."""

    counts: Counts

    @property
    def after_sales_rate(self) -> Rate:
        """R15: cases opened / orders delivered (policy.md; issue 8: not per order line)."""
        return Rate(self.counts.cases_opened, self.counts.delivered_orders)

    @property
    def refund_rate(self) -> Rate:
        """R15: orders refunded / orders delivered (an order refunded twice counts once)."""
        return Rate(self.counts.refunded_orders, self.counts.delivered_orders)

    @property
    def refund_amount_rate(self) -> Rate:
        """Refunded fen / fen paid for the delivered lines."""
        return Rate(self.counts.refunded_fen, self.counts.delivered_paid_fen)

    @property
    def breach_rate(self) -> Rate:
        """The merchant's SLA breaches / cases opened (R12.a)."""
        return Rate(self.counts.merchant_breaches, self.counts.cases_opened)

    @property
    def dispute_rate(self) -> Rate:
        """Complaints / cases opened (R9)."""
        return Rate(self.counts.complaints, self.counts.cases_opened)

    @property
    def arbitration_rate(self) -> Rate:
        """Escalations to arbitration / cases opened (R10)."""
        return Rate(self.counts.arbitrations, self.counts.cases_opened)

    @property
    def satisfaction(self) -> Rate:
        """Average rating: sum of scores / ratings (R18)."""
        return Rate(self.counts.rating_sum, self.counts.ratings)


def _window(end: date, days: int) -> tuple[date, date]:
    return end - timedelta(days=days - 1), end


_SUMS = ", ".join(f"COALESCE(SUM({c}), 0) AS {c}" for c in _DAILY_COUNTS)


def _counts(conn: DbConnection, merchant_id: str, start: date, end: date) -> Counts:
    row = conn.execute(
        f"SELECT {_SUMS} FROM metrics_merchant_daily WHERE merchant_id = ? AND day >= ? "
        "AND day <= ?",
        (merchant_id, start.isoformat(), end.isoformat()),
    ).fetchone()
    return Counts.of(row)


def _durations(
    conn: DbConnection, merchant_id: str, column: str, day_column: str, start: date, end: date
) -> Durations:
    rows = conn.execute(
        f"SELECT {column} AS s FROM metrics_cases WHERE merchant_id = ? AND {day_column} >= ? "
        f"AND {day_column} <= ? AND {column} IS NOT NULL",
        (merchant_id, start.isoformat(), end.isoformat()),
    ).fetchall()
    return Durations.of([int(r["s"]) for r in rows])


def _metrics(conn: DbConnection, merchant_id: str, start: date, end: date) -> MerchantMetrics:
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    return MerchantMetrics(
        merchant_id=merchant_id,
        start=start,
        end=end,
        counts=_counts(conn, merchant_id, start, end),
        acceptance=_durations(conn, merchant_id, "acceptance_seconds", "accepted_day", start, end),
        first_response=_durations(
            conn, merchant_id, "first_response_seconds", "first_response_day", start, end
        ),
    )


def merchant_metrics(db: Database, merchant_id: str, start: date, end: date) -> MerchantMetrics:
    """R15 rates and response times of one merchant over ``start``..``end`` (CST days)."""
    with db.connect() as conn:
        return _metrics(conn, merchant_id, start, end)


def merchant_ids(db: Database) -> list[str]:
    """Every merchant with a delivered line or a case, sorted."""
    with db.connect() as conn:
        rows = conn.execute(
            "SELECT DISTINCT merchant_id FROM metrics_merchant_daily ORDER BY merchant_id"
        ).fetchall()
    return [str(r["merchant_id"]) for r in rows]


@dataclass(frozen=True)
class MerchantMetrics(CountRates):
    """R15 (and R18) figures of one merchant over the CST days ``start``..``end`` (inclusive)."""

    merchant_id: str
    start: date
    end: date
    counts: Counts
    acceptance: Durations
    first_response: Durations


@dataclass(frozen=True)
class MonthPoint(CountRates):
    """One CST month of a merchant's record, for charts."""

    month: str  # YYYY-MM
    counts: Counts
    first_response: Durations


def merchant_series(db: Database, merchant_id: str) -> list[MonthPoint]:
    """Per CST month with any activity, oldest first: the counters and first-response times."""
    with db.connect() as conn:
        rows = conn.execute(
            f"SELECT substr(day, 1, 7) AS month, {_SUMS} FROM metrics_merchant_daily "
            "WHERE merchant_id = ? GROUP BY substr(day, 1, 7) ORDER BY substr(day, 1, 7)",
            (merchant_id,),
        ).fetchall()
        responses = conn.execute(
            "SELECT first_response_day AS d, first_response_seconds AS s FROM metrics_cases "
            "WHERE merchant_id = ? AND first_response_day IS NOT NULL",
            (merchant_id,),
        ).fetchall()
    by_month: dict[str, list[int]] = defaultdict(list)
    for r in responses:
        by_month[str(r["d"])[:7]].append(int(r["s"]))
    months = {str(r["month"]): Counts.of(r) for r in rows}
    return [
        MonthPoint(month, months.get(month, Counts()), Durations.of(by_month.get(month, [])))
        for month in sorted(months.keys() | by_month.keys())
    ]
