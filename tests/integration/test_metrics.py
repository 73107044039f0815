"""Merchant metrics (projections/metrics.py) on SQLite and PostgreSQL, fed by the real domain;
thresholds of the badge (R22), the flags (R15) and the SKU warning (R24) at their boundaries."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from projections.metrics import (
    BADGE_MAX_MEDIAN_ACCEPTANCE_SECONDS,
    BADGE_MIN_CLOSED_CASES,
    METRICS_TABLES,
    Counts,
    Durations,
    MerchantMetrics,
    MetricsProjection,
    Rate,
    SkuAlert,
    badge_for,
    flagged_merchants,
    flags_for,
    gold_badge,
    merchant_ids,
    merchant_metrics,
    merchant_series,
    percentile,
    quarterly_satisfaction,
    sku_alerts,
    sku_return_rates,
)
from projections.runner import Runner
from projections.tablehash import table_digest
from tests.integration.test_ledger import CARD, World, build_scenario

YEAR = (date(2026, 1, 1), date(2026, 12, 31))
KEYS = {
    "metrics_orders": ["order_id"],
    "metrics_order_lines": ["order_id", "line_no"],
    "metrics_cases": ["case_id"],
    "metrics_merchant_daily": ["merchant_id", "day"],
    "metrics_sku_daily": ["merchant_id", "sku", "day"],
}


@pytest.fixture
def world(store_url: str, tmp_path: Path) -> Iterator[World]:
    w = World(store_url, tmp_path)
    yield w
    w.close()


def metrics_runner(w: World, **kwargs: Any) -> Runner:
    return Runner(w.app, w.db, [MetricsProjection()], **kwargs)


def test_tables_hold_what_the_events_say(world: World) -> None:
    s = build_scenario(world)
    metrics_runner(world).catch_up(batch_size=6)

    m1 = merchant_metrics(world.db, "m1", *YEAR)
    assert m1.counts == Counts(
        delivered_lines=4,  # O-A, O-B, O-D, O-F
        delivered_orders=4,  # one line each
        refunded_orders=2,
        delivered_paid_fen=10000 + 6000 + 30000 + 8000,
        cases_opened=4,
        refunded_cases=2,
        refunded_fen=10000 + 8200,
        closed_cases=3,  # the withdrawn case is not closed
    )
    # accepted 30 min, 45 min, 5 h and 1 h after opening
    assert m1.acceptance == Durations(4, 2700, 18000)
    assert m1.first_response == m1.acceptance
    assert m1.after_sales_rate == Rate(4, 4)
    assert m1.refund_rate == Rate(2, 4)
    assert m1.refund_amount_rate.percent() == Decimal("33.70")
    assert m1.refund_amount_rate == Rate(18200, 54000)

    m2 = merchant_metrics(world.db, "m2", *YEAR)
    assert (m2.counts.delivered_lines, m2.counts.cases_opened, m2.counts.closed_cases) == (1, 2, 1)
    assert m2.after_sales_rate.percent() == 200  # the never-delivered order still has a case
    assert m2.acceptance == Durations(2, 3600, 3600)
    assert merchant_ids(world.db) == ["m1", "m2"]

    with world.db.connect() as conn:
        returned = {
            (r["sku"], int(r["returned_units"]))
            for r in conn.execute(
                "SELECT sku, SUM(returned_units) AS returned_units FROM metrics_sku_daily "
                "GROUP BY sku"
            ).fetchall()
        }
        row = conn.execute(
            "SELECT kind, first_response_kind, first_response_role, refunded_fen, closed_at "
            "FROM metrics_cases WHERE case_no = ?",
            (s.shipping,),
        ).fetchone()
    assert returned == {("phone", 1), ("case", 2), ("watch", 0), ("radio", 0), ("lamp", 0)}
    assert row["kind"] == "return_refund"
    assert (row["first_response_kind"], row["first_response_role"]) == ("accepted", "merchant")
    assert (int(row["refunded_fen"]), row["closed_at"] is not None) == (8200, True)


def test_breaches_complaints_arbitration_and_ratings_are_counted(world: World) -> None:
    world.policy("m1")
    world.order("O-1", "m1", [("phone", 1, [(CARD, 5000)])])
    world.order("O-2", "m1", [("phone", 1, [(CARD, 5000)])], consumer_id="c2")
    silent = world.open("O-1", "return_refund", "no_reason")
    world.tick(hours=2)  # R12: the merchant's 2 hours are up
    world.expire(silent, "merchant_decision")  # breach, then R12.a: taken to agree
    world.tick(days=8)
    world.expire(silent, "consumer_ship")  # the consumer's breach, the case closes
    world.rate(silent, 2)
    disputed = world.open("O-2", "return_refund", "quality_defect", consumer_id="c2")
    world.tick(minutes=20)
    world.reject(disputed)
    world.complain(disputed)
    world.escalate(disputed)
    metrics_runner(world).catch_up()

    m = merchant_metrics(world.db, "m1", *YEAR)
    assert (m.counts.merchant_breaches, m.counts.other_breaches) == (1, 1)
    assert m.breach_rate == Rate(1, 2)
    assert m.dispute_rate == Rate(1, 2)
    assert m.arbitration_rate == Rate(1, 2)
    assert m.satisfaction == Rate(2, 1)
    # first response: the system's acceptance after 2 h, the merchant's rejection after 20 min
    assert m.first_response == Durations(2, 1200, 7200)
    assert m.acceptance == Durations(1, 7200, 7200)
    with world.db.connect() as conn:
        roles = {
            r["case_no"]: (r["first_response_kind"], r["first_response_role"], r["escalated"])
            for r in conn.execute("SELECT * FROM metrics_cases").fetchall()
        }
    assert roles == {silent: ("accepted", "system", 0), disputed: ("rejected", "merchant", 1)}


def test_rebuild_gives_identical_table_digests(world: World) -> None:
    build_scenario(world)
    runner = metrics_runner(world)
    runner.catch_up(batch_size=4)
    before = {t: table_digest(world.db, t, k) for t, k in KEYS.items()}
    assert set(KEYS) == set(METRICS_TABLES)

    runner.rebuild(batch_size=1000)

    assert {t: table_digest(world.db, t, k) for t, k in KEYS.items()} == before


def test_crash_mid_batch_resumes_with_the_same_counts(world: World) -> None:
    build_scenario(world)
    batches: list[int] = []

    def crash_on_fifth(name: str, position: int) -> None:
        batches.append(position)
        if len(batches) == 5:
            raise RuntimeError("killed before commit")

    with pytest.raises(RuntimeError):
        metrics_runner(world, on_batch_written=crash_on_fifth).catch_up(batch_size=10)
    metrics_runner(world).catch_up(batch_size=10)
    resumed = {t: table_digest(world.db, t, k) for t, k in KEYS.items()}
    metrics_runner(world).rebuild()
    assert {t: table_digest(world.db, t, k) for t, k in KEYS.items()} == resumed


def _gold_merchant(world: World, merchant_id: str, slow: int, *, scores: tuple[int, int]) -> None:
    """20 no-reason returns: 20 - slow accepted after exactly 1 h, ``slow`` after 1 h 1 s; none
    shipped, so each closes when the consumer's shipping deadline passes; half rated
    ``scores[0]``, half ``scores[1]``."""
    world.policy(merchant_id)
    cases = []
    orders = [f"{merchant_id}-O{i}" for i in range(BADGE_MIN_CLOSED_CASES)]
    for i, order_no in enumerate(orders):
        world.order(
            order_no,
            merchant_id,
            [("phone", 1, [(CARD, 5000)])],
            consumer_id=f"c{i}",
            delivered=False,
        )
    world.tick(hours=20)
    for order_no in orders:
        world.deliver(order_no)
    world.tick(hours=1)
    opened_at = world.now
    for i in range(BADGE_MIN_CLOSED_CASES):
        cases.append(
            world.open(f"{merchant_id}-O{i}", "return_refund", "no_reason", consumer_id=f"c{i}")
        )
    world.now = opened_at + timedelta(seconds=BADGE_MAX_MEDIAN_ACCEPTANCE_SECONDS)
    for case_no in cases[slow:]:
        world.accept(case_no)
    world.tick(seconds=1)
    for case_no in cases[:slow]:
        world.accept(case_no)
    world.tick(days=9)
    for i, case_no in enumerate(cases):
        world.expire(case_no, "consumer_ship")
        world.rate(case_no, scores[i % 2])


def test_badge_is_earned_from_the_record_and_lost_at_the_median_boundary(world: World) -> None:
    world.now = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    # The cases are opened at the same instant, so acceptance times are exact.
    _gold_merchant(world, "edge", slow=10, scores=(5, 4))  # median = 10th of 20 = 3600 s
    _gold_merchant(world, "over", slow=11, scores=(5, 4))  # median = 3601 s
    _gold_merchant(world, "grumpy", slow=0, scores=(5, 3))  # satisfaction 4.0
    metrics_runner(world).catch_up()
    as_of = world.now.date() + timedelta(days=1)

    edge = gold_badge(world.db, "edge", as_of)
    assert edge.awarded, edge.failed
    assert edge.metrics.acceptance.median_seconds == 3600
    assert edge.metrics.satisfaction.value == Fraction(9, 2)
    assert edge.metrics.counts.closed_cases == 20

    over = gold_badge(world.db, "over", as_of)
    assert over.failed == ("median_acceptance_seconds",)
    assert over.metrics.acceptance.median_seconds == 3601

    assert gold_badge(world.db, "grumpy", as_of).failed == ("satisfaction",)

    # 90 days later the record has aged out of the window: no badge without recent cases
    assert gold_badge(world.db, "edge", as_of + timedelta(days=90)).failed[0] == "closed_cases"


def metrics(**counts: int) -> MerchantMetrics:
    """Metrics over a period with the given counters and acceptance times (``acceptance`` s)."""
    acceptance = counts.pop("acceptance", 600)
    return MerchantMetrics(
        "m",
        date(2026, 1, 1),
        date(2026, 3, 31),
        Counts(**counts),
        Durations.of([acceptance]),
        Durations.of([acceptance]),
    )


GOLD = {
    "cases_opened": 100,
    "closed_cases": 20,
    "merchant_breaches": 2,
    "arbitrations": 1,
    "ratings": 10,
    "rating_sum": 45,
    "acceptance": 3600,
}


@pytest.mark.parametrize(
    ("change", "failed"),
    [
        ({}, ()),
        ({"closed_cases": 19}, ("closed_cases",)),
        ({"acceptance": 3601}, ("median_acceptance_seconds",)),
        ({"merchant_breaches": 3}, ("breach_rate",)),
        ({"cases_opened": 50, "merchant_breaches": 1, "arbitrations": 0}, ()),  # 2 % exactly
        ({"cases_opened": 49, "merchant_breaches": 1, "arbitrations": 0}, ("breach_rate",)),
        ({"arbitrations": 2}, ("arbitration_rate",)),
        ({"cases_opened": 99, "merchant_breaches": 1}, ("arbitration_rate",)),  # 1 of 99 > 1 %
        ({"rating_sum": 44}, ("satisfaction",)),
        ({"ratings": 4, "rating_sum": 18}, ("ratings",)),  # 4.5, but too few ratings
        ({"ratings": 5, "rating_sum": 23}, ()),
        (
            {"cases_opened": 0, "merchant_breaches": 0, "arbitrations": 0},
            ("breach_rate", "arbitration_rate"),
        ),
    ],
)
def test_badge_thresholds_at_their_boundaries(
    change: dict[str, int], failed: tuple[str, ...]
) -> None:
    verdict = badge_for(metrics(**{**GOLD, **change}), date(2026, 3, 31))
    assert verdict.failed == failed
    assert verdict.awarded is (not failed)


@pytest.mark.parametrize(
    ("counts", "reasons"),
    [
        ({"delivered_orders": 20, "cases_opened": 2}, ()),  # 10 % is not above 10 %
        ({"delivered_orders": 20, "cases_opened": 3}, ("after_sales_rate",)),
        ({"delivered_orders": 19, "cases_opened": 19}, ()),  # too few orders to judge
        ({"cases_opened": 10, "merchant_breaches": 1, "delivered_orders": 100}, ()),
        ({"cases_opened": 10, "merchant_breaches": 2, "delivered_orders": 100}, ("breach_rate",)),
        ({"cases_opened": 4, "merchant_breaches": 4, "delivered_orders": 100}, ()),
        (
            {"cases_opened": 5, "merchant_breaches": 5, "delivered_orders": 20},
            ("after_sales_rate", "breach_rate"),
        ),
    ],
)
def test_frequent_problem_flags_at_their_boundaries(
    counts: dict[str, int], reasons: tuple[str, ...]
) -> None:
    assert flags_for(metrics(**counts)) == reasons


@pytest.mark.parametrize(
    ("recent", "baseline", "abnormal"),
    [
        ((20, 3), (100, 5), True),  # 15 % vs 5 %
        ((20, 3), (200, 15), True),  # 15 % vs 7.5 %: exactly twice
        ((20, 3), (200, 16), False),  # 15 % vs 8 %: less than twice
        ((40, 4), (100, 5), True),  # 10 % vs 5 %: twice and exactly 5 points up
        ((40, 4), (100, 6), False),
        ((30, 3), (100, 0), True),  # new problem on a product that had none
        ((19, 19), (100, 1), False),  # too few units recently
        ((20, 2), (100, 0), False),  # too few returns
        ((20, 10), (49, 0), False),  # too little history
    ],
)
def test_sku_warning_at_its_boundaries(
    recent: tuple[int, int], baseline: tuple[int, int], abnormal: bool
) -> None:
    alert = SkuAlert("m", "sku", recent[0], recent[1], baseline[0], baseline[1])
    assert alert.abnormal is abnormal


def _sku_day(world: World, day: date, delivered: int, returned: int, sku: str = "kettle") -> None:
    with world.db.transaction() as tx:
        tx.execute(
            "INSERT INTO metrics_sku_daily "
            "(merchant_id, sku, day, delivered_units, returned_units) VALUES ('m1', ?, ?, ?, ?)",
            (sku, day.isoformat(), delivered, returned),
        )


def test_sku_windows_split_recent_from_baseline_on_cst_days(world: World) -> None:
    as_of = date(2026, 6, 30)
    first_recent = as_of - timedelta(days=29)
    _sku_day(world, first_recent, 20, 3)  # recent: 15 %
    _sku_day(world, first_recent - timedelta(days=1), 60, 3)  # baseline: 5 %
    _sku_day(world, first_recent - timedelta(days=90), 40, 0)  # baseline's first day
    _sku_day(world, first_recent - timedelta(days=91), 1000, 900)  # too old to count
    _sku_day(world, as_of + timedelta(days=2), 1000, 900)  # after as_of (and as_of + 1)
    _sku_day(world, first_recent, 20, 0, sku="mug")

    rates = {a.sku: a for a in sku_return_rates(world.db, as_of)}
    kettle = rates["kettle"]
    assert (kettle.recent_delivered, kettle.recent_returned) == (20, 3)
    assert (kettle.baseline_delivered, kettle.baseline_returned) == (100, 3)
    assert [a.sku for a in sku_alerts(world.db, as_of)] == ["kettle"]
    assert sku_alerts(world.db, as_of, merchant_id="m2") == []
    # a day later the first recent day has moved to the baseline
    assert sku_alerts(world.db, as_of + timedelta(days=1)) == []


def test_flagged_merchants_from_the_record(world: World) -> None:
    world.policy("m1")
    for i in range(20):
        world.order(
            f"O{i}", "m1", [("phone", 1, [(CARD, 1000)])], consumer_id=f"c{i}", delivered=False
        )
        world.deliver(f"O{i}")
    for i in range(3):
        world.open(f"O{i}", "return_refund", "no_reason", consumer_id=f"c{i}")
    metrics_runner(world).catch_up()
    as_of = world.now.date()

    [flag] = flagged_merchants(world.db, as_of)
    assert (flag.merchant_id, flag.reasons) == ("m1", ("after_sales_rate",))
    assert flag.metrics.after_sales_rate == Rate(3, 20)
    assert flagged_merchants(world.db, as_of + timedelta(days=40)) == []


def test_quarterly_satisfaction_follows_cst_quarters(world: World) -> None:
    world.policy("m1")
    world.order("O1", "m1", [("phone", 1, [(CARD, 1000)])])
    world.order("O2", "m1", [("phone", 1, [(CARD, 1000)])], consumer_id="c2")
    world.order("O3", "m1", [("phone", 1, [(CARD, 1000)])], consumer_id="c3")
    cases = [
        world.open("O1", "return_refund", "quality_defect"),
        world.open("O2", "return_refund", "quality_defect", consumer_id="c2"),
        world.open("O3", "return_refund", "quality_defect", consumer_id="c3"),
    ]
    for case_no in cases:
        world.reject(case_no)
        world.close_case(case_no)
    world.now = datetime(2026, 3, 31, 15, 59, 59, tzinfo=UTC)  # 23:59:59 CST, Q1
    world.rate(cases[0], 5)
    world.rate(cases[1], 4)
    world.now = datetime(2026, 3, 31, 16, 0, tzinfo=UTC)  # 1 April 00:00 CST, Q2
    world.rate(cases[2], 2)
    metrics_runner(world).catch_up()

    quarters = quarterly_satisfaction(world.db, "m1")
    assert [(q.quarter, q.ratings, q.rating_sum) for q in quarters] == [
        ("2026-Q1", 2, 9),
        ("2026-Q2", 1, 2),
    ]
    assert quarters[0].average.rounded(2) == Decimal("4.50")
    assert [p.month for p in merchant_series(world.db, "m1")] == ["2026-03", "2026-04"]


def test_monthly_series_for_charts(world: World) -> None:
    build_scenario(world)
    world.now = datetime(2026, 4, 10, 2, 0, tzinfo=UTC)
    world.order("O-APR", "m1", [("phone", 2, [(CARD, 8000)])], consumer_id="c9")
    late = world.open("O-APR", "return_refund", "no_reason", consumer_id="c9")
    world.tick(minutes=10)
    world.reject(late)
    metrics_runner(world).catch_up()

    march, april = merchant_series(world.db, "m1")
    assert (march.month, march.counts.cases_opened, march.counts.delivered_lines) == (
        "2026-03",
        4,
        4,
    )
    assert march.first_response == Durations(4, 2700, 18000)
    assert (april.month, april.counts.cases_opened, april.counts.delivered_lines) == (
        "2026-04",
        1,
        1,
    )
    assert april.first_response == Durations(1, 600, 600)
    assert april.after_sales_rate == Rate(1, 1)
    assert merchant_series(world.db, "nobody") == []


def test_percentiles_are_nearest_rank() -> None:
    assert percentile([], 50) is None
    assert percentile([7], 90) == 7
    assert percentile([1, 2, 3, 4], 50) == 2
    assert percentile([4, 3, 2, 1], 90) == 4
    assert percentile(range(1, 11), 90) == 9
    assert percentile(range(1, 11), 50) == 5
    with pytest.raises(ValueError):
        percentile([1], 0)
    assert Rate(1, 3).percent() == Decimal("33.33")
    assert Rate(2, 3).percent() == Decimal("66.67")
    assert Rate(1, 8).percent(1) == Decimal("12.5")
    assert Rate(1, 0).value is None and Rate(1, 0).percent() is None


def test_r15_rates_are_per_delivered_order_not_per_line(world: World) -> None:
    """Issue 8, R15: after-sales rate = cases / delivered orders; refund rate = orders refunded /
    delivered orders. One order of three lines with two refunded cases: one order delivered,
    two cases (200 %, it was 2/3 per line), one order refunded (100 %, not 2 cases / 3 lines)."""
    world.policy("m1")
    world.order(
        "O-X",
        "m1",
        [("phone", 1, [(CARD, 5000)]), ("case", 1, [(CARD, 2000)]), ("cable", 1, [(CARD, 1000)])],
    )
    first = world.open("O-X", "return_refund", "quality_defect", [(1, 1)])
    second = world.open("O-X", "return_refund", "quality_defect", [(2, 1)])
    for case_no, ref in ((first, "PSP-X1"), (second, "PSP-X2")):
        world.tick(minutes=30)
        world.return_goods(case_no, "product_defect")
        world.approve(case_no)
        world.tick(hours=1)
        world.pay(case_no, ref)
    metrics_runner(world).catch_up()
    m1 = merchant_metrics(world.db, "m1", *YEAR)
    assert (m1.counts.delivered_orders, m1.counts.delivered_lines) == (1, 3)
    assert (m1.counts.refunded_orders, m1.counts.refunded_cases) == (1, 2)
    assert m1.after_sales_rate == Rate(2, 1)
    assert m1.refund_rate == Rate(1, 1)
