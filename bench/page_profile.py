"""Profile the benchmarked pages in-process (issue 12 §4): the Flask test client, logged in, on a
loaded PostgreSQL store. Prints per page the time per request, SQL statements and pool
check-outs per request, and (``--profile``) the cProfile top functions.

    .venv/bin/python -m bench.page_profile --url postgresql://... [--n 200] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import time
from typing import Any

from bench.page_accounts import PASSWORD, ensure_accounts


def _sample(url: str) -> dict[str, Any]:
    from bench.page_store import SAMPLE_CONSUMER, SAMPLE_MERCHANT

    return {
        "merchant_id": SAMPLE_MERCHANT,
        "consumer_id": SAMPLE_CONSUMER,
        "case_no": "PG-C-000000",
    }


def _counting() -> dict[str, int]:
    """Count statements sent through psycopg and pool check-outs (monkeypatched)."""
    import psycopg
    from psycopg_pool import ConnectionPool

    counts = {"statements": 0, "checkouts": 0}
    execute, getconn = psycopg.Connection.execute, ConnectionPool.getconn

    def counted_execute(self: Any, *args: Any, **kwargs: Any) -> Any:
        counts["statements"] += 1
        return execute(self, *args, **kwargs)

    def counted_getconn(self: Any, *args: Any, **kwargs: Any) -> Any:
        counts["checkouts"] += 1
        return getconn(self, *args, **kwargs)

    psycopg.Connection.execute = counted_execute  # type: ignore[method-assign]
    ConnectionPool.getconn = counted_getconn  # type: ignore[method-assign]
    return counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    from web import create_app

    sample = _sample(args.url)
    users = ensure_accounts(args.url, sample)
    app = create_app({"DATABASE_URL": args.url, "SECRET_KEY": "bench", "TESTING": False})
    counts = _counting()
    pages = {
        "consumer timeline": (users["consumer"], f"/my/cases/{sample['case_no']}"),
        "merchant queue": (users["merchant"], "/merchant/queue"),
    }
    for name, (user, path) in pages.items():
        client = app.test_client()
        form = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token is not None
        client.post(
            "/login", data={"username": user, "password": PASSWORD, "csrf_token": token.group(1)}
        )
        first = client.get(path)
        assert first.status_code == 200, (path, first.status_code)
        for _ in range(5):
            client.get(path)
        counts.update(statements=0, checkouts=0)
        profiler = cProfile.Profile() if args.profile else None
        started, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        for _ in range(args.n):
            response = client.get(path)
            assert response.status_code == 200
        if profiler:
            profiler.disable()
        took, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(
            f"{name}: {took / args.n * 1000:.2f} ms/request "
            f"({cpu / args.n * 1000:.2f} ms CPU in this process), "
            f"{counts['statements'] / args.n:.1f} statements, "
            f"{counts['checkouts'] / args.n:.1f} pool check-outs per request, "
            f"{len(first.data)} bytes"
        )
        if profiler:
            stats = pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative"))
            stats.print_stats(int(os.environ.get("TOP", "45")))


if __name__ == "__main__":
    main()
