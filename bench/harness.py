"""The whole benchmark of issue 12 in one command, ``python -m bench`` or ``aftersales bench``.

    .venv/bin/python -m bench [--store sqlite|postgresql|both] [--pg-url URL] [--quick]
                              [--sections 1,2,3,4,5] [--out bench/results]

Steps, in order (each with a time budget; the whole run fits in 30 minutes on 2 cores):
  1 command path on SQLite and on PostgreSQL (bench.commands.bench_command_path)
  2 32 client threads on PostgreSQL (bench.commands.bench_concurrent)
  load 10,000 events into a fresh PostgreSQL database (bench.load.load_store), catch up its
    projections, 4 pages at 10,000 (bench.pages.bench_pages)
  load 1,000,000 events into another, 3 catch-up (bench.catchup.bench_catchup, in a child process
    so that its peak RSS is known), 4 pages at 1,000,000
  5 memory: the projection runner's peak RSS (the child's VmHWM) and the web worker's (pages).
Each PostgreSQL step works on a fresh database ``bench_run_<id>_<tag>`` on the server of
``--pg-url``, dropped at the end. A step that raises is recorded as failed with its error and the
run goes on; the table is printed and written all the same and the exit status is 1.

``bench.outputs`` writes ``<out>/latest.json`` (every figure, the machine, each step's time) and
``latest.md`` (the table; ``quick.*`` for ``--quick``), draws the page-latency plot, and after a
full run of every section updates docs/performance.md's table and docs/performance-pages.png
(``python -m bench.report`` does the same from a JSON).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
WHOLE_RUN_BUDGET_S = 30 * 60

ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class Scale:
    """Sizes and durations of one run."""

    small: int
    large: int
    command_s: float
    concurrent_s: float
    pages_s: float
    threads: int = 32
    #: Budget of each step in seconds (printed against the time it took; the catch-up child is
    #: stopped when it overruns it).
    budgets: dict[str, float] = field(default_factory=dict)


FULL = Scale(
    small=10_000,
    large=1_000_000,
    command_s=15,
    concurrent_s=15,
    pages_s=20,
    budgets={
        "commands.sqlite": 60,
        "commands.postgresql": 60,
        "concurrent": 90,
        "load.small": 45,
        "projections.small": 45,
        "pages.small": 240,
        "load.large": 420,
        "catchup.large": 900,
        "pages.large": 240,
    },
)
QUICK = Scale(
    small=500,
    large=2_000,
    command_s=2,
    concurrent_s=2,
    pages_s=2,
    threads=8,
    budgets={
        "commands.sqlite": 15,
        "commands.postgresql": 15,
        "concurrent": 15,
        "load.small": 15,
        "projections.small": 30,
        "pages.small": 60,
        "load.large": 30,
        "catchup.large": 60,
        "pages.large": 60,
    },
)

SECTION_NAMES = {"commands": 1, "concurrent": 2, "catchup": 3, "pages": 4, "memory": 5}


def _lazy(module: str, name: str) -> Callable[..., dict[str, Any]]:
    """``module.name``, imported when first called (so a missing section fails alone)."""

    def call(*args: Any, **kwargs: Any) -> dict[str, Any]:
        function = getattr(importlib.import_module(module), name)
        return dict(function(*args, **_accepted(function, kwargs)))

    call.__name__ = f"{module}.{name}"
    return call


def _accepted(function: Callable[..., Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments ``function`` takes (an optional extra such as pages' ``sample`` is
    passed only to a section that has it)."""
    import inspect

    parameters = inspect.signature(function).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return kwargs
    return {key: value for key, value in kwargs.items() if key in parameters}


def _catchup_in_child(url: str, progress: ProgressFn, budget_s: float) -> dict[str, Any]:
    from bench.catchup_child import run_catchup

    return run_catchup(url, progress, budget_s)


@dataclass
class Sections:
    """The section functions the run calls (tests hand it fakes)."""

    load_store: Callable[..., dict[str, Any]] = field(
        default_factory=lambda: _lazy("bench.load", "load_store")
    )
    command_path: Callable[..., dict[str, Any]] = field(
        default_factory=lambda: _lazy("bench.commands", "bench_command_path")
    )
    concurrent: Callable[..., dict[str, Any]] = field(
        default_factory=lambda: _lazy("bench.commands", "bench_concurrent")
    )
    catchup: Callable[[str, ProgressFn, float], dict[str, Any]] = _catchup_in_child
    pages: Callable[..., dict[str, Any]] = field(
        default_factory=lambda: _lazy("bench.pages", "bench_pages")
    )
    #: Migrations and the event store's tables on a fresh PostgreSQL database.
    prepare: Callable[[str], None] = field(
        default_factory=lambda: _lazy_none("bench.stores", "prepare")
    )


def _lazy_none(module: str, name: str) -> Callable[[str], None]:
    def call(url: str) -> None:
        getattr(importlib.import_module(module), name)(url)

    return call


@dataclass
class Step:
    name: str
    run: Callable[[ProgressFn], dict[str, Any]]
    needs: tuple[str, ...] = ()
    postgres: bool = True


def parse_sections(text: str) -> set[int]:
    chosen: set[int] = set()
    for part in filter(None, (p.strip().lower() for p in text.split(","))):
        if part.isdigit() and 1 <= int(part) <= 5:
            chosen.add(int(part))
        elif part in SECTION_NAMES:
            chosen.add(SECTION_NAMES[part])
        else:
            raise argparse.ArgumentTypeError(
                f"unknown section {part!r}: use 1-5 or {', '.join(SECTION_NAMES)}"
            )
    return chosen


def wanted_steps(sections: set[int], store: str) -> list[str]:
    """The steps the chosen sections need, in run order."""
    names = []
    if 1 in sections:
        names += [
            f"commands.{kind}" for kind in ("sqlite", "postgresql") if store in (kind, "both")
        ]
    if 2 in sections:
        names.append("concurrent")
    if sections & {4, 5}:
        names += ["load.small", "projections.small", "pages.small"]
    if sections & {3, 4, 5}:
        names += ["load.large", "catchup.large"]
    if sections & {4, 5}:
        names.append("pages.large")
    return names


def plan(scale: Scale, sections: Sections, stores: Any) -> dict[str, Step]:
    """Every step the run may take, by name (``wanted_steps`` picks)."""
    urls: dict[str, str] = {}
    loads: dict[str, dict[str, Any]] = {}

    def fresh(url: str) -> str:
        """A new store, migrated as ``aftersales migrate`` would."""
        sections.prepare(url)
        return url

    def loaded(tag: str, events: int) -> Callable[[ProgressFn], dict[str, Any]]:
        def run(progress: ProgressFn) -> dict[str, Any]:
            url = fresh(stores.postgresql(tag))
            result = sections.load_store(url, events, progress)
            urls[tag], loads[tag] = url, result
            return result

        return run

    def budget(name: str) -> float:
        return scale.budgets.get(name, 60.0)

    def pages(tag: str) -> Callable[[ProgressFn], dict[str, Any]]:
        def run(progress: ProgressFn) -> dict[str, Any]:
            # What load_store returned names the consumer, merchant and case the pages show.
            loaded = loads.get(tag, {})
            sample = loaded.get("sample", loaded if "case_no" in loaded else None)
            extra = {"sample": sample} if isinstance(sample, dict) else {}
            return sections.pages(urls[tag], progress, duration=scale.pages_s, **extra)

        return run

    return {
        "commands.sqlite": Step(
            "commands.sqlite",
            lambda p: sections.command_path(fresh(stores.sqlite("commands")), scale.command_s, p),
            postgres=False,
        ),
        "commands.postgresql": Step(
            "commands.postgresql",
            lambda p: sections.command_path(
                fresh(stores.postgresql("commands")), scale.command_s, p
            ),
        ),
        "concurrent": Step(
            "concurrent",
            lambda p: sections.concurrent(
                fresh(stores.postgresql("concurrent")), scale.threads, scale.concurrent_s, p
            ),
        ),
        "load.small": Step("load.small", loaded("small", scale.small)),
        "projections.small": Step(
            "projections.small",
            lambda p: sections.catchup(urls["small"], p, budget("projections.small")),
            needs=("load.small",),
        ),
        "pages.small": Step(
            "pages.small",
            pages("small"),
            needs=("load.small",),
        ),
        "load.large": Step("load.large", loaded("large", scale.large)),
        "catchup.large": Step(
            "catchup.large",
            lambda p: sections.catchup(urls["large"], p, budget("catchup.large")),
            needs=("load.large",),
        ),
        "pages.large": Step(
            "pages.large",
            pages("large"),
            needs=("load.large",),
        ),
    }


def run_steps(
    names: list[str],
    steps: dict[str, Step],
    scale: Scale,
    *,
    postgres: bool,
    stream: Any = None,
) -> list[dict[str, Any]]:
    """Run ``names`` in order; each step's record (status ok/failed/skipped, error, figures)."""
    from bench.progress import Progress

    stream = stream if stream is not None else sys.stderr
    done: dict[str, str] = {}
    records = []
    for name in names:
        step = steps[name]
        budget = scale.budgets.get(name, 60.0)
        record: dict[str, Any] = {"name": name, "budget_s": budget, "elapsed_s": None}
        missing = [
            f"{need} ({done.get(need, 'not run')})" for need in step.needs if done.get(need) != "ok"
        ]
        if step.postgres and not postgres:
            record.update(status="skipped", error="needs PostgreSQL (--store sqlite)")
        elif missing:
            record.update(status="skipped", error=f"needs {', '.join(missing)}")
        else:
            bar = Progress(name, stream)
            try:
                record["result"] = step.run(bar)
                record["status"] = "ok"
            except Exception as error:
                record.update(status="failed", error=f"{type(error).__name__}: {error}")
                record["traceback"] = traceback.format_exc()
            except KeyboardInterrupt:
                record.update(status="failed", error="interrupted")
                bar.close("interrupted", budget)
                records.append(record)
                raise
            record["elapsed_s"] = round(bar.close(record["status"], budget), 2)
        if record["status"] != "ok":
            stream.write(f"[{name}] {record['status']}: {record['error']}\n")
            stream.flush()
        done[name] = record["status"]
        records.append(record)
    return records


def build_parser(prog: str = "python -m bench") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Issue 12's whole benchmark: command path, 32 threads, catch-up and pages at "
        "10,000 and 1,000,000 events, memory; prints the table and writes it with the JSON.",
    )
    parser.add_argument("--store", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--pg-url",
        default=DEFAULT_PG,
        help="server to create the run's databases bench_run_* on (dropped at the end); "
        f"default {DEFAULT_PG}",
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    parser.add_argument(
        "--sections",
        type=parse_sections,
        default={1, 2, 3, 4, 5},
        help="comma-separated: 1 commands, 2 concurrent, 3 catchup, 4 pages, 5 memory "
        "(default all)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument(
        "--no-docs", action="store_true", help="leave docs/performance.md and its plot alone"
    )
    return parser


def main(
    argv: list[str] | None = None,
    *,
    sections: Sections | None = None,
    stores: Any = None,
    machine: dict[str, Any] | None = None,
    docs: Path | None = None,
    prog: str = "python -m bench",
) -> int:
    """Run the benchmark; 0 when every step that ran succeeded, 1 otherwise. ``docs`` is the
    performance.md a complete run updates (its plot goes beside it)."""
    args = build_parser(prog).parse_args(argv)
    scale = QUICK if args.quick else FULL
    postgres = args.store in ("postgresql", "both")
    started = time.perf_counter()
    if stores is None:
        from bench.stores import Stores

        stores = Stores(args.pg_url)
    names = wanted_steps(args.sections, args.store)
    steps = plan(scale, sections or Sections(), stores)
    records: list[dict[str, Any]] = []
    try:
        records = run_steps(names, steps, scale, postgres=postgres)
    finally:
        left = stores.close()
        for problem in left:
            print(f"could not drop {problem}", file=sys.stderr)
    if machine is None:
        from bench.machine import describe

        machine = describe(args.pg_url if postgres else None)
    run = {
        "schema": 1,
        "quick": args.quick,
        "options": {
            "command": f"{prog} " + " ".join(argv if argv is not None else sys.argv[1:]),
            "store": args.store,
            "sections": sorted(args.sections),
            "pg_url": args.pg_url,
        },
        "machine": machine,
        "sizes": {"small": scale.small, "large": scale.large},
        "durations_s": {
            "command": scale.command_s,
            "concurrent": scale.concurrent_s,
            "pages": scale.pages_s,
        },
        "threads": scale.threads,
        "steps": records,
        "elapsed_s": round(time.perf_counter() - started, 2),
        "budget_s": WHOLE_RUN_BUDGET_S,
    }
    from bench.outputs import finish

    return finish(run, args.out, write_docs=not args.no_docs, docs=docs)
