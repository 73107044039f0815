"""The table of a run as markdown, and ``python -m bench.report``: regenerate docs/performance.md's
table (between its ``bench:table`` markers) and the page-latency plot from a run's JSON, so that
the figures in the docs are the ones a run measured.

    .venv/bin/python -m bench.report [--results bench/results/latest.json]
                                     [--docs docs/performance.md] [--plot PNG]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bench import figures
from bench.machine import summary

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "performance.md"
PLOT = ROOT / "docs" / "performance-pages.png"
START, END = "<!-- bench:table:start -->", "<!-- bench:table:end -->"


def number(value: float | None, unit: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    magnitude = abs(value)
    if isinstance(value, int) or (magnitude >= 100 and float(value).is_integer()):
        text = f"{int(value):,}"
    elif magnitude >= 100:
        text = f"{value:,.0f}"
    elif magnitude >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".rstrip()


def _met(row: figures.Row) -> str:
    if row.met is None:
        return ""
    return "yes" if row.met else "**no**"


def table(run: dict[str, Any]) -> str:
    """The markdown table of a run (figure, measured, baseline, ratio, target, met?)."""
    lines = [
        "| figure | measured | baseline | ratio | target | met? |",
        "|---|---:|---:|---:|---|---|",
    ]
    for row in figures.rows(run):
        ratio = f"{row.ratio:.2f}×" if row.ratio is not None else ""
        cells = [
            row.figure.replace("|", "\\|"),
            number(row.measured, row.unit),
            number(row.baseline, row.unit),
            ratio,
            row.target or "",
            _met(row),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def elapsed_lines(run: dict[str, Any]) -> list[str]:
    """Each step's wall time against its budget, and the run's against the 30-minute budget."""
    out = []
    for step in run.get("steps", []):
        spent, budget = step.get("elapsed_s"), step.get("budget_s")
        if spent is None:
            continue
        over = " (over budget)" if budget and spent > budget else ""
        out.append(
            f"- {figures.label(step['name'], run.get('sizes') or {})}: {step['status']}, "
            f"{spent:.0f} s of {budget:.0f} s{over}"
        )
    total, budget = run.get("elapsed_s"), run.get("budget_s")
    if total is not None:
        out.append(f"- whole run: {total / 60:.1f} min of {(budget or 0) / 60:.0f} min")
    return out


def markdown(run: dict[str, Any]) -> str:
    """latest.md: what ran, where, the table and the time each step took."""
    options = run.get("options") or {}
    kind = "quick smoke run (tiny sizes: not figures to quote)" if run.get("quick") else "full run"
    failed = [step["name"] for step in run.get("steps", []) if step.get("status") == "failed"]
    parts = [
        f"Benchmark {kind}: `{options.get('command', 'python -m bench')}`",
        "",
        f"Machine: {summary(run.get('machine') or {})}",
        "",
        table(run),
        "",
        "Time per step:",
        "",
        *elapsed_lines(run),
    ]
    if failed:
        parts += ["", f"Failed steps: {', '.join(failed)} (their errors are in the JSON)."]
    return "\n".join(parts) + "\n"


def update_docs(run: dict[str, Any], docs: Path = DOCS) -> bool:
    """Put the run's markdown between the markers of ``docs``; False when the markers are
    missing (the file is left alone)."""
    text = docs.read_text(encoding="utf-8")
    if START not in text or END not in text:
        return False
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    docs.write_text(f"{head}{START}\n{markdown(run)}{END}{tail}", encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.report", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results" / "latest.json")
    parser.add_argument("--docs", type=Path, default=DOCS)
    parser.add_argument("--plot", type=Path, default=PLOT)
    args = parser.parse_args(argv)
    run = json.loads(args.results.read_text(encoding="utf-8"))
    if not update_docs(run, args.docs):
        print(f"{args.docs}: no {START} / {END} markers; not changed", file=sys.stderr)
        return 1
    print(f"{args.docs}: table from {args.results}")
    from bench.scaling_figures import update_scaling

    if update_scaling(run, args.docs.with_name("scaling.md")):
        print(f"{args.docs.with_name('scaling.md')}: measured figures filled in")
    from bench.plot import write_plot

    print(write_plot(run, args.plot))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
