"""Command benchmarks (issue 12, sections 1 and 2), each against a baseline measured in the same
run on the same store kind.

    .venv/bin/python -m bench.commands --store sqlite|postgresql [--seconds 30] [--threads 32]
        [--pg-url postgresql://postgres@127.0.0.1:5432/test] [--profile]

1. ``bench_command_path``: the realistic mix (bench/mix.py: open, accept, note, ship, receive,
   inspect, approve, pay ...) through ``AfterSales``, one thread, against a bare library
   ``Application`` doing the same work per command without any of ours: load an aggregate holding
   as many events as the case, append as many events as the command stored (case events, order
   events, the request record), save. Three rounds, each service then baseline; median of the
   three ratios. Also the ratio to a baseline that only saves (no load), for reference.
2. ``bench_concurrent``: ``threads`` client threads, each walking its own cases through the mix,
   through group commit (domain/group_commit.py), then the same with one transaction per command
   (``AFTERSALES_GROUP_COMMIT=0``); commands/s and p50/p99 latency of each.

Each makes its own store: a fresh schema in the PostgreSQL database of ``url`` (dropped after),
or a fresh SQLite file beside the one ``url`` names (deleted after). ``--store postgresql`` alone
creates and drops a database ``bench_cmdpath_<hex>``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from bench.mix import CasePlan, interleaved, plan_cases, run_step, setup_commands
from domain.service import AfterSales
from domain.store_settings import event_store_env
from projections.event_store import create_event_store_tables

Progress = Callable[[int, int], None] | None
POOL = {"POSTGRES_POOL_SIZE": "6", "POSTGRES_MAX_OVERFLOW": "6"}  # max_connections is shared


class Counter(Aggregate):
    """The baseline aggregate: plain events, no guards, no hash chain."""

    def __init__(self) -> None:
        self.n = 0

    @event("Stepped")
    def step(self, note: str) -> None:
        self.n += 1


class Baseline(Application[uuid.UUID]):
    name = "Baseline"


# ----------------------------------------------------------------------------- stores
@contextmanager
def scratch_store(url: str) -> Iterator[str]:
    """A fresh empty store of the same kind as ``url``, removed afterwards."""
    tag = uuid.uuid4().hex[:8]
    if url.startswith("sqlite"):
        base = Path(event_store_env(url)["SQLITE_DBNAME"])
        path = base.with_name(f"{base.stem}-cmdbench-{tag}.db")
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm", ".create-tables.lock"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    plain = url.split("?", 1)[0]
    schema = f"bench_cmd_{tag}"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{plain}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@contextmanager
def scratch_database(server: str) -> Iterator[str]:
    """A database ``bench_cmdpath_<hex>`` on the PostgreSQL server of ``server``, dropped after."""
    import psycopg

    name = f"bench_cmdpath_{uuid.uuid4().hex[:8]}"
    plain = server.split("?", 1)[0]
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield plain.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def machine(url: str) -> dict[str, Any]:
    info: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "store": url.split(":", 1)[0],
    }
    if url.startswith("postgres"):
        import psycopg

        with psycopg.connect(url.split("?", 1)[0]) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            info["postgresql"] = row[0] if row else "?"
            row = conn.execute("SHOW synchronous_commit").fetchone()
            info["synchronous_commit"] = row[0] if row else "?"
    return info


def service(url: str, **env: str) -> AfterSales:
    return AfterSales(env={**event_store_env(url), **POOL, **env})


# ----------------------------------------------------------------------------- section 1
def _service_round(
    app: AfterSales, commands: Iterator[tuple[CasePlan, int]], seconds: float
) -> tuple[float, list[tuple[str, int]]]:
    """Commands of the mix until ``seconds`` pass: (elapsed, [(case_no, events stored)])."""
    done: list[tuple[str, int]] = []
    last = int(app.recorder.max_notification_id() or 0)
    start = time.perf_counter()
    for plan, index in commands:
        result = run_step(app, plan, index)
        stored = int(result.notification_id or last)
        done.append((plan.case_no, stored - last))
        last = stored
        if time.perf_counter() - start >= seconds:
            break
    return time.perf_counter() - start, done


def _baseline_round(
    base: Baseline, work: list[tuple[str, int]], ids: dict[str, uuid.UUID], load: bool
) -> float:
    """The same commands on bare aggregates: (load,) append as many events, save."""
    held: dict[str, Counter] = {}
    start = time.perf_counter()
    for case_no, events in work:
        counter: Counter | None = None
        if case_no in ids:
            counter = base.repository.get(ids[case_no]) if load else held.get(case_no)
            if counter is None:
                counter = base.repository.get(ids[case_no])
        else:
            counter = Counter()
            ids[case_no] = counter.id
            events -= 1  # its creation is one of them
        for _ in range(max(0, events)):
            counter.step(note="bench")
        base.save(counter)
        held[case_no] = counter
    return time.perf_counter() - start


def bench_command_path(url: str, seconds: float = 30, progress: Progress = None) -> dict[str, Any]:
    """Section 1: the mix through the service against a bare ``Application``, one thread."""
    rounds = 3
    with scratch_store(url) as store:
        app = service(store)
        base = Baseline(env={**event_store_env(store), **POOL})
        try:
            plans = plan_cases(max(200, int(seconds * 40)), prefix="S")
            setup_commands(app, plans, datetime.now(UTC))
            commands = interleaved(plans)
            ids: dict[str, uuid.UUID] = {}
            per_round = seconds / (rounds * 2.2)
            results = []
            for n in range(rounds):
                elapsed, work = _service_round(app, commands, per_round)
                events = sum(e for _, e in work)
                base_load = _baseline_round(base, work, ids, load=True)
                base_save = _baseline_round(base, work, {}, load=False)
                results.append(
                    {
                        "commands": len(work),
                        "events": events,
                        "service_cmd_s": len(work) / elapsed,
                        "baseline_cmd_s": len(work) / base_load,
                        "save_only_cmd_s": len(work) / base_save,
                        "ratio": base_load / elapsed,
                        "ratio_save_only": base_save / elapsed,
                    }
                )
                if progress:
                    progress(n + 1, rounds)
        finally:
            app.close()
            base.close()
    median = statistics.median(r["ratio"] for r in results)
    return {
        "section": "command path",
        "machine": machine(url),
        "rounds": results,
        "events_per_command": sum(r["events"] for r in results)
        / sum(r["commands"] for r in results),
        "service_cmd_s": statistics.median(r["service_cmd_s"] for r in results),
        "baseline_cmd_s": statistics.median(r["baseline_cmd_s"] for r in results),
        "ratio": median,
        "ratio_save_only": statistics.median(r["ratio_save_only"] for r in results),
        "target": 0.8,
        "met": median >= 0.8,
    }


# ----------------------------------------------------------------------------- section 2
def _threads_run(
    app: AfterSales, per_thread: list[list[CasePlan]], seconds: float, run: str
) -> dict[str, Any]:
    latencies: list[list[float]] = [[] for _ in per_thread]
    errors = [0] * len(per_thread)
    stop = time.perf_counter() + seconds
    barrier = threading.Barrier(len(per_thread) + 1)

    def go(i: int) -> None:
        mine = latencies[i]
        barrier.wait()
        for plan, index in interleaved(per_thread[i], width=4):
            if time.perf_counter() >= stop:
                return
            began = time.perf_counter()
            try:
                run_step(app, plan, index, run)
            except Exception:
                errors[i] += 1
            mine.append(time.perf_counter() - began)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(per_thread))]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    every = sorted(x for lat in latencies for x in lat)
    count = len(every)
    return {
        "commands": count,
        "errors": sum(errors),
        "seconds": elapsed,
        "cmd_s": count / elapsed,
        "p50_ms": every[count // 2] * 1e3 if every else None,
        "p99_ms": every[min(count - 1, int(count * 0.99))] * 1e3 if every else None,
    }


def _prepared(app: AfterSales, threads: int, cases: int, prefix: str) -> list[list[CasePlan]]:
    plans = plan_cases(cases, prefix=prefix, consumers=cases * 2)
    per_thread = [plans[i::threads] for i in range(threads)]
    now = datetime.now(UTC)
    workers = [
        threading.Thread(target=setup_commands, args=(app, chunk, now)) for chunk in per_thread
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return per_thread


def bench_concurrent(
    url: str, threads: int = 32, seconds: float = 20, progress: Progress = None
) -> dict[str, Any]:
    """Section 2: ``threads`` clients through group commit, then one transaction per command."""
    cases = max(threads * 8, int(seconds * 300))
    out: dict[str, Any] = {"section": "concurrent commands", "machine": machine(url)}
    with scratch_store(url) as store:
        create_event_store_tables(store)  # once, under its lock, before the threads start
        for n, (label, switch) in enumerate((("group_commit", "1"), ("per_command", "0"))):
            app = service(store, AFTERSALES_GROUP_COMMIT=switch)
            try:
                per_thread = _prepared(app, threads, cases, f"T{n}-")
                figures = _threads_run(app, per_thread, seconds, f"{label}:")
                if app.group_commit is not None:
                    figures["batches"] = app.group_commit.batches
                    figures["largest_batch"] = app.group_commit.largest
                out[label] = figures
            finally:
                app.close()
            if progress:
                progress(n + 1, 2)
    out["threads"] = threads
    out["ratio"] = out["group_commit"]["cmd_s"] / out["per_command"]["cmd_s"]
    out["target_cmd_s"] = 2500
    out["met"] = out["group_commit"]["cmd_s"] >= 2500
    return out


# ----------------------------------------------------------------------------- alone
def profile_mix(url: str, commands: int = 1500) -> str:
    """cProfile of the mix through the service, one thread (for docs/performance-profile.md)."""
    import cProfile
    import io
    import pstats

    with scratch_store(url) as store:
        app = service(store)
        try:
            plans = plan_cases(commands // 6, prefix="PR")
            setup_commands(app, plans, datetime.now(UTC))
            work = list(interleaved(plans))[:commands]
            counts = _count_selects(app)
            profiler = cProfile.Profile()
            start, cpu = time.perf_counter(), time.process_time()
            profiler.enable()
            for plan, index in work:
                run_step(app, plan, index)
            profiler.disable()
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        finally:
            app.close()
    n = len(work)
    text = io.StringIO()
    text.write(
        f"{n} commands: {elapsed / n * 1e3:.2f} ms each, {cpu / n * 1e3:.2f} ms CPU (profiled); "
        f"per command {counts['events'] / n:.2f} SELECTs of events, "
        f"{counts['snapshots'] / n:.2f} of snapshots, {counts['inserts'] / n:.2f} INSERTs\n"
    )
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(40)
    return text.getvalue()


def _count_selects(app: AfterSales) -> dict[str, int]:
    """Count the recorder's SELECTs (events, snapshots) and INSERTs from now on."""
    counts = {"events": 0, "snapshots": 0, "inserts": 0}

    def counted(target: Any, name: str, key: str) -> None:
        original = getattr(target, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            counts[key] += 1
            return original(*args, **kwargs)

        setattr(target, name, call)

    counted(app.recorder, "select_events", "events")
    counted(app.recorder, "insert_events", "inserts")
    if app.snapshots is not None:
        counted(app.snapshots.recorder, "select_events", "snapshots")
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--profile", action="store_true", help="print a profile of the mix")
    parser.add_argument("--skip-concurrent", action="store_true")
    args = parser.parse_args(argv)

    def show(done: int, total: int) -> None:
        print(f"  ... {done}/{total}", file=sys.stderr)

    @contextmanager
    def store() -> Iterator[str]:
        if args.store == "sqlite":
            tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-cmdpath-{uuid.uuid4().hex[:8]}"
            tmp.mkdir()
            yield f"sqlite:///{tmp / 'store.db'}"
            return
        with scratch_database(args.pg_url) as url:
            yield url

    with store() as url:
        if args.profile:
            print(profile_mix(url))
            return 0
        figures = {"command_path": bench_command_path(url, args.seconds, show)}
        if not args.skip_concurrent:
            figures["concurrent"] = bench_concurrent(url, args.threads, args.seconds, show)
    print(json.dumps(figures, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
