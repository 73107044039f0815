"""docs/performance-pages.png: page latency (p50 and p99) against store size, one line per page
and load (matplotlib, from the ``bench`` extra: ``pip install -e '.[bench]'``).

The points are the pages steps' figures whose key names hold ``p50`` or ``p99``; the two keys
that differ only there are one page's pair (``timeline.open.p50_ms`` / ``timeline.open.p99_ms``).
When the open loop's latencies are there (fixed arrival rate), only they are drawn: the closed
loop's latency is the queueing its own clients make.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bench.figures import values

PERCENTILE = re.compile(r"p(50|99)")


def series(run: dict[str, Any]) -> dict[str, dict[str, list[tuple[int, float]]]]:
    """``{page key: {"p50": [(events, ms), ...], "p99": [...]}}`` over the pages steps."""
    sizes = run.get("sizes") or {}
    steps = {step["name"]: step for step in run.get("steps", [])}
    out: dict[str, dict[str, list[tuple[int, float]]]] = {}
    for name, size in (("pages.small", sizes.get("small")), ("pages.large", sizes.get("large"))):
        step = steps.get(name)
        if not step or step.get("status") != "ok" or not size:
            continue
        for key, value in values(step).items():
            found = PERCENTILE.search(key.lower())
            if not found:
                continue
            page = PERCENTILE.sub("p·", key.lower(), count=1)
            out.setdefault(page, {}).setdefault("p" + found.group(1), []).append((size, value))
    if any("open" in page for page in out):  # the fixed arrival rate's latency, when measured
        out = {page: pair for page, pair in out.items() if "open" in page}
    return out


def _legend(key: str) -> str:
    """``pages.merchant_queue.baseline.open.p99_ms`` -> ``merchant_queue baseline open p99``."""
    words = key.removeprefix("pages.").removesuffix("_ms").split(".")
    return " ".join(words)


def write_plot(run: dict[str, Any], path: Path) -> str:
    """Draw the plot into ``path``; say what was written (or why nothing was)."""
    lines = series(run)
    if not lines:
        return f"{path}: no page latencies in this run; no plot"
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return f"{path}: matplotlib is not installed (pip install -e '.[bench]'); no plot"
    figure, axes = plt.subplots(figsize=(9, 5.5), dpi=110)
    for index, (page, pair) in enumerate(sorted(lines.items())):
        colour = f"C{index % 10}"
        for percentile, style in (("p50", "-o"), ("p99", "--s")):
            points = sorted(pair.get(percentile, []))
            if points:
                axes.plot(
                    [p[0] for p in points],
                    [p[1] for p in points],
                    style,
                    color=colour,
                    label=_legend(page.replace("p·", percentile)),
                )
    sizes = sorted({x for pair in lines.values() for points in pair.values() for x, _ in points})
    axes.set_xscale("log")
    axes.set_xticks(sizes, [f"{size:,}" for size in sizes])
    axes.minorticks_off()
    axes.set_yscale("log")
    axes.set_xlabel("events in the store")
    axes.set_ylabel("latency, ms (log scale)")
    machine = run.get("machine") or {}
    axes.set_title(
        f"Page latency against store size ({machine.get('cpu_count', '?')} CPUs, "
        f"{str(machine.get('date', ''))[:10]})"
    )
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize="x-small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
    return f"{path}: page latency plot ({len(lines)} lines)"
