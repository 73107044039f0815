"""Benchmarks: what one command and one projected event cost, as ratios to a baseline measured in
the same run on the same store (the machine is shared and noisy; absolute times are shown but the
ratios are the result).

    .venv/bin/python bench/run.py [--cases N] [--store sqlite|postgresql] [--pg-url URL]

- command: ``AfterSales.accept`` (load the case, run its guards, hash-chain the event, save it with
  an idempotency record) against the baseline of saving one event of a bare ``eventsourcing``
  aggregate on the same store.
- projection: catching up every projection over the log against the baseline of reading and
  decoding the same notifications.
"""

from __future__ import annotations

import argparse
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from domain.lines import OrderLine, Tender
from domain.service import AfterSales, LineRequest, event_store_env
from domain.terms import PolicyTerms
from domain.values import Actor, Role, TenderKind
from projections.db import Database
from projections.migrate import migrate
from projections.registry import make_runner

SYSTEM = Actor(Role.SYSTEM, "bench")
CONSUMER = Actor(Role.CONSUMER, "c1")
MERCHANT = Actor(Role.MERCHANT, "s1", merchant_id="m1")


class Counter(Aggregate):
    """The baseline aggregate: one plain event per step, no guards, no hash chain."""

    def __init__(self) -> None:
        self.n = 0

    @event("Stepped")
    def step(self, note: str) -> None:
        self.n += 1


class Baseline(Application[uuid.UUID]):
    name = "Baseline"


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC) - timedelta(days=3)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=5)
        return self.now


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def store_url(kind: str, pg_url: str, tmp: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'bench.db'}"
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return f"{pg_url}?options=-csearch_path%3D{schema}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="aftersales-bench-"))
    url = store_url(args.store, args.pg_url, tmp)
    clock = Clock()
    app = AfterSales.from_url(url, clock=clock)
    # The baseline's events live beside the service's, not in its notification log.
    baseline_url = f"sqlite:///{tmp / 'baseline.db'}" if args.store == "sqlite" else url
    baseline = Baseline(env=event_store_env(baseline_url))

    print(
        f"machine: {platform.platform()}, {platform.machine()}, python "
        f"{platform.python_version()}, sqlite {sqlite3.sqlite_version}"
    )
    print(f"store: {args.store}; cases: {args.cases}")

    app.publish_policy(
        request_id="p", actor=SYSTEM, merchant_id="m1", terms=PolicyTerms(categories=("phone",))
    )
    line = OrderLine(1, "S", "Phone", "phone", 1, 100_00, (Tender(TenderKind.CARD, 100_00),))
    case_nos = []
    for n in range(args.cases):
        order_no = f"O{n}"
        app.record_order(
            request_id=f"o{n}",
            actor=SYSTEM,
            order_no=order_no,
            consumer_id="c1",
            merchant_id="m1",
            placed_at=clock(),
            lines=[line],
        )
        app.record_delivery(request_id=f"d{n}", actor=SYSTEM, order_no=order_no, signed_at=clock())
        result = app.open_case(
            request_id=f"c{n}",
            actor=CONSUMER,
            order_no=order_no,
            kind="return_refund",
            reason_code="no_reason",
            lines=[LineRequest(1, 1)],
            description="bench",
        )
        case_nos.append(result.key)

    # -- commands
    pending = iter(case_nos)
    counters = []
    for _ in range(args.cases):
        counter = Counter()
        baseline.save(counter)
        counters.append(counter)
    pending_counters = iter(counters)

    def one_accept() -> None:
        case_no = next(pending)
        app.accept(request_id=f"a-{case_no}", actor=MERCHANT, case_no=case_no)

    def one_baseline_step() -> None:
        counter = next(pending_counters)
        counter.step(note="bench")
        baseline.save(counter)

    half = args.cases // 2
    base_a = timed(one_baseline_step, half)
    cmd_a = timed(one_accept, half)
    base_b = timed(one_baseline_step, args.cases - half)
    cmd_b = timed(one_accept, args.cases - half)  # interleaved halves against drift
    base, cmd = base_a + base_b, cmd_a + cmd_b
    print(
        f"command  accept        median {statistics.median(cmd) * 1e3:7.2f} ms   "
        f"baseline save {statistics.median(base) * 1e3:7.2f} ms   "
        f"ratio {statistics.median(cmd) / statistics.median(base):5.2f}x"
    )

    # -- projections
    db = Database.from_url(url)
    migrate(db)
    head = app.recorder.max_notification_id() or 0

    def read_and_decode() -> None:
        start = 1
        while True:
            page = app.recorder.select_notifications(start, 500)
            if not page:
                return
            for notification in page:
                app.mapper.to_domain_event(notification)
            start = page[-1].id + 1

    base_read = min(timed(read_and_decode, 3))
    runner = make_runner(app, db)
    start = time.perf_counter()
    runner.rebuild()
    rebuild = time.perf_counter() - start
    per_projection = rebuild / max(1, len(runner.projections))
    print(
        f"project  {head} events x {len(runner.projections)} projections: rebuild "
        f"{rebuild:6.2f} s ({head * len(runner.projections) / rebuild:8.0f} event-projections/s)"
        f"   baseline read+decode {base_read:6.3f} s   ratio per projection "
        f"{per_projection / base_read:5.1f}x"
    )
    db.close()
    if args.store == "postgresql":
        import psycopg

        schema = url.rsplit("%3D", 1)[1]
        with psycopg.connect(args.pg_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
