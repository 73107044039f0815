"""R24: SKUs whose return rate moves abnormally against their own history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from projections.db import Database
from projections.metrics.limits import (
    SKU_BASELINE_DAYS,
    SKU_MIN_BASELINE_UNITS,
    SKU_MIN_RATE_RISE,
    SKU_MIN_RECENT_RETURNS,
    SKU_MIN_RECENT_UNITS,
    SKU_RATE_RATIO,
    SKU_RECENT_DAYS,
)
from projections.metrics.rates import Rate, _window


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
