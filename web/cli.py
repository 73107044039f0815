"""The ``aftersales`` command: one sub-command per chore (the Flask tutorial's CLI pattern).

``FlaskGroup`` builds the app with ``create_app`` only when a command needs it; commands that use
the database read the same settings as the site (``AFTERSALES_DATABASE_URL``). Every failure
prints a one-line message naming the problem and exits non-zero.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from werkzeug.serving import run_simple

from domain.errors import DomainError
from web import create_app
from web.cli_support import app_service, fail, migrated_db, projection_runner, read_db
from web.store_cli import export_command, import_command, verify_command
from web.workers_cli import _log_to_stderr, projections_group, timers_group


def _create_app() -> Any:
    """``create_app`` with a bad setting reported as one line and exit status 1, no traceback."""
    from web.settings import SettingsError

    try:
        return create_app()
    except SettingsError as error:
        raise click.ClickException(str(error)) from None


main = FlaskGroup(
    create_app=_create_app,
    add_version_option=False,
    load_dotenv=False,
    help="After-sales case ledger: returns, refunds, exchanges, repairs, complaints, arbitration.",
)
main.add_command(projections_group)
main.add_command(timers_group)
main.add_command(verify_command)
main.add_command(export_command)
main.add_command(import_command)


@main.command("migrate")
@with_appcontext
def migrate_command() -> None:
    """Create or update the read-model tables (migrations/*.sql, each once, in order) and the
    event store's tables: the one place where tables are created (safe to run concurrently)."""
    from projections.event_store import create_event_store_tables
    from projections.migrate import migrate

    applied = migrate(read_db())
    create_event_store_tables(current_app.config["DATABASE_URL"])
    click.echo(
        f"applied {len(applied)} migration(s)" + (": " + ", ".join(applied) if applied else "")
    )


def _load_demo(echo: Callable[[str], None]) -> None:
    from projections.event_store import open_service
    from web.common.accounts import create_account, get_account
    from web.demo import DEMO_ACCOUNTS, run_demo

    db = migrated_db()
    url = current_app.config["DATABASE_URL"]
    with click.progressbar(length=1, label="demo scenario", show_pos=True) as bar:
        counter = {"n": 0}

        def tick(_label: str) -> None:
            counter["n"] += 1
            bar.length = max(bar.length or 1, counter["n"] + 1)
            bar.update(1)

        report = run_demo(lambda clock: open_service(url, clock=clock), progress=tick)
    created = 0
    for username, password, role, display, party, merchant in DEMO_ACCOUNTS:
        if get_account(db, username) is None:
            create_account(db, username, password, role, display, party, merchant_id=merchant)
            created += 1
    echo(
        f"demo: {report.steps} steps, {report.new_events} new events, {len(report.cases)} cases, "
        f"{created} new log-ins"
    )
    runner = projection_runner()
    processed = runner.catch_up()
    echo(f"projections: {processed} events processed")


@main.command("demo")
@with_appcontext
def demo_command() -> None:
    """Record demo policies, orders and a case of every kind walked to its end (idempotent)."""
    try:
        _load_demo(click.echo)
    except DomainError as error:
        fail(str(error))


@main.group("ledger")
def ledger_group() -> None:
    """The double-entry refund ledger."""


@ledger_group.command("reconcile")
@click.argument("report", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def ledger_reconcile(report: Path) -> None:
    """Import a payment provider's settlement report (WeChat Pay's or Alipay's refund bill),
    record it as a settlement (events) and compare it with the ledger; exit 1 when anything does
    not match, 2 when the file is refused (docs/settlement-report.md lists the columns)."""
    from projections import reconcile

    projection_runner().catch_up()
    try:
        result = reconcile.reconcile(app_service(), read_db(), report)
    except reconcile.ReconciliationError as error:
        fail(str(error), 2)
        return
    run = result.run
    click.echo(
        f"settlement {run.run_id} ({run.provider}): {run.report_rows} report row(s), "
        f"{run.period_start} to "
        f"{run.period_end}; report {_yuan(run.report_total_fen)}, ledger "
        f"{_yuan(run.ledger_total_fen)}"
    )
    groups = (
        ("matched", result.matched),
        ("missing in the report", result.missing_in_report),
        ("missing in the ledger", result.missing_in_ledger),
        ("amount mismatch", result.amount_mismatches),
        ("status mismatch", result.status_mismatches),
        ("not settled", result.not_settled),
    )
    for label, items in groups:
        click.echo(f"{label}: {len(items)}")
        if label == "matched":
            continue
        for item in items:
            click.echo(
                f"  {item.psp_reference}  case {item.case_no or '-'}  report "
                f"{_yuan(item.report_amount_fen)}  ledger {_yuan(item.ledger_amount_fen)}"
                + (f"  ({item.note})" if item.note else "")
            )
    if not run.clean:
        sys.exit(1)


def _yuan(fen: int | None) -> str:
    if fen is None:
        return "-"
    sign = "-" if fen < 0 else ""
    yuan, rest = divmod(abs(fen), 100)
    return f"{sign}¥{yuan}.{rest:02d}"


def _serve(host: str, port: int, follow: bool) -> None:
    """Serve the site; with ``follow``, projections and timers follow in a background thread
    under the workers' supervisor (``projections.supervise``): a database outage is logged and
    retried with backoff, never the end of the process (issue 10). The site answers 503 with
    ``Retry-After`` meanwhile."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    stop = threading.Event()
    if follow:
        thread = threading.Thread(target=_follow, args=(app, stop), daemon=True)
        thread.start()
    try:
        # app.run() refuses to block inside the flask CLI; the same server, called directly. It
        # prints where it listens, and a taken port as one line with exit status 1.
        run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)
    finally:
        stop.set()


def _follow(app: Any, stop: threading.Event) -> None:
    from projections.registry import make_runner
    from projections.supervise import supervise
    from projections.timers import TimerWorker

    with app.app_context():
        runner = make_runner(app_service(), read_db())
        worker = TimerWorker(app_service(), runner.db)

        def step() -> None:
            runner.catch_up()
            worker.run_once()

        supervise(step, name="serve: projections and timers", interval=1.0, stop=stop)


def _when_ready(step: Callable[[], object], name: str) -> None:
    """``step`` once, waiting out a database that is away (logged, retried with backoff)."""
    from projections.supervise import until_done

    _log_to_stderr()
    until_done(step, name=name)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-follow", is_flag=True, help="Do not run projections and timers in-process.")
@with_appcontext
def serve_command(host: str, port: int, no_follow: bool) -> None:
    """Development server; projections and timers follow in a background thread."""
    _when_ready(migrated_db, "serve: migrate")
    _serve(host, port, follow=not no_follow)


@main.command("up")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def up_command(host: str, port: int) -> None:
    """The main job: migrate, load the demo (once), catch up and serve the site."""
    try:
        _when_ready(lambda: _load_demo(click.echo), "up: migrate and load the demo")
    except DomainError as error:
        fail(str(error))
    _serve(host, port, follow=True)
