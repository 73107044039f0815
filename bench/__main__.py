"""``python -m bench``: the whole benchmark of issue 12 (see bench/harness.py)."""

from __future__ import annotations

from bench.harness import main

raise SystemExit(main())
