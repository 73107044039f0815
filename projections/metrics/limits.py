"""The thresholds of R15, R22 and R24 and what the metrics projection counts per day (see
the package's docstring for what each means)."""

from __future__ import annotations

from fractions import Fraction

from domain.values import CaseKind

METRICS_PROJECTION = "metrics"
METRICS_TABLES = (
    "metrics_orders",
    "metrics_order_lines",
    "metrics_cases",
    "metrics_merchant_daily",
    "metrics_sku_daily",
)

# R22 Gold after-sales badge (金牌售后)
BADGE_WINDOW_DAYS = 90
BADGE_MIN_CLOSED_CASES = 20
BADGE_MAX_MEDIAN_ACCEPTANCE_SECONDS = 3600
BADGE_MAX_BREACH_RATE = Fraction(2, 100)
BADGE_MAX_ARBITRATION_RATE = Fraction(1, 100)
BADGE_MIN_RATINGS = 5
BADGE_MIN_SATISFACTION = Fraction(45, 10)

# R15 merchants with frequent problems
FLAG_WINDOW_DAYS = 30
FLAG_MAX_AFTER_SALES_RATE = Fraction(10, 100)
FLAG_MIN_DELIVERED_ORDERS = 20
FLAG_MIN_DELIVERED_LINES = FLAG_MIN_DELIVERED_ORDERS  # the name before issue 8
FLAG_MAX_BREACH_RATE = Fraction(10, 100)
FLAG_MIN_CASES = 5

# R24 abnormal return rate per SKU
SKU_RECENT_DAYS = 30
SKU_BASELINE_DAYS = 90
SKU_MIN_RECENT_UNITS = 20
SKU_MIN_BASELINE_UNITS = 50
SKU_MIN_RECENT_RETURNS = 3
SKU_RATE_RATIO = 2
SKU_MIN_RATE_RISE = Fraction(5, 100)

_RETURN_KINDS = frozenset({CaseKind.RETURN_REFUND.value, CaseKind.EXCHANGE.value})

_DAILY_COUNTS = (
    "delivered_orders",  # R15's base (issue 8): orders signed for that day
    "refunded_orders",  # orders with a first refund paid that day
    "delivered_lines",
    "delivered_paid_fen",
    "cases_opened",
    "refunded_cases",
    "refunded_fen",
    "merchant_breaches",
    "other_breaches",
    "complaints",
    "arbitrations",
    "closed_cases",
    "ratings",
    "rating_sum",
)

# R15 (issue 8): what each rate counts, in the API's words (pages show them translated).
RATE_DEFINITIONS: dict[str, str] = {
    "after_sales": "cases opened / orders delivered (R15)",
    "refund": "orders with a refund paid / orders delivered (R15)",
    "refund_amount": "refunded fen / fen paid for the delivered lines",
    "breach": "missed merchant deadlines / cases opened (R12.a)",
    "dispute": "complaints / cases opened (R9)",
    "arbitration": "escalations to arbitration / cases opened (R10)",
}
