"""The benchmark loader (issue 12, bench/load.py) stores what the service itself would: every
chain verifies, the cases replay, and the concentrations the page benchmarks log in as are there.
(Its speed is measured by the benchmark, never here.)"""

from __future__ import annotations

from pathlib import Path

from bench.commands import bench_command_path
from bench.load import load_store
from domain.case import Case
from domain.service import AfterSales


def test_a_loaded_store_verifies_and_holds_the_samples(store_url: str) -> None:
    figures = load_store(store_url, 3_000)
    assert 3_000 <= figures["events"] < 3_000 + 200 and figures["cases"] > 100
    sample = figures["sample"]
    app = AfterSales.from_url(store_url)
    try:
        report = app.verify_store()
        assert report.ok, (report.problems[:3], report.broken_chains[:3])
        assert report.events == figures["events"]
        long_case = app.get_case(sample["case_no"])
        assert long_case.consumer_id == sample["consumer_id"]
        assert long_case.merchant_id == sample["merchant_id"]
        assert long_case.version > 45
        waiting = 0
        for notification in app.recorder.select_notifications(1, 100_000):
            if notification.topic.endswith("Case.Opened"):
                event = app.mapper.to_domain_event(notification)
                case = app.get_case(str(event.case_no))  # type: ignore[attr-defined]
                if case.merchant_id == sample["merchant_id"] and case.version == 2:
                    waiting += 1  # opened and triaged: in the merchant's queue (R12)
        assert waiting >= 50
        assert isinstance(long_case, Case)
        grown = load_store(store_url, 2_000)  # a second call adds to the same store
        assert grown["sample"]["case_no"] != sample["case_no"]
        assert app.verify_store().ok
    finally:
        app.close()


def test_the_command_path_benchmark_runs(tmp_path: Path) -> None:
    figures = bench_command_path(f"sqlite:///{tmp_path / 'store.db'}", seconds=1.5)
    assert figures["ratio"] > 0 and len(figures["rounds"]) == 3
    assert figures["events_per_command"] >= 1
