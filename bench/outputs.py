"""Writing a run's results: ``<out>/latest.json`` (or ``quick.json``), the markdown table, the
page-latency plot, and after a complete full run docs/performance.md's table and its plot."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def finish(run: dict[str, Any], out: Path, *, write_docs: bool, docs: Path | None) -> int:
    """Write the JSON, the markdown, the plot (and the docs after a full run); print the table."""
    from bench import figures, report
    from bench.plot import write_plot
    from bench.scaling_figures import update_scaling

    run["rows"] = figures.as_dicts(figures.rows(run))
    failed = [step["name"] for step in run["steps"] if step["status"] == "failed"]
    run["failed"] = failed
    stem = "quick" if run["quick"] else "latest"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{stem}.json").write_text(json.dumps(run, indent=2, default=str) + "\n")
    text = report.markdown(run)
    (out / f"{stem}.md").write_text(text)
    print(text)
    complete = not run["quick"] and run["options"]["sections"] == [1, 2, 3, 4, 5]
    complete = complete and run["options"]["store"] == "both"
    docs = docs or report.DOCS
    plot_path = docs.with_name(report.PLOT.name) if complete and write_docs else None
    print(write_plot(run, plot_path or out / f"{stem}-pages.png"))
    if complete and write_docs:
        changed = report.update_docs(run, docs)
        print("docs/performance.md: table updated" if changed else "docs: no table markers")
        if update_scaling(run, docs.with_name("scaling.md")):
            print("docs/scaling.md: measured figures filled in")
    else:
        print("docs/performance.md left alone (quick or partial run, or --no-docs)")
    print(f"results: {out / (stem + '.json')}, {out / (stem + '.md')}")
    total = run["elapsed_s"]
    print(
        f"whole run: {total / 60:.1f} min of the {run['budget_s'] / 60:.0f}-minute budget"
        + (" — OVER BUDGET" if total > run["budget_s"] else "")
    )
    if failed:
        print(f"FAILED steps: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
