"""The long profile of the API fuzzing (issue 10): schemathesis over the served OpenAPI document
with the token of every role, many more examples per operation, a fresh random seed per run
(printed, to replay a finding), on SQLite or PostgreSQL. Exits 1 when anything failed.

    .venv/bin/python bench/api_fuzz.py [--examples 200] [--seed N] [--only /cases] [--pg-url URL]

The CI profile is ``tests/web/test_api_fuzz.py`` (6 examples, derandomised).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.web.api_fuzz import fuzz
from tests.web.conftest import load_demo, make_app


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--only", default=None, help="operations whose label contains this")
    parser.add_argument("--pg-url", default=None, help="a PostgreSQL URL (an empty schema)")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    config = {"DATABASE_URL": args.pg_url} if args.pg_url else {}
    with tempfile.TemporaryDirectory(prefix="aftersales-fuzz-", ignore_cleanup_errors=True) as tmp:
        app = make_app(Path(tmp), **config)
        load_demo(app)
        started = time.monotonic()
        findings = fuzz(app, examples=args.examples, derandomize=False, seed=seed, only=args.only)
        took = time.monotonic() - started
    statuses = ", ".join(f"{code}: {n}" for code, n in sorted(findings.statuses.items()))
    print(f"seed {seed}: {findings.calls} requests in {took:.0f} s ({statuses})")
    for key, text in findings.failures.items():
        print(f"\n== {key}\n{text}")
    print(f"\n{len(findings.failures)} distinct failure(s)")
    return 1 if findings.failures else 0


if __name__ == "__main__":
    sys.exit(main())
