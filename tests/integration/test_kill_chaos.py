"""Issue 10: ``bench/kill_chaos.py`` bounded for every CI run. The real web server, projection
runner and timer worker run as processes while clients retry commands with the same request ids
and a killer sends SIGKILL to one of them at random moments (and, on PostgreSQL, ends every
connection to the run's database with ``pg_terminate_backend``). Each run must end with every
acknowledged command stored once, no 500, projections equal to a rebuild in a copy, a balanced
ledger, nothing parked and ``aftersales verify`` clean. The long script runs 100 and more
(docs/reliability.md)."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import DEFAULT_PG_TEST_URL, PG_TEST_URL_SETTING

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "kill_chaos.py"


def _chaos() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kill_chaos", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["kill_chaos"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_three_runs_of_kill_9_on_sqlite(capsys: pytest.CaptureFixture[str]) -> None:
    code = _chaos().main(["--runs", "3", "--cases", "3", "--seed", "7"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "duplicates: 0;" in out and "500s: 0;" in out and "0 with a problem" in out


@pytest.mark.postgres
def test_a_run_of_kill_9_and_terminated_connections_on_postgresql(
    pg_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    server = os.environ.get(PG_TEST_URL_SETTING, "").strip() or DEFAULT_PG_TEST_URL
    code = _chaos().main(
        [
            "--runs",
            "1",
            "--cases",
            "3",
            "--seed",
            "7",
            "--store",
            "postgresql",
            "--terminate",
            "--pg-url",
            server,
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "500s: 0;" in out and "0 with a problem" in out
