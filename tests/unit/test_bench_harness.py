"""Issue 12: the benchmark harness's orchestration (``python -m bench``), with fake sections.

Nothing here is timed: the fakes return figures at once; the tests check what the harness does
with them (a failing section is recorded and the run goes on and exits 1, the table and the JSON
are written, each step's time against its budget is printed, PostgreSQL steps are skipped with
``--store sqlite``, the catch-up child's progress and result come back)."""

from __future__ import annotations

import io
import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from bench import harness
from bench.catchup_child import ChildFailed, run_catchup, vm_hwm_kb
from bench.progress import Progress, clock_text

MACHINE = {"cpu_model": "test CPU", "cpu_count": 2, "python": "3.11", "date": "2026-12-03"}


class FakeStores:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.made: list[str] = []
        self.closed = False

    def sqlite(self, tag: str) -> str:
        self.made.append(f"sqlite:{tag}")
        return f"sqlite:///{self.tmp / tag}.db"

    def postgresql(self, tag: str) -> str:
        self.made.append(f"postgresql:{tag}")
        return f"postgresql://fake/bench_run_test_{tag}"

    def close(self) -> list[str]:
        self.closed = True
        return []


def pages_figures(p50: float) -> dict[str, Any]:
    return {
        "timeline": {"open": {"p50_ms": p50, "p99_ms": 4 * p50}, "saturation_ratio": 0.7},
        "errors": 0,
        "worker_peak_rss_kb": 81920,
    }


def tag(url: str) -> str:
    """The store's tag in a FakeStores URL: ``.../commands.db`` or ``..._commands``."""
    return url.rsplit("/", 1)[1].removesuffix(".db").rsplit("_", 1)[-1]


def fake_sections(calls: list[str], *, failing: str | None = None) -> harness.Sections:
    def maybe_fail(name: str) -> None:
        calls.append(name)
        if name == failing:
            raise RuntimeError(f"{name} broke")

    def command_path(url: str, seconds: float, progress: Any) -> dict[str, Any]:
        maybe_fail("command_path:" + url.split(":")[0])
        progress(1, 2)
        progress(2, 2)
        return {"rate": 900.0, "baseline_rate": 1000.0, "ratio": 0.9}

    def concurrent(url: str, threads: int, seconds: float, progress: Any) -> dict[str, Any]:
        maybe_fail("concurrent")
        return {"commands_per_s": 1200.0, "p50_ms": 20.0, "p99_ms": 60.0, "threads": threads}

    def load_store(url: str, events: int, progress: Any) -> dict[str, Any]:
        maybe_fail(f"load:{events}")
        progress(events, events)
        return {"events": events}

    def catchup(url: str, progress: Any, budget: float) -> dict[str, Any]:
        maybe_fail("catchup:" + url.rsplit("_", 1)[1])
        return {"ratio": 0.3, "raw_events_per_s": 40000.0, "runner_peak_rss_kb": 51200}

    def pages(url: str, progress: Any, duration: float) -> dict[str, Any]:
        size = url.rsplit("_", 1)[1]
        maybe_fail("pages:" + size)
        return pages_figures(5.0 if size == "small" else 6.0)

    return harness.Sections(
        load_store=load_store,
        command_path=command_path,
        concurrent=concurrent,
        catchup=catchup,
        pages=pages,
        prepare=lambda url: calls.append("prepare:" + tag(url)),
    )


def run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str, failing: str | None = None
) -> tuple[int, list[str], FakeStores, dict[str, Any], str, str]:
    calls: list[str] = []
    stores = FakeStores(tmp_path)
    out = tmp_path / "results"
    code = harness.main(
        ["--out", str(out), *args],
        sections=fake_sections(calls, failing=failing),
        stores=stores,
        machine=MACHINE,
        docs=tmp_path / "docs" / "performance.md",
    )
    stem = "quick" if "--quick" in args else "latest"
    result = json.loads((out / f"{stem}.json").read_text())
    captured = capsys.readouterr()
    return code, calls, stores, result, captured.out, captured.err


def test_a_failing_section_is_recorded_and_the_run_goes_on_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, calls, stores, result, out, err = run(tmp_path, capsys, "--quick", failing="concurrent")
    assert code == 1
    steps = {step["name"]: step for step in result["steps"]}
    assert steps["concurrent"]["status"] == "failed"
    assert steps["concurrent"]["error"] == "RuntimeError: concurrent broke"
    assert "Traceback" in steps["concurrent"]["traceback"]
    assert result["failed"] == ["concurrent"]
    # everything after it ran, in the order
    assert calls == [
        "prepare:commands",
        "command_path:sqlite",
        "prepare:commands",
        "command_path:postgresql",
        "prepare:concurrent",
        "concurrent",
        "prepare:small",
        "load:500",
        "catchup:small",
        "pages:small",
        "prepare:large",
        "load:2000",
        "catchup:large",
        "pages:large",
    ]
    assert all(step["status"] == "ok" for name, step in steps.items() if name != "concurrent")
    assert stores.closed
    # the table is printed and written, with the failure in it
    table = (tmp_path / "results" / "quick.md").read_text()
    assert (
        "| 2 · concurrent commands, PostgreSQL: FAILED — RuntimeError: concurrent broke |" in table
    )
    assert table in out
    assert "FAILED steps: concurrent" in err


def test_the_time_of_each_step_is_printed_against_its_budget(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _calls, _stores, result, out, err = run(tmp_path, capsys, "--quick")
    assert code == 0
    for step in result["steps"]:
        assert step["budget_s"] == harness.QUICK.budgets[step["name"]]
        assert step["elapsed_s"] is not None
        assert f"[{step['name']}] ok in " in err
        assert f"of its {clock_text(step['budget_s'])} budget" in err
    assert "of the 30-minute budget" in out
    assert "- whole run: " in out


def test_the_json_holds_the_figures_the_machine_and_the_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _code, _calls, _stores, result, _out, _err = run(tmp_path, capsys, "--quick")
    assert result["machine"] == MACHINE
    assert result["sizes"] == {"small": 500, "large": 2000}
    pages = next(step for step in result["steps"] if step["name"] == "pages.large")
    assert pages["result"] == pages_figures(6.0)
    figures = {row["figure"]: row for row in result["rows"]}
    ratio = figures["1 · command path, SQLite: ratio"]
    assert (ratio["ratio"], ratio["target"], ratio["met"]) == (0.9, "≥0.8× bare save", True)
    throughput = figures["2 · concurrent commands, PostgreSQL: commands_per_s"]
    assert (throughput["measured"], throughput["met"]) == (1200.0, False)
    growth = figures["4 · pages, p50 at 2,000 over p50 at 500: timeline.open.p50_ms"]
    assert (growth["ratio"], growth["met"]) == (1.2, True)
    memory = figures["5 · memory, peak RSS, catch-up at 2,000: runner_peak_rss_kb"]
    assert (memory["measured"], memory["unit"]) == (50.0, "MiB")


def test_a_step_whose_store_failed_to_load_is_skipped_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, calls, _stores, result, _out, _err = run(tmp_path, capsys, "--quick", failing="load:2000")
    assert code == 1
    steps = {step["name"]: step for step in result["steps"]}
    assert steps["load.large"]["status"] == "failed"
    for name in ("catchup.large", "pages.large"):
        assert steps[name]["status"] == "skipped"
        assert steps[name]["error"] == "needs load.large (failed)"
    assert "pages:large" not in calls and "pages:small" in calls
    assert "catchup:large" not in calls


def test_sqlite_only_runs_the_sqlite_command_path_and_skips_nothing_it_was_not_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, calls, stores, result, _out, _err = run(
        tmp_path, capsys, "--quick", "--store", "sqlite", "--sections", "commands,2"
    )
    assert code == 0
    assert calls == ["prepare:commands", "command_path:sqlite"]
    assert stores.made == ["sqlite:commands"]
    steps = {step["name"]: step["status"] for step in result["steps"]}
    assert steps == {"commands.sqlite": "ok", "concurrent": "skipped"}


def test_a_complete_full_run_updates_the_docs_table_between_its_markers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = tmp_path / "docs" / "performance.md"
    docs.parent.mkdir()
    docs.write_text(
        "# Performance\n<!-- bench:table:start -->\nold\n<!-- bench:table:end -->\nend\n"
    )
    code, _calls, _stores, _result, out, _err = run(tmp_path, capsys)
    assert code == 0
    text = docs.read_text()
    assert "old" not in text and text.endswith("<!-- bench:table:end -->\nend\n")
    assert "| 1 · command path, PostgreSQL: ratio |" in text
    assert "docs/performance.md: table updated" in out


def test_sections_pick_the_steps_they_need() -> None:
    assert harness.parse_sections("1, catchup") == {1, 3}
    assert harness.wanted_steps({3}, "both") == ["load.large", "catchup.large"]
    assert harness.wanted_steps({5}, "both") == [
        "load.small",
        "projections.small",
        "pages.small",
        "load.large",
        "catchup.large",
        "pages.large",
    ]
    with pytest.raises(Exception, match="unknown section"):
        harness.parse_sections("6")


def test_the_progress_bar_degrades_to_plain_lines_off_a_terminal() -> None:
    stream = io.StringIO()
    ticks = itertools.count()  # a clock that moves one second each time it is read
    bar = Progress("load.small", stream, tty=False, now=lambda: float(next(ticks)))
    for done in (10, 25, 50, 99, 100):
        bar(done, 100)
    bar.close("ok", 60)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "[load.small] started"
    assert lines[1] == "[load.small] ######------------------ 25/100  25% elapsed 0:03 ETA 0:09"
    assert len(lines) == 5  # started, 25 %, 50 %, 75 %, the end: one line each
    assert lines[-1] == "[load.small] ok in 0:09 of its 1:00 budget"


def test_the_catchup_child_relays_progress_and_its_result_with_its_peak_rss() -> None:
    seen: list[tuple[int, int]] = []
    result = run_catchup(
        "postgresql://x/y",
        lambda d, t: seen.append((d, t)),
        60,
        module="tests.unit.bench_fake_child",
    )
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert result["ratio"] == 0.7 and result["url"] == "postgresql://x/y"
    assert "runner_peak_rss_kb" not in result  # the real child adds it: vm_hwm_kb()


def test_the_peak_rss_is_read_from_the_kernel() -> None:
    if not Path("/proc/self/status").exists():
        pytest.skip("no /proc here")
    peak = vm_hwm_kb()
    assert isinstance(peak, int) and peak > 0


def test_a_failing_catchup_child_raises_with_its_error() -> None:
    with pytest.raises(ChildFailed, match="exited 3: the projection broke"):
        run_catchup("fail", None, 60, module="tests.unit.bench_fake_child")


def test_a_catchup_child_over_its_budget_is_stopped() -> None:
    with pytest.raises(ChildFailed, match="overran its budget of 1 s"):
        run_catchup("hang", None, 1, module="tests.unit.bench_fake_child")
