"""Merchant metrics: rates and response times (R15), quarterly satisfaction (R18), the Gold
after-sales badge (R22) and products whose return rate moves abnormally (R24).

The projection stores what adds up (counts per merchant per CST day, returned / delivered units per
SKU per CST day) and one row per case with its response durations; the query functions compute
rates, medians, percentiles, the badge and the flags from those rows, so any threshold below can be
changed without a rebuild. Rates are exact fractions of integers (:class:`Rate`); money stays fen.

What is counted, and on which CST day:

- delivered orders (R15's base, issue 8) / order lines / paid fen / units:
  ``Order.DeliverySigned``, on the day signed for;
- cases: ``Case.Opened`` (every kind, complaints included), on the day opened;
- returned units (R24): units under ``return_refund`` and ``exchange`` cases, on the day opened;
- refunded cases and fen: ``RefundPaid`` (the amount the event states, in-kind parts included);
  refunded orders: the first ``RefundPaid`` of any case of an order (R15's refund rate per order);

R15 rates (issue 8): after-sales rate = cases opened / orders delivered; refund rate = orders
refunded / orders delivered; refund amount rate = refunded fen / fen paid for delivered lines.
- SLA breaches: ``SlaBreached`` whose party is the merchant (the platform's and the consumer's
  missed deadlines are kept apart in ``other_breaches`` and do not count against the merchant);
- disputes: complaint cases opened plus ``ComplaintFiled`` on other cases; arbitrations:
  ``EscalatedToArbitration``; closed cases: ``Closed`` (a withdrawal is not a closed case);
- ratings (R18): ``Rated``, on the day rated;
- first response (R12, R12.a): from ``Opened`` to the first ``Accepted`` or ``Rejected``, whoever
  made it (a system acceptance after the R12.a deadline counts at its time: silence is slow);
  acceptance time: from ``Opened`` to ``Accepted``. Durations are whole seconds.

Percentiles use the nearest-rank method: the p-th percentile of n sorted values is the value at
rank ``ceil(p * n / 100)``; the median is the 50th percentile (so always one of the values).

Gold after-sales badge (金牌售后, R22: "from response speed and dispute resolution rate,
recomputed from the record"), over the :data:`BADGE_WINDOW_DAYS` CST days ending on ``as_of``; every
criterion must hold:

- volume: at least :data:`BADGE_MIN_CLOSED_CASES` (20) closed cases;
- response speed: median acceptance time at most :data:`BADGE_MAX_MEDIAN_ACCEPTANCE_SECONDS`
  (1 hour) over the cases accepted in the window;
- SLA: breach rate (merchant breaches / cases opened) at most :data:`BADGE_MAX_BREACH_RATE` (2 %);
- dispute resolution: arbitration rate (escalations / cases opened) at most
  :data:`BADGE_MAX_ARBITRATION_RATE` (1 %): disputes are settled before arbitration;
- satisfaction (R18): at least :data:`BADGE_MIN_RATINGS` (5) ratings averaging at least
  :data:`BADGE_MIN_SATISFACTION` (4.5).

Frequent problems (R15), over the :data:`FLAG_WINDOW_DAYS` (30) days ending on ``as_of``: a
merchant is flagged when its after-sales rate (cases / delivered orders, R15) is above
:data:`FLAG_MAX_AFTER_SALES_RATE` (10 %, with at least :data:`FLAG_MIN_DELIVERED_ORDERS` (20)
delivered orders), or its breach rate is above :data:`FLAG_MAX_BREACH_RATE` (10 %, with at least
:data:`FLAG_MIN_CASES` (5) cases).

Return-rate warning (R24): a SKU is flagged when, over the last :data:`SKU_RECENT_DAYS` (30) days
ending on ``as_of`` against the :data:`SKU_BASELINE_DAYS` (90) days before them, it has at least
:data:`SKU_MIN_RECENT_UNITS` (20) units delivered recently, :data:`SKU_MIN_BASELINE_UNITS` (50) in
the baseline and :data:`SKU_MIN_RECENT_RETURNS` (3) recent returns, and its recent return rate is at
least :data:`SKU_RATE_RATIO` (2) times the baseline rate and at least :data:`SKU_MIN_RATE_RISE`
(5 percentage points) above it. A SKU without enough history is not compared.
"""

from __future__ import annotations

from projections.metrics.badge import (
    BadgeCriterion,
    BadgeVerdict,
    MerchantFlag,
    QuarterSatisfaction,
    badge_for,
    flagged_merchants,
    flags_for,
    gold_badge,
    quarterly_satisfaction,
)
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
    FLAG_MIN_DELIVERED_LINES,
    FLAG_MIN_DELIVERED_ORDERS,
    FLAG_WINDOW_DAYS,
    METRICS_PROJECTION,
    METRICS_TABLES,
    RATE_DEFINITIONS,
    SKU_BASELINE_DAYS,
    SKU_MIN_BASELINE_UNITS,
    SKU_MIN_RATE_RISE,
    SKU_MIN_RECENT_RETURNS,
    SKU_MIN_RECENT_UNITS,
    SKU_RATE_RATIO,
    SKU_RECENT_DAYS,
)
from projections.metrics.projection import (
    PROJECTIONS,
    MetricsProjection,
)
from projections.metrics.rates import (
    Counts,
    Durations,
    MerchantMetrics,
    MonthPoint,
    Rate,
    merchant_ids,
    merchant_metrics,
    merchant_series,
    percentile,
)
from projections.metrics.sku import (
    SkuAlert,
    sku_alerts,
    sku_return_rates,
)

__all__ = [
    "BADGE_MAX_ARBITRATION_RATE",
    "BADGE_MAX_BREACH_RATE",
    "BADGE_MAX_MEDIAN_ACCEPTANCE_SECONDS",
    "BADGE_MIN_CLOSED_CASES",
    "BADGE_MIN_RATINGS",
    "BADGE_MIN_SATISFACTION",
    "BADGE_WINDOW_DAYS",
    "FLAG_MAX_AFTER_SALES_RATE",
    "FLAG_MAX_BREACH_RATE",
    "FLAG_MIN_CASES",
    "FLAG_MIN_DELIVERED_LINES",
    "FLAG_MIN_DELIVERED_ORDERS",
    "FLAG_WINDOW_DAYS",
    "METRICS_PROJECTION",
    "METRICS_TABLES",
    "PROJECTIONS",
    "RATE_DEFINITIONS",
    "SKU_BASELINE_DAYS",
    "SKU_MIN_BASELINE_UNITS",
    "SKU_MIN_RATE_RISE",
    "SKU_MIN_RECENT_RETURNS",
    "SKU_MIN_RECENT_UNITS",
    "SKU_RATE_RATIO",
    "SKU_RECENT_DAYS",
    "BadgeCriterion",
    "BadgeVerdict",
    "Counts",
    "Durations",
    "MerchantFlag",
    "MerchantMetrics",
    "MetricsProjection",
    "MonthPoint",
    "QuarterSatisfaction",
    "Rate",
    "SkuAlert",
    "badge_for",
    "flagged_merchants",
    "flags_for",
    "gold_badge",
    "merchant_ids",
    "merchant_metrics",
    "merchant_series",
    "percentile",
    "quarterly_satisfaction",
    "sku_alerts",
    "sku_return_rates",
]
