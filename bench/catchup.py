"""Projection catch-up (issue 12, section 3): rebuilding every projection from zero in ONE pass
over the notification log, against the raw rate of reading and decoding the same log, in the same
run on the same store.

    .venv/bin/python -m bench.catchup --url postgresql://postgres@127.0.0.1:5432/bench_x

The store must be loaded already (``bench.load`` or ``bench.catchup_store``); its read-model
tables are emptied and rebuilt (do not point this at a database whose read models you need
without a backup: they are rebuilt to the same content, but pages wait meanwhile).

- baseline: ``recorder.select_notifications`` + ``mapper.to_domain_event`` over the whole log, in
  batches of the same size the runner uses;
- rebuild: every projection of ``projections.registry`` from position 0 in one pass
  (``Runner.catch_up``), after emptying their tables (PostgreSQL: ``TRUNCATE`` then ``VACUUM``, so
  the dead rows counted afterwards are the rebuild's own);
- result: events/s of both, their ratio (target >= 0.5 on PostgreSQL), each projection's share of
  the rebuild's time (decoding counted apart) and, on PostgreSQL, dead rows per read-model table
  after the rebuild (``pg_stat_user_tables.n_dead_tup`` once the statistics are flushed).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from typing import Any

from domain.service import AfterSales
from projections.batch import BatchTimings
from projections.db import Database
from projections.migrate import migrate
from projections.notifications import count_notifications_after
from projections.registry import make_runner

__all__ = ["bench_catchup"]

BATCH_SIZE = 500


def bench_catchup(
    url: str,
    progress: Callable[[int, int], None] | None = None,
    *,
    batch_size: int = BATCH_SIZE,
) -> dict[str, Any]:
    """Measure the raw read+decode rate and a one-pass rebuild of all projections on ``url``."""
    app = AfterSales.from_url(url)
    db = Database.from_url(url, pool_min_size=1, pool_max_size=2)
    try:
        migrate(db)
        events = count_notifications_after(app.recorder, 0)
        if events == 0:
            raise ValueError(f"no events in {url!r}: load the store first")
        total = 2 * events
        step = _Progress(progress, total)
        raw_seconds = _read_and_decode(app, batch_size, step)
        runner = make_runner(app, db)
        _empty(url, db, runner)
        timings = BatchTimings()
        started = time.perf_counter()
        processed = runner.catch_up(
            batch_size,
            progress=lambda done, _t: step.at(events + done // max(1, len(runner.projections))),
            timings=timings,
        )
        rebuild_seconds = time.perf_counter() - started
        step.at(total)
        raw_rate = events / raw_seconds
        rebuild_rate = events / rebuild_seconds
        spent = sum(timings.per_projection.values())
        result: dict[str, Any] = {
            "store": db.dialect,
            "events": events,
            "batch_size": batch_size,
            "projections": len(runner.projections),
            "raw_read_decode_seconds": round(raw_seconds, 3),
            "raw_events_per_s": round(raw_rate, 1),
            "rebuild_seconds": round(rebuild_seconds, 3),
            "rebuild_events_per_s": round(rebuild_rate, 1),
            "events_applied_summed_over_projections": processed,
            "ratio": round(rebuild_rate / raw_rate, 3),
            "target_ratio": 0.5,
            "decode_seconds_in_rebuild": round(timings.decoding, 3),
            "share": {
                name: round(seconds / rebuild_seconds, 3)
                for name, seconds in sorted(timings.per_projection.items(), key=lambda kv: -kv[1])
            },
            "other_share": round(max(0.0, rebuild_seconds - spent) / rebuild_seconds, 3),
            "machine": _machine(db),
        }
        if db.dialect == "postgresql":
            result["dead_rows"] = _dead_rows(db, runner)
        return result
    finally:
        db.close()
        app.close()


class _Progress:
    def __init__(self, progress: Callable[[int, int], None] | None, total: int) -> None:
        self.progress, self.total = progress, total
        self.at(0)

    def at(self, done: int) -> None:
        if self.progress is not None:
            self.progress(min(done, self.total), self.total)


def _read_and_decode(app: AfterSales, batch_size: int, step: _Progress) -> float:
    started = time.perf_counter()
    position = done = 0
    decode = app.mapper.to_domain_event
    while True:
        notifications = app.recorder.select_notifications(
            position, batch_size, inclusive_of_start=False
        )
        if not notifications:
            break
        for notification in notifications:
            decode(notification)
        position = notifications[-1].id
        done += len(notifications)
        step.at(done)
    return time.perf_counter() - started


def _tables(runner: Any) -> list[str]:
    return sorted(t for p in runner.projections.values() for t in p.tables)


def _empty(url: str, db: Database, runner: Any) -> None:
    """What ``Runner.rebuild`` does, with TRUNCATE + VACUUM on PostgreSQL so that no dead row
    of the emptying is counted as the rebuild's."""
    tables = _tables(runner)
    with db.transaction() as tx:
        if db.dialect == "postgresql":
            tx.execute(f"TRUNCATE {', '.join(tables)}")
        else:
            for table in tables:
                tx.execute(f"DELETE FROM {table}")
        tx.execute("DELETE FROM parked_events")
        tx.execute("UPDATE projection_tracking SET position = 0")
    if db.dialect == "postgresql":
        _vacuum(url, tables)


def _vacuum(url: str, tables: list[str]) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for table in [*tables, "projection_tracking"]:
            conn.execute(f"VACUUM {table}")


def _dead_rows(db: Database, runner: Any) -> dict[str, dict[str, int]]:
    tables = _tables(runner)
    with db.transaction() as tx:
        tx.execute("SELECT pg_stat_force_next_flush()")
    time.sleep(1.0)  # the stats of this backend are flushed at its next transaction end
    with db.transaction() as tx:
        tx.execute("SELECT pg_stat_clear_snapshot()")
        rows = tx.execute(
            "SELECT relname, n_live_tup, n_dead_tup FROM pg_stat_user_tables"
        ).fetchall()
    found = {r["relname"]: r for r in rows}
    return {
        t: {"live": int(found[t]["n_live_tup"]), "dead": int(found[t]["n_dead_tup"])}
        for t in tables
        if t in found
    }


def _machine(db: Database) -> dict[str, Any]:
    out: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    if db.dialect == "postgresql":
        with db.connect() as conn:
            out["postgresql"] = conn.execute("SHOW server_version").fetchone()["server_version"]
    else:
        import sqlite3

        out["sqlite"] = sqlite3.sqlite_version
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="projection catch-up vs raw read+decode")
    parser.add_argument("--url", required=True, help="a loaded store (sqlite:/// or postgresql://)")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    args = parser.parse_args(argv)

    def show(done: int, total: int) -> None:
        print(f"\r{done}/{total}", end="", file=sys.stderr, flush=True)

    result = bench_catchup(args.url, show, batch_size=args.batch_size)
    print(file=sys.stderr)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
