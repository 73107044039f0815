"""A stand-in for ``bench.catchup_child`` in tests/unit/test_bench_harness.py: speaks the same
protocol on stdout (``progress D T`` lines, one ``result {json}`` line) without a database.

    python -m tests.unit.bench_fake_child URL   (URL "fail": exit 3; "hang": never finish)
"""

from __future__ import annotations

import json
import sys
import time

if __name__ == "__main__":
    url = sys.argv[1]
    if url == "fail":
        print("progress 1 4", flush=True)
        print("the projection broke", file=sys.stderr)
        raise SystemExit(3)
    if url == "hang":
        print("progress 1 4", flush=True)
        time.sleep(120)
    print("a stray line the parent ignores", flush=True)
    for done in range(1, 5):
        print(f"progress {done} 4", flush=True)
    print("result " + json.dumps({"ratio": 0.7, "url": url}), flush=True)
