"""R18 quarterly satisfaction, the R22 Gold after-sales badge and the R15 flags."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from projections.db import Database
from projections.metrics.limits import (
    BADGE_MAX_ARBITRATION_RATE,
    BADGE_MAX_BREACH_RATE,
    BADGE_MAX_MEDIAN_ACCEPTANCE_SECONDS,
    BADGE_MIN_CLOSED_CASES,
    BADGE_MIN_RATINGS,
    BADGE_MIN_SATISFACTION,
    BADGE_WINDOW_DAYS,
    FLAG_MAX_AFTER_SALES_RATE,
    FLAG_MAX_BREACH_RATE,
    FLAG_MIN_CASES,
    FLAG_MIN_DELIVERED_ORDERS,
    FLAG_WINDOW_DAYS,
)
from projections.metrics.rates import MerchantMetrics, Rate, _metrics, _window


@dataclass(frozen=True)
class QuarterSatisfaction:
    """R18: the ratings of one CST quarter (``2026-Q1``)."""

    quarter: str
    ratings: int
    rating_sum: int

    @property
    def average(self) -> Rate:
        return Rate(self.rating_sum, self.ratings)


def _quarter(day: str) -> str:
    year, month = int(day[:4]), int(day[5:7])
    return f"{year}-Q{(month - 1) // 3 + 1}"


def quarterly_satisfaction(db: Database, merchant_id: str) -> list[QuarterSatisfaction]:
    """R18: number and average of ratings per CST quarter, oldest first (rated quarters only)."""
    with db.connect() as conn:
        rows = conn.execute(
            "SELECT day, ratings, rating_sum FROM metrics_merchant_daily "
            "WHERE merchant_id = ? AND ratings > 0 ORDER BY day",
            (merchant_id,),
        ).fetchall()
    sums: dict[str, list[int]] = {}
    for row in rows:
        total = sums.setdefault(_quarter(str(row["day"])), [0, 0])
        total[0] += int(row["ratings"])
        total[1] += int(row["rating_sum"])
    return [QuarterSatisfaction(q, n, s) for q, (n, s) in sorted(sums.items())]


@dataclass(frozen=True)
class BadgeCriterion:
    """One R22 criterion: its stable code, the measured value (None: nothing to measure), the
    threshold, and whether it holds."""

    code: str
    value: Fraction | int | None
    threshold: Fraction | int
    passed: bool


@dataclass(frozen=True)
class BadgeVerdict:
    """R22 Gold after-sales badge (金牌售后) of one merchant as of a CST day."""

    merchant_id: str
    as_of: date
    window_start: date
    criteria: tuple[BadgeCriterion, ...]
    metrics: MerchantMetrics

    @property
    def awarded(self) -> bool:
        return all(c.passed for c in self.criteria)

    @property
    def failed(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.criteria if not c.passed)


def badge_for(metrics: MerchantMetrics, as_of: date) -> BadgeVerdict:
    """R22 criteria applied to ``metrics`` (normally the 90 days ending on ``as_of``)."""
    counts = metrics.counts
    median = metrics.acceptance.median_seconds
    criteria = (
        BadgeCriterion(
            "closed_cases",
            counts.closed_cases,
            BADGE_MIN_CLOSED_CASES,
            counts.closed_cases >= BADGE_MIN_CLOSED_CASES,
        ),
        BadgeCriterion(
            "median_acceptance_seconds",
            median,
            BADGE_MAX_MEDIAN_ACCEPTANCE_SECONDS,
            median is not None and median <= BADGE_MAX_MEDIAN_ACCEPTANCE_SECONDS,
        ),
        BadgeCriterion(
            "breach_rate",
            metrics.breach_rate.value,
            BADGE_MAX_BREACH_RATE,
            metrics.breach_rate.at_most(BADGE_MAX_BREACH_RATE),
        ),
        BadgeCriterion(
            "arbitration_rate",
            metrics.arbitration_rate.value,
            BADGE_MAX_ARBITRATION_RATE,
            metrics.arbitration_rate.at_most(BADGE_MAX_ARBITRATION_RATE),
        ),
        BadgeCriterion(
            "ratings", counts.ratings, BADGE_MIN_RATINGS, counts.ratings >= BADGE_MIN_RATINGS
        ),
        BadgeCriterion(
            "satisfaction",
            metrics.satisfaction.value,
            BADGE_MIN_SATISFACTION,
            metrics.satisfaction.value is not None
            and metrics.satisfaction.value >= BADGE_MIN_SATISFACTION,
        ),
    )
    return BadgeVerdict(metrics.merchant_id, as_of, metrics.start, criteria, metrics)


def gold_badge(db: Database, merchant_id: str, as_of: date) -> BadgeVerdict:
    """R22: does ``merchant_id`` hold the Gold after-sales badge on ``as_of`` (CST day)?"""
    start, end = _window(as_of, BADGE_WINDOW_DAYS)
    with db.connect() as conn:
        return badge_for(_metrics(conn, merchant_id, start, end), as_of)


@dataclass(frozen=True)
class MerchantFlag:
    """R15: a merchant flagged for attention and training, with the stable codes of why."""

    merchant_id: str
    reasons: tuple[str, ...]
    metrics: MerchantMetrics


def flags_for(metrics: MerchantMetrics) -> tuple[str, ...]:
    """R15: the stable codes of the thresholds ``metrics`` exceeds (empty: not flagged)."""
    reasons: list[str] = []
    counts = metrics.counts
    if counts.delivered_orders >= FLAG_MIN_DELIVERED_ORDERS and metrics.after_sales_rate.above(
        FLAG_MAX_AFTER_SALES_RATE
    ):
        reasons.append("after_sales_rate")
    if counts.cases_opened >= FLAG_MIN_CASES and metrics.breach_rate.above(FLAG_MAX_BREACH_RATE):
        reasons.append("breach_rate")
    return tuple(reasons)


def flagged_merchants(db: Database, as_of: date) -> list[MerchantFlag]:
    """R15: merchants with frequent problems over the :data:`FLAG_WINDOW_DAYS` up to ``as_of``."""
    start, end = _window(as_of, FLAG_WINDOW_DAYS)
    flagged: list[MerchantFlag] = []
    with db.connect() as conn:
        rows = conn.execute(
            "SELECT DISTINCT merchant_id FROM metrics_merchant_daily WHERE day >= ? AND day <= ? "
            "ORDER BY merchant_id",
            (start.isoformat(), end.isoformat()),
        ).fetchall()
        for row in rows:
            metrics = _metrics(conn, str(row["merchant_id"]), start, end)
            reasons = flags_for(metrics)
            if reasons:
                flagged.append(MerchantFlag(metrics.merchant_id, reasons, metrics))
    return flagged
