"""Processes starting together on a fresh PostgreSQL schema (issue 10): how many runs crash.

    .venv/bin/python bench/concurrent_start.py [--runs 10] [--processes 6] [--library]
        [--pg-url postgresql://postgres@127.0.0.1:5432/test]

Default: each process starts as the site and the workers now do — ``create_event_store_tables``
(under an advisory lock), then ``open_service`` (``CREATE_TABLE=no``). ``--library``: each opens
``AfterSales.from_url`` and lets the library create its tables, as before issue 10 ("tuple
concurrently updated", duplicate ``pg_type`` keys).
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg


def _start(url: str, library: bool, barrier: Any) -> str:
    from domain.service import AfterSales
    from projections.event_store import create_event_store_tables, open_service

    barrier.wait()
    try:
        if library:
            app = AfterSales.from_url(url)
        else:
            create_event_store_tables(url)
            app = open_service(url)
        app.recorder.max_notification_id()
        app.close()
    except Exception as error:
        return f"{type(error).__name__}: {str(error).splitlines()[0]}"
    return "ok"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--processes", type=int, default=6)
    parser.add_argument("--library", action="store_true")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    crashed = 0
    errors: dict[str, int] = {}
    for _ in range(args.runs):
        schema = f"bench_start_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(args.pg_url, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        try:
            with multiprocessing.Manager() as manager:
                barrier = manager.Barrier(args.processes)
                with multiprocessing.Pool(args.processes) as pool:
                    url = f"{args.pg_url}?schema={schema}"
                    results = pool.starmap(_start, [(url, args.library, barrier)] * args.processes)
        finally:
            with psycopg.connect(args.pg_url, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA {schema} CASCADE")
        bad = [r for r in results if r != "ok"]
        crashed += bool(bad)
        for error in bad:
            errors[error[:80]] = errors.get(error[:80], 0) + 1
    how = "library creates tables" if args.library else "tables created once, under a lock"
    print(f"{how}: {crashed} of {args.runs} runs had a crashed start ({args.processes} processes)")
    for error, n in sorted(errors.items(), key=lambda item: -item[1]):
        print(f"  {n} x {error}")


if __name__ == "__main__":
    main()
