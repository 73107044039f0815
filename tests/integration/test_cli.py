"""The `aftersales` command on both stores, as a newcomer would use it: demo, projections status,
verify (clean, then after one stored byte changed), and clear errors with non-zero exits."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from domain import ids
from tests.integration.test_tamper import rewrite_state
from web.cli import main


def flip_first_letter_of_reason(state: bytes) -> bytes:
    marker = b'"reason":"'
    at = state.index(marker) + len(marker)
    return state[:at] + bytes([state[at] ^ 0x01]) + state[at + 1 :]


@pytest.fixture
def cli(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("AFTERSALES_DATABASE_URL", store_url)
    monkeypatch.setenv("AFTERSALES_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AFTERSALES_SECRET_KEY", "cli-test-secret-key-0123456789")
    return CliRunner()


def test_help_lists_every_chore() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("demo", "verify", "migrate", "projections", "timers", "ledger", "serve", "up"):
        assert command in result.output


def test_demo_then_verify_clean_then_tampered(cli: CliRunner, store_url: str) -> None:
    demo = cli.invoke(main, ["demo"])
    assert demo.exit_code == 0, demo.output
    assert "11 cases" in demo.output
    again = cli.invoke(main, ["demo"])
    assert "0 new events" in again.output  # idempotent: a second run records nothing

    status = cli.invoke(main, ["projections", "status"])
    assert status.exit_code == 0
    lags = [line.split()[3] for line in status.output.splitlines()[1:] if line.strip()]
    assert lags and all(lag == "0" for lag in lags)

    clean = cli.invoke(main, ["verify"])
    assert clean.exit_code == 0, clean.output
    assert "11 case(s)" in clean.output and "0 broken" in clean.output

    # DEMO-C-0001 version 2 is the merchant's acceptance with the reason "同意退货".
    rewrite_state(store_url, ids.case_id("DEMO-C-0001"), 2, flip_first_letter_of_reason)
    one = cli.invoke(main, ["verify", "DEMO-C-0001"])
    assert one.exit_code == 1
    assert "TAMPERED case DEMO-C-0001: event version 2" in one.output
    every = cli.invoke(main, ["verify"])
    assert every.exit_code == 1 and "1 broken chain(s)" in every.output
    other = cli.invoke(main, ["verify", "DEMO-C-0002"])
    assert other.exit_code == 0


def test_verify_of_an_unknown_case_is_a_clear_error(cli: CliRunner) -> None:
    cli.invoke(main, ["migrate"])
    result = cli.invoke(main, ["verify", "NO-SUCH-CASE"])
    assert result.exit_code == 2
    assert "unknown case 'NO-SUCH-CASE'" in result.output


def test_rebuild_of_an_unknown_projection_is_refused_before_anything_is_cleared(
    cli: CliRunner,
) -> None:
    cli.invoke(main, ["demo"])
    result = cli.invoke(main, ["projections", "rebuild", "nonsense"])
    assert result.exit_code == 2
    assert "unknown projection 'nonsense'" in result.output


def test_a_bad_setting_is_one_clear_line_and_a_non_zero_exit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AFTERSALES_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AFTERSALES_SECRET_KEY", "short")
    result = CliRunner().invoke(main, ["migrate"])
    assert result.exit_code == 1
    assert "AFTERSALES_SECRET_KEY must be at least 16 characters" in result.output
    assert "Traceback" not in result.output
