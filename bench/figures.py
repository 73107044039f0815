"""From the steps' results to the table's rows: figure, measured, baseline, ratio, target, met.

A section may return ``"figures": [{"figure", "measured", "baseline", "ratio", "target", "met",
"unit"}, ...]`` and those rows are shown as given (a target left out is looked up in
``TARGETS``). Otherwise every numeric figure of its result is a row of its own (dotted key path;
a key with ``ratio`` in it fills the ratio column) and the targets of issue 12 are matched on the
key names. Peak RSS figures (keys with ``rss``) are gathered under section 5; p50 at the large
store over p50 at the small store is worked out here (target ≤1.5×).
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import asdict, dataclass
from typing import Any

#: The steps of a run, in order: name -> (section, label). ``{small}``/``{large}`` are the sizes.
STEPS: dict[str, tuple[int, str]] = {
    "commands.sqlite": (1, "command path, SQLite"),
    "commands.postgresql": (1, "command path, PostgreSQL"),
    "concurrent": (2, "concurrent commands, PostgreSQL"),
    "load.small": (0, "load {small} events"),
    "projections.small": (3, "catch-up at {small}"),
    "pages.small": (4, "pages at {small}"),
    "load.large": (0, "load {large} events"),
    "catchup.large": (3, "catch-up at {large}"),
    "pages.large": (4, "pages at {large}"),
}


#: Keys of a result that are not figures of the table (they stay in the JSON).
SKIPPED = frozenset({"figures", "machine", "sample"})
#: Leaves left out of the table (counts that only say the measurement ran; they stay in the JSON).
DETAIL = frozenset(
    {
        *("bytes", "requests", "sent", "ok", "max_ms", "batch_size", "duration_s"),
        *("projections", "commands", "seconds"),
    }
)
RATIO = re.compile(r"(?<![a-z])ratio")
#: Where a section puts a baseline's figure beside its own: (steps glob, pattern of the baseline's
#: key, replacement giving the measured figure's key). Such a pair is one row: measured, baseline,
#: their ratio.
BASELINES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("*", re.compile(r"(^|\.)baseline\."), r"\1"),  # pages: <page>.baseline.open.p99_ms
    ("commands.*", re.compile(r"(^|\.)baseline_"), r"\1service_"),  # baseline_cmd_s
    ("concurrent", re.compile(r"(^|\.)per_command\."), r"\1group_commit."),  # one txn each
)
#: Steps that prepare another (the catch-up at the small size builds the read models its pages
#: read): only these figures of theirs are in the table.
BRIEF: dict[str, tuple[str, ...]] = {
    "projections.small": ("events", "ratio", "raw_events_per_s", "rebuild_events_per_s"),
}


@dataclass(frozen=True)
class Target:
    steps: str  # glob over step names
    key: str  # regex searched in the figure's key (lower case)
    op: str  # ">=", "<=", "=="
    value: float
    text: str


#: Issue 12's targets, matched on a figure's key (lower case). ``baseline.`` is a baseline's own
#: subtree (its figures have no target); ``ratio_to_baseline`` is a ratio that has one.
TARGETS: tuple[Target, ...] = (
    Target("commands.*", r"(^|\.)ratio$", ">=", 0.8, "≥0.8× bare save"),
    Target(
        "concurrent",
        r"^(?!.*(baseline|target|per_command)).*(cmd_s|per_s|per_second|throughput)$",
        ">=",
        2500,
        "≥2,500 cmd/s",
    ),
    Target(
        "catchup.large",
        r"^(?!.*(baseline\.|share|target)).*(?<![a-z])ratio",
        ">=",
        0.5,
        "≥0.5× raw read",
    ),
    Target(
        "pages.*", r"^(?!.*(baseline\.|target|open)).*(?<![a-z])ratio", ">=", 0.6, "≥0.6× bare page"
    ),
    Target("pages.*", r"^(?!.*(baseline\.|target)).*(open|fixed).*p99", "<=", 50, "p99 ≤50 ms"),
    Target(
        "pages.*",
        r"^(?!.*(baseline\.|target)).*(error|non_?2xx|timeouts)",
        "==",
        0,
        "zero errors",
    ),
)


@dataclass
class Row:
    figure: str
    measured: float | None = None
    baseline: float | None = None
    ratio: float | None = None
    target: str | None = None
    met: bool | None = None
    unit: str = ""


def label(name: str, sizes: dict[str, int]) -> str:
    section, text = STEPS.get(name, (0, name))
    text = text.format(small=f"{sizes.get('small', 0):,}", large=f"{sizes.get('large', 0):,}")
    return f"{section} · {text}" if section else text


def flatten(value: Any, prefix: str = "") -> dict[str, float]:
    """The numeric leaves of a JSON-able value, by dotted key path (bools and text left out)."""
    out: dict[str, float] = {}
    if isinstance(value, dict) and _uniform(value):
        # many rows of the same figures (dead rows per table): their totals
        items = list(value.values())
        for leaf in items[0]:
            key = f"{prefix}.{leaf}" if prefix else str(leaf)
            out[f"{key} (total of {len(items)})"] = sum(item[leaf] for item in items)
    elif isinstance(value, dict) and "error" in prefix.rsplit(".", 1)[-1].lower() and value:
        numbers = list(value.values())
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in numbers):
            out[prefix] = sum(numbers)  # socket errors: connect + read + write + timeout
    elif isinstance(value, dict):
        for key, item in value.items():
            if key in SKIPPED:
                continue
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
    # lists (a section's rounds or samples) stay in the JSON: the table shows their medians
    elif isinstance(value, int | float) and not isinstance(value, bool):
        out[prefix] = value
    return out


def _counterpart(step: str, key: str) -> str:
    """``pages.queue.baseline.open.p99_ms`` -> ``pages.queue.open.p99_ms`` (the same figure
    measured on the real thing); other keys unchanged."""
    for steps, pattern, measured in BASELINES:
        if fnmatch.fnmatch(step, steps) and pattern.search(key):
            return pattern.sub(measured, key, count=1)
    return key


def _uniform(value: dict[str, Any]) -> bool:
    """More than four dicts of the same numeric keys (``{"table": {"live": 1, "dead": 2}}``)."""
    items = list(value.values())
    if len(items) <= 4 or not all(isinstance(item, dict) and item for item in items):
        return False
    if len({frozenset(item) for item in items}) != 1:
        return False
    return all(
        isinstance(v, int | float) and not isinstance(v, bool)
        for item in items
        for v in item.values()
    )


def _compare(value: float | None, target: Target) -> bool | None:
    if value is None:
        return None
    if target.op == ">=":
        return value >= target.value
    if target.op == "<=":
        return value <= target.value
    return value == target.value


def _target_for(step: str, key: str) -> Target | None:
    for target in TARGETS:
        if fnmatch.fnmatch(step, target.steps) and re.search(target.key, key.lower()):
            return target
    return None


def _leaf_row(step: str, title: str, key: str, value: float) -> Row:
    unit = ""
    if key.lower().endswith("_kb"):
        value, unit = value / 1024, "MiB"
    elif key.lower().endswith("_mb"):
        unit = "MiB"
    is_ratio = RATIO.search(key.lower().rsplit(".", 1)[-1]) is not None
    row = Row(f"{title}: {key}", None if is_ratio else value, ratio=value if is_ratio else None)
    row.unit = unit
    target = _target_for(step, key)
    if target is not None:
        row.target = target.text
        row.met = _compare(row.ratio if is_ratio else row.measured, target)
    return row


def _given_rows(step: str, title: str, figures: list[dict[str, Any]]) -> list[Row]:
    rows = []
    for given in figures:
        fields = {k: given.get(k) for k in ("measured", "baseline", "ratio", "target", "met")}
        row = Row(f"{title}: {given.get('figure', '?')}", unit=str(given.get("unit") or ""))
        row.measured, row.baseline, row.ratio = (
            fields["measured"],
            fields["baseline"],
            fields["ratio"],
        )
        if row.ratio is None and row.measured and row.baseline:
            row.ratio = row.measured / row.baseline
        row.target, row.met = fields["target"], fields["met"]
        if row.target is None:
            target = _target_for(step, str(given.get("figure", "")))
            if target is not None:
                row.target = target.text
                row.met = _compare(row.ratio if "ratio" in target.key else row.measured, target)
        rows.append(row)
    return rows


def values(step: dict[str, Any]) -> dict[str, float]:
    """A step's figures by name: its ``figures`` rows' measured values, else its numeric leaves."""
    result = step.get("result") or {}
    given = result.get("figures")
    if isinstance(given, list):
        return {
            str(row.get("figure")): row["measured"]
            for row in given
            if isinstance(row.get("measured"), int | float)
        }
    return flatten(result)


def rows(run: dict[str, Any]) -> list[Row]:
    """Every row of the table for a run's JSON (``bench.harness`` writes it)."""
    sizes = run.get("sizes") or {}
    steps = {step["name"]: step for step in run.get("steps", [])}
    out: list[Row] = []
    memory: list[Row] = []
    for name, step in steps.items():
        title = label(name, sizes)
        status = step.get("status")
        if status == "failed":
            error = str(step.get("error") or "").strip().splitlines()
            out.append(Row(f"{title}: FAILED — {error[0] if error else 'no message'}", met=False))
            continue
        if status == "skipped":
            out.append(Row(f"{title}: skipped — {step.get('error') or ''}".rstrip(" —")))
            continue
        result = step.get("result") or {}
        given = result.get("figures")
        if isinstance(given, list):
            out.extend(_given_rows(name, title, given))
        else:
            leaves = flatten(result)
            for key, value in leaves.items():
                lower = key.lower()
                if lower.startswith("target") or ".target" in lower:
                    continue
                if lower.rsplit(".", 1)[-1] in DETAIL:
                    continue
                if name in BRIEF and key not in BRIEF[name] and "rss" not in lower:
                    continue
                if _counterpart(name, key) != key and _counterpart(name, key) in leaves:
                    continue  # in the baseline column of its counterpart's row
                row = _leaf_row(name, title, key, value)
                mate = next((k for k in leaves if k != key and _counterpart(name, k) == key), None)
                if mate is not None and row.measured is not None:
                    row.baseline = leaves[mate]
                    if row.baseline and row.ratio is None:
                        row.ratio = row.measured / row.baseline
                (memory if "rss" in lower else out).append(row)
        if isinstance(given, list):
            for key, value in flatten(result).items():
                if "rss" in key.lower():
                    memory.append(_leaf_row(name, title, key, value))
    out.extend(_p50_growth(steps, sizes))
    for row in memory:
        row.figure = "5 · memory, peak RSS, " + row.figure.split(" · ", 1)[-1]
    out.extend(memory)
    return out


def _p50_growth(steps: dict[str, Any], sizes: dict[str, int]) -> list[Row]:
    small, large = steps.get("pages.small"), steps.get("pages.large")
    if not small or not large or small.get("status") != "ok" or large.get("status") != "ok":
        return []
    at_small, at_large = values(small), values(large)
    out = []
    for key, value in at_large.items():
        base = at_small.get(key)
        lower = key.lower()
        if "p50" not in lower or not base or "baseline" in lower or "closed" in lower:
            continue  # the closed loop's latency is its own clients' queueing
        row = Row(
            f"4 · pages, p50 at {sizes.get('large', 0):,} over p50 at {sizes.get('small', 0):,}: "
            f"{key}",
            value,
            base,
            value / base,
        )
        row.target, row.met = "≤1.5×", value / base <= 1.5
        out.append(row)
    return out


def as_dicts(table: list[Row]) -> list[dict[str, Any]]:
    return [asdict(row) for row in table]
