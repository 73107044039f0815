"""The measured figures in docs/scaling.md (issue 12): each ``<!-- bench:KEY -->`` placeholder
there is followed by the figure of the latest full run, between it and ``<!-- /bench -->``, so
the scaling steps are argued from this machine's numbers, not only from the orientation figures.
A key the run did not measure (or a failed step) is left empty: the doc then says to read the
orientation figure beside it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCALING = ROOT / "docs" / "scaling.md"
PLACEHOLDER = re.compile(r"<!-- bench:([a-z0-9_.]+) -->(?:(.*?)<!-- /bench -->)?")


def _step(run: dict[str, Any], name: str) -> dict[str, Any]:
    for step in run.get("steps", []):
        if step.get("name") == name and step.get("status") == "ok":
            result: dict[str, Any] = step.get("result") or {}
            return result
    return {}


def _path(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _per_s(value: Any, unit: str) -> str:
    return f"{value:,.0f} {unit}/s" if isinstance(value, int | float) else ""


def _largest_share(result: dict[str, Any]) -> str:
    shares = result.get("share") or {}
    if not shares:
        return ""
    name = max(shares, key=lambda n: shares[n])
    return f"{name}, {shares[name]:.0%} of the rebuild"


def _ms_per_command(result: dict[str, Any]) -> str:
    rate = result.get("service_cmd_s")
    return f"{1000 / rate:.1f} ms a command ({rate:,.0f}/s)" if rate else ""


FIGURES: dict[str, Callable[[dict[str, Any]], str]] = {
    "baseline.pg_single_saves_per_s": lambda run: (
        _per_s(_path(_step(run, "concurrent"), "per_command", "cmd_s"), "commands")
        + (" (32 threads, one transaction each)" if _step(run, "concurrent") else "")
    ),
    "catchup.raw_events_per_s": lambda run: _per_s(
        _step(run, "catchup.large").get("raw_events_per_s"), "events"
    ),
    "commands.postgresql.ms_per_command": lambda run: _ms_per_command(
        _step(run, "commands.postgresql")
    ),
    "concurrent.commands_per_s": lambda run: _per_s(
        _path(_step(run, "concurrent"), "group_commit", "cmd_s"), "commands"
    ),
    "catchup.projections_events_per_s": lambda run: _per_s(
        _step(run, "catchup.large").get("rebuild_events_per_s"), "events"
    ),
    "catchup.largest_share": lambda run: _largest_share(_step(run, "catchup.large")),
    "pages.baseline_pages_per_s": lambda run: _per_s(
        _path(
            _step(run, "pages.large"), "pages", "merchant_queue", "baseline", "closed", "req_per_s"
        ),
        "pages",
    ),
    "pages.queue_pages_per_s": lambda run: _per_s(
        _path(_step(run, "pages.large"), "pages", "merchant_queue", "closed", "req_per_s"), "pages"
    ),
}


def fill(text: str, run: dict[str, Any]) -> str:
    """``text`` with every known placeholder followed by its figure from ``run``."""

    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        figure = FIGURES[key](run) if key in FIGURES else ""
        return f"<!-- bench:{key} -->{figure}<!-- /bench -->"

    return PLACEHOLDER.sub(replace, text)


def update_scaling(run: dict[str, Any], docs: Path = SCALING) -> bool:
    """Fill docs/scaling.md's placeholders from ``run``; False when the file is missing."""
    if not docs.exists():
        return False
    text = docs.read_text(encoding="utf-8")
    docs.write_text(fill(text, run), encoding="utf-8")
    return True
