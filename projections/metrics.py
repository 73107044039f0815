"""Merchant metrics: rates and response times (R15), quarterly satisfaction (R18), the Gold
after-sales badge (R22) and products whose return rate moves abnormally (R24).

The projection stores what adds up (counts per merchant per CST day, returned / delivered units per
SKU per CST day) and one row per case with its response durations; the query functions compute
rates, medians, percentiles, the badge and the flags from those rows, so any threshold below can be
changed without a rebuild. Rates are exact fractions of integers (:class:`Rate`); money stays fen.

What is counted, and on which CST day:

- delivered order lines / paid fen / units: ``Order.DeliverySigned``, on the day signed for;
- cases: ``Case.Opened`` (every kind, complaints included), on the day opened;
- returned units (R24): units under ``return_refund`` and ``exchange`` cases, on the day opened;
- refunded cases and fen: ``RefundPaid`` (the amount the event states, in-kind parts included);
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
merchant is flagged when its after-sales rate (cases / delivered lines) is above
:data:`FLAG_MAX_AFTER_SALES_RATE` (10 %, with at least :data:`FLAG_MIN_DELIVERED_LINES` (20)
delivered lines), or its breach rate is above :data:`FLAG_MAX_BREACH_RATE` (10 %, with at least
:data:`FLAG_MIN_CASES` (5) cases).

Return-rate warning (R24): a SKU is flagged when, over the last :data:`SKU_RECENT_DAYS` (30) days
ending on ``as_of`` against the :data:`SKU_BASELINE_DAYS` (90) days before them, it has at least
:data:`SKU_MIN_RECENT_UNITS` (20) units delivered recently, :data:`SKU_MIN_BASELINE_UNITS` (50) in
the baseline and :data:`SKU_MIN_RECENT_RETURNS` (3) recent returns, and its recent return rate is at
least :data:`SKU_RATE_RATIO` (2) times the baseline rate and at least :data:`SKU_MIN_RATE_RISE`
(5 percentage points) above it. A SKU without enough history is not compared.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from eventsourcing.utils import get_topic

from domain.calendar import cst_date
from domain.case import Case
from domain.order import Order
from domain.values import CaseKind, Role
from projections.db import Database, DbConnection, parse_ts, ts

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
    "FLAG_WINDOW_DAYS",
    "METRICS_PROJECTION",
    "METRICS_TABLES",
    "PROJECTIONS",
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
FLAG_MIN_DELIVERED_LINES = 20
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


def _case_topic(name: str) -> str:
    return get_topic(getattr(Case, name))


def _order_topic(name: str) -> str:
    return get_topic(getattr(Order, name))


def _day(at: datetime) -> str:
    return cst_date(at).isoformat()


def _seconds(start: datetime, end: datetime) -> int:
    delta = end - start
    return delta.days * 86400 + delta.seconds


def _bump(tx: DbConnection, table: str, keys: dict[str, Any], counts: dict[str, int]) -> None:
    """Add ``counts`` to the row of ``keys`` (created at zero)."""
    columns = [*keys, *counts]
    tx.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET "
        + ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in counts),
        (*keys.values(), *counts.values()),
    )


def _daily(tx: DbConnection, merchant_id: str, day: str, **counts: int) -> None:
    _bump(tx, "metrics_merchant_daily", {"merchant_id": merchant_id, "day": day}, counts)


class MetricsProjection:
    """Feeds the metrics tables from Order and Case events (see the module docstring)."""

    name = METRICS_PROJECTION
    tables = METRICS_TABLES

    _CASE_EVENTS = (
        "Opened",
        "Accepted",
        "Rejected",
        "RefundPaid",
        "SlaBreached",
        "ComplaintFiled",
        "EscalatedToArbitration",
        "Closed",
        "Rated",
    )
    topics = (
        _order_topic("Recorded"),
        _order_topic("DeliverySigned"),
        *(_case_topic(n) for n in _CASE_EVENTS),
    )

    def __init__(self) -> None:
        self._recorded = _order_topic("Recorded")
        self._delivered = _order_topic("DeliverySigned")
        self._opened = _case_topic("Opened")
        self._case_names = {_case_topic(n): n for n in self._CASE_EVENTS}

    def process(self, tx: DbConnection, event: Any, notification_id: int) -> None:
        topic = get_topic(type(event))
        if topic == self._recorded:
            self._order_recorded(tx, event)
        elif topic == self._delivered:
            self._delivery_signed(tx, event)
        elif topic == self._opened:
            self._case_opened(tx, event)
        elif topic in self._case_names:
            self._case_moved(tx, self._case_names[topic], event)

    # -- orders ----------------------------------------------------------------------------------

    def _order_recorded(self, tx: DbConnection, event: Any) -> None:
        order_id = str(event.originator_id)
        done = tx.execute(
            "INSERT INTO metrics_orders (order_id, order_no, merchant_id, delivered_day, "
            "last_version) VALUES (?, ?, ?, NULL, ?) ON CONFLICT (order_id) DO NOTHING",
            (order_id, event.order_no, event.merchant_id, int(event.originator_version)),
        ).rowcount
        if done != 1:
            return
        tx.executemany(
            "INSERT INTO metrics_order_lines (order_id, line_no, sku, quantity, paid_fen) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (order_id, line.line_no, line.sku, line.quantity, line.paid_fen)
                for line in event.lines
            ],
        )

    def _delivery_signed(self, tx: DbConnection, event: Any) -> None:
        order_id = str(event.originator_id)
        order = tx.execute(
            "SELECT merchant_id, last_version FROM metrics_orders WHERE order_id = ?", (order_id,)
        ).fetchone()
        version = int(event.originator_version)
        if order is None or version <= int(order["last_version"]):
            return
        day = _day(event.signed_at)
        merchant_id = str(order["merchant_id"])
        tx.execute(
            "UPDATE metrics_orders SET delivered_day = ?, last_version = ? WHERE order_id = ?",
            (day, version, order_id),
        )
        lines = tx.execute(
            "SELECT sku, quantity, paid_fen FROM metrics_order_lines WHERE order_id = ? "
            "ORDER BY line_no",
            (order_id,),
        ).fetchall()
        _daily(
            tx,
            merchant_id,
            day,
            delivered_lines=len(lines),
            delivered_paid_fen=sum(int(line["paid_fen"]) for line in lines),
        )
        units: dict[str, int] = defaultdict(int)
        for line in lines:
            units[str(line["sku"])] += int(line["quantity"])
        for sku, quantity in sorted(units.items()):
            _bump(
                tx,
                "metrics_sku_daily",
                {"merchant_id": merchant_id, "sku": sku, "day": day},
                {"delivered_units": quantity},
            )

    # -- cases -----------------------------------------------------------------------------------

    def _case_opened(self, tx: DbConnection, event: Any) -> None:
        kind = CaseKind(event.kind).value
        day = _day(event.at)
        done = tx.execute(
            "INSERT INTO metrics_cases (case_id, case_no, merchant_id, kind, opened_at, "
            "opened_day, last_version) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (case_id) DO NOTHING",
            (
                str(event.originator_id),
                event.case_no,
                event.merchant_id,
                kind,
                ts(event.at),
                day,
                int(event.originator_version),
            ),
        ).rowcount
        if done != 1:
            return
        complaint = 1 if kind == CaseKind.COMPLAINT.value else 0
        _daily(tx, event.merchant_id, day, cases_opened=1, complaints=complaint)
        if kind in _RETURN_KINDS:
            units: dict[str, int] = defaultdict(int)
            for line in event.lines:
                units[line.sku] += int(line.quantity)
            for sku, quantity in sorted(units.items()):
                _bump(
                    tx,
                    "metrics_sku_daily",
                    {"merchant_id": event.merchant_id, "sku": sku, "day": day},
                    {"returned_units": quantity},
                )

    def _case_moved(self, tx: DbConnection, name: str, event: Any) -> None:
        case_id = str(event.originator_id)
        case = tx.execute(
            "SELECT merchant_id, opened_at, first_response_at, accepted_at, last_version "
            "FROM metrics_cases WHERE case_id = ?",
            (case_id,),
        ).fetchone()
        version = int(event.originator_version)
        if case is None or version <= int(case["last_version"]):
            return  # a case opened before the projection's start, or a replayed event
        merchant_id = str(case["merchant_id"])
        at: datetime = event.at
        day = _day(at)
        updates: dict[str, Any] = {"last_version": version}
        if name in ("Accepted", "Rejected") and case["first_response_at"] is None:
            updates.update(
                first_response_at=ts(at),
                first_response_day=day,
                first_response_seconds=_seconds(parse_ts(case["opened_at"]), at),
                first_response_kind=name.lower(),
                first_response_role=Role(event.actor.role).value,
            )
        if name == "Accepted" and case["accepted_at"] is None:
            updates.update(
                accepted_at=ts(at),
                accepted_day=day,
                acceptance_seconds=_seconds(parse_ts(case["opened_at"]), at),
            )
        elif name == "RefundPaid" and event.settles_refund:  # the last tender's payment (R3.a)
            fen = int(event.refund_total_fen)
            _daily(tx, merchant_id, day, refunded_cases=1, refunded_fen=fen)
            updates["refunded_fen"] = fen
        elif name == "SlaBreached":
            if Role(event.party) is Role.MERCHANT:
                _daily(tx, merchant_id, day, merchant_breaches=1)
                _increment(tx, case_id, "merchant_breaches")
            else:
                _daily(tx, merchant_id, day, other_breaches=1)
        elif name == "ComplaintFiled":
            _daily(tx, merchant_id, day, complaints=1)
            _increment(tx, case_id, "complaints")
        elif name == "EscalatedToArbitration":
            _daily(tx, merchant_id, day, arbitrations=1)
            updates["escalated"] = 1
        elif name == "Closed":
            _daily(tx, merchant_id, day, closed_cases=1)
            updates["closed_at"] = ts(at)
        elif name == "Rated":
            _daily(tx, merchant_id, day, ratings=1, rating_sum=int(event.score))
            updates["rating"] = int(event.score)
        columns = sorted(updates)
        tx.execute(
            f"UPDATE metrics_cases SET {', '.join(f'{c} = ?' for c in columns)} WHERE case_id = ?",
            (*(updates[c] for c in columns), case_id),
        )


PROJECTIONS = (MetricsProjection,)
"""For :mod:`projections.registry`."""


def _increment(tx: DbConnection, case_id: str, column: str) -> None:
    tx.execute(
        f"UPDATE metrics_cases SET {column} = {column} + 1 WHERE case_id = ?",
        (case_id,),
    )


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
        """Cases opened / order lines delivered."""
        return Rate(self.counts.cases_opened, self.counts.delivered_lines)

    @property
    def refund_rate(self) -> Rate:
        """Refunded cases / order lines delivered."""
        return Rate(self.counts.refunded_cases, self.counts.delivered_lines)

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
    if counts.delivered_lines >= FLAG_MIN_DELIVERED_LINES and metrics.after_sales_rate.above(
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


@dataclass(frozen=True)
class SkuAlert:
    """R24: a SKU whose recent return rate moved abnormally against its own history."""

    merchant_id: str
    sku: str
    recent_delivered: int
    recent_returned: int
    baseline_delivered: int
    baseline_returned: int

    @property
    def recent_rate(self) -> Rate:
        return Rate(self.recent_returned, self.recent_delivered)

    @property
    def baseline_rate(self) -> Rate:
        return Rate(self.baseline_returned, self.baseline_delivered)

    @property
    def abnormal(self) -> bool:
        if (
            self.recent_delivered < SKU_MIN_RECENT_UNITS
            or self.baseline_delivered < SKU_MIN_BASELINE_UNITS
            or self.recent_returned < SKU_MIN_RECENT_RETURNS
        ):
            return False
        recent = Fraction(self.recent_returned, self.recent_delivered)
        baseline = Fraction(self.baseline_returned, self.baseline_delivered)
        return recent >= SKU_RATE_RATIO * baseline and recent - baseline >= SKU_MIN_RATE_RISE


def sku_return_rates(
    db: Database, as_of: date, *, merchant_id: str | None = None
) -> list[SkuAlert]:
    """Recent and baseline delivered / returned units of every SKU (flagged or not)."""
    recent_start, recent_end = _window(as_of, SKU_RECENT_DAYS)
    base_end = recent_start - timedelta(days=1)
    base_start = base_end - timedelta(days=SKU_BASELINE_DAYS - 1)
    sql = (
        "SELECT merchant_id, sku, "
        "COALESCE(SUM(CASE WHEN day >= ? THEN delivered_units ELSE 0 END), 0) AS rd, "
        "COALESCE(SUM(CASE WHEN day >= ? THEN returned_units ELSE 0 END), 0) AS rr, "
        "COALESCE(SUM(CASE WHEN day < ? THEN delivered_units ELSE 0 END), 0) AS bd, "
        "COALESCE(SUM(CASE WHEN day < ? THEN returned_units ELSE 0 END), 0) AS br "
        "FROM metrics_sku_daily WHERE day >= ? AND day <= ?"
    )
    start = recent_start.isoformat()
    params: list[Any] = [start, start, start, start, base_start.isoformat(), recent_end.isoformat()]
    if merchant_id is not None:
        sql += " AND merchant_id = ?"
        params.append(merchant_id)
    sql += " GROUP BY merchant_id, sku ORDER BY merchant_id, sku"
    with db.connect() as conn:
        rows = conn.execute(sql, params).fetchall()
    return [
        SkuAlert(
            merchant_id=str(r["merchant_id"]),
            sku=str(r["sku"]),
            recent_delivered=int(r["rd"]),
            recent_returned=int(r["rr"]),
            baseline_delivered=int(r["bd"]),
            baseline_returned=int(r["br"]),
        )
        for r in rows
    ]


def sku_alerts(db: Database, as_of: date, *, merchant_id: str | None = None) -> list[SkuAlert]:
    """R24: SKUs whose return rate moved abnormally (see the module docstring), per merchant."""
    return [a for a in sku_return_rates(db, as_of, merchant_id=merchant_id) if a.abnormal]


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
