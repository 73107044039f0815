"""The `aftersales` command on both stores, as a newcomer would use it: demo, projections status,
verify (clean, then after one stored byte changed), and clear errors with non-zero exits."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from domain import ids
from tests.integration.test_tamper import rewrite_state
from web.cli import main

CST = ZoneInfo("Asia/Shanghai")


def flip_first_letter_of_reason(state: bytes) -> bytes:
    marker = b'"reason":"'
    at = state.index(marker) + len(marker)
    return state[:at] + bytes([state[at] ^ 0x01]) + state[at + 1 :]


OUR_COMMANDS = {
    *("up", "serve", "demo", "migrate", "projections", "timers", "verify", "export", "import"),
    *("ledger", "users", "i18n", "notify", "bench"),
}


def listed_commands(help_text: str) -> set[str]:
    section = help_text.split("Commands:", 1)[1]
    return {line.split()[0] for line in section.splitlines() if line.startswith("  ")}


def test_help_lists_exactly_our_commands_and_none_of_flasks() -> None:
    """Issue 11 item 12: one way to start the site (``up``; ``serve`` for development), not
    Flask's ``run``, ``shell``, ``routes`` or its ``--env-file`` / ``--app`` options."""
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert listed_commands(result.output) == OUR_COMMANDS
    options = result.output.split("Options:", 1)[1].split("Commands:", 1)[0]
    assert options.split() == ["--help", "Show", "this", "message", "and", "exit."]
    for flasks in ("run", "shell", "routes"):
        assert CliRunner().invoke(main, [flasks]).exit_code == 2  # "No such command"


def test_help_imports_no_app_no_event_store_and_no_database_driver() -> None:
    """``aftersales --help`` stays fast (issue 11: it took 5.7 s): the command modules import the
    app, the domain, the event store and the database drivers only when a command runs."""
    script = (
        "import sys\n"
        "from web.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = set(ast.literal_eval(done.stdout.splitlines()[-1]))
    heavy = ("eventsourcing", "psycopg", "projections", "babel", "flask_babel", "waitress")
    assert not {m for m in loaded if m.split(".")[0] in heavy}
    assert not {m for m in loaded if m.startswith("domain.") and m != "domain.values"}
    assert "web.pages" not in loaded and "web.common" not in loaded  # no app was built


def test_bench_help_is_the_harness_options_and_imports_nothing_heavy() -> None:
    """Issue 12: ``aftersales bench`` is ``python -m bench`` (its options, its help); asking for
    the help imports no app, event store, database driver or section module."""
    script = (
        "import sys\n"
        "from web.cli import main\n"
        "try:\n"
        "    main(['bench', '--help'])\n"
        "except SystemExit as stop:\n"
        "    assert stop.code in (0, None), stop.code\n"
        "print(sorted(m for m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.startswith("usage: aftersales bench [-h] [--store {sqlite,postgresql,both}]")
    for option in ("--pg-url", "--quick", "--sections", "--out"):
        assert option in done.stdout
    loaded = set(ast.literal_eval(done.stdout.splitlines()[-1]))
    heavy = ("eventsourcing", "psycopg", "projections", "flask_babel", "waitress", "matplotlib")
    assert not {m for m in loaded if m.split(".")[0] in heavy}
    assert not {m for m in loaded if m.startswith("domain.") and m != "domain.values"}
    sections = ("bench.load", "bench.commands", "bench.catchup", "bench.pages", "bench.stores")
    assert not loaded & set(sections)


def test_users_role_choices_are_the_account_roles() -> None:
    from web.common.accounts import ACCOUNT_ROLES
    from web.users_cli import ROLES

    assert ROLES == ACCOUNT_ROLES


def test_demo_then_verify_clean_then_tampered(cli: CliRunner, store_url: str) -> None:
    demo = cli.invoke(main, ["demo"])
    assert demo.exit_code == 0, demo.output
    assert "15 cases" in demo.output
    again = cli.invoke(main, ["demo"])
    assert "0 new events" in again.output  # idempotent: a second run records nothing

    status = cli.invoke(main, ["projections", "status"])
    assert status.exit_code == 0
    lags = [line.split()[3] for line in status.output.splitlines()[1:] if line.strip()]
    assert lags and all(lag == "0" for lag in lags)

    clean = cli.invoke(main, ["verify"])
    assert clean.exit_code == 0, clean.output
    assert "15 case(s)" in clean.output and "0 broken" in clean.output

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


def _wechat_refund_bill(rows: list[tuple[str, str, int, str]]) -> str:
    """A WeChat Pay refund bill (docs/settlement-report.md) with ``(reference, refund id, fen,
    success time CST)`` rows; the columns the importer does not read are left empty."""
    header = (
        "交易时间,商户订单号,货币种类,退款申请时间,退款成功时间,微信退款单号,商户退款单号,"
        "退款金额,退款状态"
    )
    lines = [header]
    for reference, refund_id, fen, when in rows:
        yuan = f"{fen // 100}.{fen % 100:02d}"
        lines.append(f"`{when},`O,`CNY,`{when},`{when},`{refund_id},`{reference},`{yuan},`SUCCESS")
    return "\n".join(lines) + "\n"


def test_reconcile_names_what_does_not_match_and_exits_1(
    cli: CliRunner, store_url: str, tmp_path: Path
) -> None:
    """The demo's own payments (refunds and compensation), one left out, one with another amount,
    one unknown row."""
    from projections.db import Database, parse_ts

    assert cli.invoke(main, ["demo"]).exit_code == 0
    cli.invoke(main, ["projections", "run", "--once"])
    with Database.from_url(store_url) as db, db.connect() as conn:
        paid = conn.execute(
            "SELECT psp_reference, psp_amount_fen, paid_at FROM ledger_payments ORDER BY paid_at"
        ).fetchall()
    assert len(paid) >= 3
    rows = []
    for n, row in enumerate(paid):
        when = parse_ts(row["paid_at"]).astimezone(CST).strftime("%Y-%m-%d %H:%M:%S")
        rows.append((row["psp_reference"], f"RF{n}", int(row["psp_amount_fen"]), when))
    dropped = rows.pop(1)  # inside the report's period (first to last row), so it is missed
    ref, rid, fen, when = rows[0]
    rows[0] = (ref, rid, fen + 1, when)  # one fen more than the ledger says
    rows.append(("PSP-UNKNOWN-1", "RFX", 12_34, rows[-1][3]))
    report = tmp_path / "refund-bill.csv"
    report.write_text(_wechat_refund_bill(rows), encoding="utf-8-sig")

    result = cli.invoke(main, ["ledger", "reconcile", str(report)])
    assert result.exit_code == 1, result.output
    out = result.output
    assert f"matched: {len(rows) - 2}" in out
    assert "missing in the report: 1" in out and dropped[0] in out
    assert "missing in the ledger: 1" in out and "PSP-UNKNOWN-1" in out
    assert "amount mismatch: 1" in out and ref in out


def test_reconcile_of_a_malformed_file_is_refused_and_stores_nothing(
    cli: CliRunner, tmp_path: Path
) -> None:
    assert cli.invoke(main, ["migrate"]).exit_code == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("hello,world\n1,2\n", encoding="utf-8")
    result = cli.invoke(main, ["ledger", "reconcile", str(bad)])
    assert result.exit_code == 2
    assert "error:" in result.output


def test_one_process_per_projection_each_keeps_its_own_position(
    cli: CliRunner, store_url: str
) -> None:
    """Issue: `projections run` as one process per projection, or all in one."""
    from domain.service import AfterSales
    from web.demo import run_demo

    assert cli.invoke(main, ["migrate"]).exit_code == 0
    run_demo(lambda clock: AfterSales.from_url(store_url, clock=clock))  # events, no projection

    one = cli.invoke(main, ["projections", "run", "--once", "timeline"])
    assert one.exit_code == 0 and "caught up timeline:" in one.output
    status = cli.invoke(main, ["projections", "status"]).output.splitlines()[1:]
    lag = {line.split()[0]: int(line.split()[3]) for line in status if line.strip()}
    assert lag["timeline"] == 0
    assert lag["ledger"] > 0 and lag["queues"] > 0  # the others have not run yet

    unknown = cli.invoke(main, ["projections", "run", "--once", "nope"])
    assert unknown.exit_code == 2 and "unknown projection 'nope'" in unknown.output


def test_serving_on_a_taken_port_is_one_clear_line_and_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    monkeypatch.setenv("AFTERSALES_DATABASE_URL", f"sqlite:///{tmp_path / 'a.db'}")
    monkeypatch.setenv("AFTERSALES_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AFTERSALES_SECRET_KEY", "cli-test-secret-key-0123456789")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--no-follow", "--port", str(port)])
    assert result.exit_code == 1
    assert f"Port {port} is in use by another program" in result.output
    assert "Traceback" not in result.output
