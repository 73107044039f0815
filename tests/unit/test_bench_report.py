"""Issue 12: ``python -m bench.report`` regenerates docs/performance.md's table (and the page
latency plot) from a run's JSON, so the figures in the docs are the ones a run measured."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench import figures, report

RUN: dict[str, Any] = {
    "quick": False,
    "options": {"command": "python -m bench"},
    "machine": {"cpu_model": "test CPU", "cpu_count": 2, "git_commit": "abc123def456"},
    "sizes": {"small": 10_000, "large": 1_000_000},
    "elapsed_s": 1500.0,
    "budget_s": 1800,
    "steps": [
        {
            "name": "commands.postgresql",
            "status": "ok",
            "elapsed_s": 50.0,
            "budget_s": 75.0,
            "result": {
                "figures": [
                    {"figure": "mix, cmd/s", "measured": 600.0, "baseline": 700.0},
                    {"figure": "ratio", "ratio": 0.5, "target": "≥0.8×", "met": False},
                ]
            },
        },
        {
            "name": "catchup.large",
            "status": "ok",
            "elapsed_s": 400.0,
            "budget_s": 480.0,
            "result": {"ratio": 0.62, "dead_rows": 0, "runner_peak_rss_kb": 204800},
        },
        {
            "name": "pages.large",
            "status": "failed",
            "elapsed_s": 3.0,
            "budget_s": 240.0,
            "error": "FileNotFoundError: wrk\nmore",
        },
    ],
}


def test_the_table_has_a_row_per_figure_with_its_target_and_whether_it_was_met() -> None:
    text = report.table(RUN)
    lines = text.splitlines()
    assert lines[0] == "| figure | measured | baseline | ratio | target | met? |"
    assert "| 1 · command path, PostgreSQL: mix, cmd/s | 600 | 700 | 0.86× |  |  |" in lines
    assert "| 1 · command path, PostgreSQL: ratio |  |  | 0.50× | ≥0.8× | **no** |" in lines
    assert "| 3 · catch-up at 1,000,000: ratio |  |  | 0.62× | ≥0.5× raw read | yes |" in lines
    assert "| 3 · catch-up at 1,000,000: dead_rows | 0 |  |  |  |  |" in lines
    assert (
        "| 4 · pages at 1,000,000: FAILED — FileNotFoundError: wrk |  |  |  |  | **no** |" in lines
    )
    assert lines[-1] == (
        "| 5 · memory, peak RSS, catch-up at 1,000,000: runner_peak_rss_kb | 200 MiB |  |  |  |  |"
    )


def test_the_markdown_says_where_it_ran_and_how_long_each_step_took() -> None:
    text = report.markdown(RUN)
    assert text.startswith("Benchmark full run: `python -m bench`")
    assert "test CPU, 2 CPUs" in text and "commit abc123def4" in text
    assert "- 3 · catch-up at 1,000,000: ok, 400 s of 480 s" in text
    assert "- whole run: 25.0 min of 30 min" in text
    assert "Failed steps: pages.large" in text


def test_report_main_rewrites_only_the_text_between_the_markers(tmp_path: Path) -> None:
    results = tmp_path / "latest.json"
    results.write_text(json.dumps(RUN))
    docs = tmp_path / "performance.md"
    docs.write_text(f"intro\n{report.START}\nstale figures\n{report.END}\noutro\n")
    assert (
        report.main(
            ["--results", str(results), "--docs", str(docs), "--plot", str(tmp_path / "p.png")]
        )
        == 0
    )
    text = docs.read_text()
    assert text.startswith(f"intro\n{report.START}\nBenchmark full run")
    assert text.endswith(f"{report.END}\noutro\n")
    assert "stale figures" not in text
    assert report.table(RUN) in text


def test_docs_without_markers_are_left_alone(tmp_path: Path) -> None:
    docs = tmp_path / "performance.md"
    docs.write_text("no markers\n")
    assert not report.update_docs(RUN, docs)
    assert docs.read_text() == "no markers\n"


def test_the_plot_is_drawn_from_the_pages_steps(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from bench.plot import series, write_plot

    run = dict(
        RUN,
        steps=[
            {
                "name": "pages.small",
                "status": "ok",
                "result": {"queue": {"p50_ms": 4, "p99_ms": 9}},
            },
            {
                "name": "pages.large",
                "status": "ok",
                "result": {"queue": {"p50_ms": 5, "p99_ms": 12}},
            },
        ],
    )
    assert series(run) == {
        "queue.p·_ms": {"p50": [(10_000, 4), (1_000_000, 5)], "p99": [(10_000, 9), (1_000_000, 12)]}
    }
    path = tmp_path / "pages.png"
    assert "page latency plot (1 lines)" in write_plot(run, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_figure_list_without_targets_gets_the_issue_targets() -> None:
    run = {
        "sizes": {},
        "steps": [
            {
                "name": "pages.small",
                "status": "ok",
                "result": {
                    "figures": [
                        {"figure": "timeline open loop p99", "measured": 80.0},
                        {"figure": "errors", "measured": 0},
                    ]
                },
            },
        ],
    }
    rows = {row.figure: row for row in figures.rows(run)}
    p99 = rows["4 · pages at 0: timeline open loop p99"]
    assert (p99.target, p99.met) == ("p99 ≤50 ms", False)
    assert rows["4 · pages at 0: errors"].met is True


def queue_detail_left_out(rows: dict[str, figures.Row]) -> bool:
    return "pages.queue.closed.requests" not in rows and "pages.queue.duration_s" not in rows


def test_results_shaped_as_the_sections_return_them_meet_their_targets_by_key() -> None:
    """bench.catchup's and bench.pages' own shapes: targets found by key, a baseline's subtree
    without one, the target itself and the machine left out, per-table dead rows totalled."""
    dead = {f"t{n}": {"live": 10, "dead": n} for n in range(6)}
    measured = {
        "closed": {
            "req_per_s": 300.0,
            "p50_ms": 90.0,
            "requests": 600,
            "socket_errors": {"connect": 0, "read": 1, "write": 0, "timeout": 1},
        },
        "open": {"p50_ms": 8.0, "p99_ms": 80.0, "non_2xx": 0, "socket_errors": 2},
        "duration_s": 20,
        "baseline": {"closed": {"req_per_s": 1000.0}, "open": {"p99_ms": 9.0, "non_2xx": 3}},
        "ratio_to_baseline": 0.3,
        "peak_rss_mb": 95.5,
    }
    run = {
        "sizes": {"small": 10_000, "large": 1_000_000},
        "steps": [
            {
                "name": "catchup.large",
                "status": "ok",
                "result": {
                    "ratio": 0.55,
                    "target_ratio": 0.5,
                    "share": {"timeline": 0.4, "queues": 0.3},
                    "dead_rows": dead,
                    "machine": {"cpus": 2},
                },
            },
            {"name": "pages.large", "status": "ok", "result": {"pages": {"queue": measured}}},
        ],
    }
    rows = {row.figure.split(": ", 1)[1]: row for row in figures.rows(run)}
    assert (rows["ratio"].target, rows["ratio"].met) == ("≥0.5× raw read", True)
    assert "target_ratio" not in rows and "machine.cpus" not in rows
    assert queue_detail_left_out(rows)
    assert rows["share.timeline"].target is None
    assert rows["dead_rows.dead (total of 6)"].measured == 15
    assert rows["dead_rows.live (total of 6)"].measured == 60
    queue = "pages.queue."
    assert (rows[queue + "ratio_to_baseline"].met, rows[queue + "open.p99_ms"].met) == (
        False,
        False,
    )
    assert rows[queue + "open.non_2xx"].met is True
    assert rows[queue + "open.socket_errors"].met is False
    summed = rows[queue + "closed.socket_errors"]  # wrk's connect + read + write + timeout
    assert (summed.measured, summed.met) == (2, False)
    # a baseline's figure is in the baseline column of the same figure's row, not a row
    assert not [key for key in rows if ".baseline." in key]
    closed = rows[queue + "closed.req_per_s"]
    assert (closed.measured, closed.baseline, closed.ratio) == (300.0, 1000.0, 0.3)
    assert (rows[queue + "open.non_2xx"].baseline, rows[queue + "open.non_2xx"].ratio) == (3, 0.0)
    assert (rows[queue + "peak_rss_mb"].measured, rows[queue + "peak_rss_mb"].unit) == (95.5, "MiB")
    assert rows[queue + "peak_rss_mb"].figure.startswith("5 · memory, peak RSS, pages at")


def test_a_baseline_measured_beside_the_figure_shares_its_row() -> None:
    """bench.commands' shapes: the bare save's rate beside the service's; 32 threads with group
    commit beside one transaction per command."""
    run = {
        "sizes": {},
        "steps": [
            {
                "name": "commands.postgresql",
                "status": "ok",
                "result": {"service_cmd_s": 600.0, "baseline_cmd_s": 750.0, "ratio": 0.8},
            },
            {
                "name": "concurrent",
                "status": "ok",
                "result": {
                    "group_commit": {"cmd_s": 2600.0, "p99_ms": 40.0, "commands": 9},
                    "per_command": {"cmd_s": 800.0, "p99_ms": 80.0, "commands": 9},
                    "target_cmd_s": 2500,
                },
            },
        ],
    }
    rows = {row.figure.split(": ", 1)[1]: row for row in figures.rows(run)}
    assert set(rows) == {"service_cmd_s", "ratio", "group_commit.cmd_s", "group_commit.p99_ms"}
    service = rows["service_cmd_s"]
    assert (service.measured, service.baseline, service.ratio) == (600.0, 750.0, 0.8)
    assert (rows["ratio"].target, rows["ratio"].met) == ("≥0.8× bare save", True)
    group = rows["group_commit.cmd_s"]
    assert (group.baseline, group.ratio, group.target, group.met) == (
        800.0,
        3.25,
        "≥2,500 cmd/s",
        True,
    )
    assert rows["group_commit.p99_ms"].target is None
