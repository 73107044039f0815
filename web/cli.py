"""The ``aftersales`` command: one sub-command per chore, each registered in ``COMMANDS``.

A plain ``click`` group, not Flask's: ``aftersales --help`` lists our commands only and imports
no app, domain, event store or database driver (the command modules import them when a command
runs; tests/integration/test_cli.py checks). A command that needs the app says so with
``with_appcontext``: ``main`` hands it ``create_app``, which reads the same settings as the site
(``AFTERSALES_DATABASE_URL``). Every failure prints a one-line message naming the problem and
exits non-zero.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import ScriptInfo, with_appcontext

from web.cli_support import app_service, fail, migrated_db, projection_runner, read_db
from web.i18n_cli import i18n_cli
from web.notify_cli import notify_group, notify_thread
from web.store_cli import export_command, import_command, verify_command
from web.users_cli import users_cli
from web.workers_cli import _log_to_stderr, projections_group, timers_group


def _create_app() -> Any:
    """``create_app`` with a bad setting reported as one line and exit status 1, no traceback."""
    from web import create_app
    from web.settings import SettingsError

    try:
        return create_app()
    except SettingsError as error:
        raise click.ClickException(str(error)) from None


@click.group(
    help="After-sales case ledger: returns, refunds, exchanges, repairs, complaints, arbitration."
)
@click.pass_context
def main(ctx: click.Context) -> None:
    # What ``with_appcontext`` (and the ``AppGroup`` commands) build the app with, when they run.
    ctx.obj = ScriptInfo(create_app=_create_app, set_debug_flag=False)


@click.command("migrate")
@with_appcontext
def migrate_command() -> None:
    """Create or update the read-model tables (migrations/*.sql, each once, in order) and the
    event store's tables: the one place where tables are created (safe to run concurrently)."""
    from projections.event_store import create_event_store_tables
    from projections.migrate import migrate
    from web.shards import migrate_stores

    applied = migrate(read_db())
    create_event_store_tables(current_app.config["DATABASE_URL"])
    migrate_stores(current_app._get_current_object())  # type: ignore[attr-defined]
    click.echo(
        f"applied {len(applied)} migration(s)" + (": " + ", ".join(applied) if applied else "")
    )


def _load_demo(echo: Callable[[str], None], *, sweep_timers: bool = False) -> None:
    """Record the demo (once), create its log-ins, fire the deadlines that passed (with
    ``sweep_timers``), catch the projections up; saying what the store holds in counts that
    agree: each step's new events out of the events in the store, and the projections' reading
    of those same events."""
    from projections.event_store import open_service
    from projections.notifications import count_notifications_after
    from web.common.accounts import create_account, get_account
    from web.demo import DEMO_ACCOUNTS, run_demo
    from web.workers_cli import _warn_parked

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
    runner = projection_runner()
    stored = count_notifications_after(runner.recorder, 0)
    echo(
        f"demo: {report.steps} commands, {len(report.cases)} cases, {created} new log-ins; "
        f"{report.new_events} new events (the event store holds {stored})"
    )
    if sweep_timers:
        from projections.timers import TimerWorker

        fired = TimerWorker(app_service(), db, runner=runner).run_once()
        before, stored = stored, count_notifications_after(runner.recorder, 0)
        echo(
            f"timers: {fired} deadlines had passed; {stored - before} new events "
            f"(the event store holds {stored})"
        )
    runner.catch_up()
    statuses = runner.status()
    stored = count_notifications_after(runner.recorder, 0)
    behind = max((s.lag_events for s in statuses), default=0)
    echo(
        f"read models: {len(statuses)} projections, each has read all {stored} events"
        if not behind
        else f"read models: {len(statuses)} projections, {behind} of {stored} events still to read"
    )
    _warn_parked(runner)


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Record demo policies, orders and a case of every kind walked to its end (idempotent)."""
    from domain.errors import DomainError

    try:
        _load_demo(click.echo)
    except DomainError as error:
        fail(str(error))


@click.group("ledger")
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


def _serve(host: str, port: int, follow: bool, *, production: bool = False) -> None:
    """Serve the site: on waitress with ``production`` (``up``, ``web.wsgi_server``), else on
    werkzeug's development server (``serve``). With ``follow``, each loop of ``BACKGROUND`` runs
    in a thread of its own beside the site until the server stops; ``_follow`` keeps projections
    and timers current under the workers' supervisor (``projections.supervise``): a database
    outage is logged and retried with backoff, never the end of the process (issue 10). The site
    answers 503 with ``Retry-After`` meanwhile."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    stop = threading.Event()

    def start_background() -> None:
        for loop in BACKGROUND if follow else ():
            threading.Thread(target=loop, args=(app, stop), name=loop.__name__, daemon=True).start()

    try:
        if production:
            from web.wsgi_server import serve_site

            def ready(url: str) -> None:
                start_background()
                click.echo(_welcome(url))

            serve_site(app, host, port, ready)
            click.echo("stopped")
            return
        from werkzeug.serving import run_simple

        start_background()
        # The development server (its warning says so). It prints where it listens, and a taken
        # port as one line with exit status 1.
        run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)
    finally:
        stop.set()


def _welcome(url: str) -> str:
    """Where the site is and one demo log-in that works now (the first of the cast that does)."""
    from web.common.accounts import authenticate
    from web.demo import DEMO_ACCOUNTS

    for username, password, role, *_rest in DEMO_ACCOUNTS:
        if authenticate(read_db(), username, password) is not None:
            return (
                f"Open {url} — log in as {username} / {password} ({role}); "
                "all demo log-ins: README or the home page"
            )
    return f"Open {url} — no demo log-in works: create one with `aftersales users create`"


def _follow(app: Any, stop: threading.Event) -> None:
    """The projections, in one pass for all of them (issue 12): polled every 0.1 s when idle and
    woken at once by a command of the site (``web.projection_worker.wake``), so a page reading
    its own write waits about one batch. Never inside a request. One runner per store when the
    stores are split by merchant (``web.shards``), each with its own tracking."""
    from web.projection_worker import DEFAULT_POLL_SECONDS, ProjectionWorker, register
    from web.shards import store_runners

    with app.app_context():
        runners = [runner for _service, runner in store_runners(app)]

    def catch_up() -> None:
        for runner in runners:
            runner.catch_up()

    worker = ProjectionWorker(catch_up, poll=DEFAULT_POLL_SECONDS, name="serve: projections")
    register(app, worker)

    def stop_with_the_server() -> None:
        stop.wait()
        worker.stop()

    threading.Thread(target=stop_with_the_server, daemon=True).start()
    worker.run()


def _timers(app: Any, stop: threading.Event) -> None:
    """Deadlines that passed fire as events, checked every second (a timer worker per store)."""
    from projections.supervise import supervise
    from projections.timers import TimerWorker
    from web.shards import store_runners

    with app.app_context():
        workers = [TimerWorker(service, runner.db) for service, runner in store_runners(app)]

    def step() -> None:
        for worker in workers:
            worker.run_once()

    supervise(step, name="serve: timers", interval=1.0, stop=stop)


def _when_ready(step: Callable[[], object], name: str) -> None:
    """``step`` once, waiting out a database that is away (logged, retried with backoff)."""
    from projections.supervise import until_done

    _log_to_stderr()
    until_done(step, name=name)


#: What runs beside the site (``up``, and ``serve`` unless ``--no-follow``): ``loop(app, stop)``,
#: each in a daemon thread of its own, until ``stop`` is set when the server stops.
def _deliver(app: Any, stop: threading.Event) -> None:
    """The notification worker (issue 9): email, SMS and webhook deliveries until ``stop``."""
    notify_thread(app, stop).run()


BACKGROUND: list[Callable[[Any, threading.Event], None]] = [_follow, _timers, _deliver]


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-follow", is_flag=True, help="Do not run projections and timers in-process.")
@with_appcontext
def serve_command(host: str, port: int, no_follow: bool) -> None:
    """Development server (werkzeug); projections and timers follow in a background thread."""
    _when_ready(migrated_db, "serve: migrate")
    _serve(host, port, follow=not no_follow)


@click.command("up")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int, help="0: any free port.")
@with_appcontext
def up_command(host: str, port: int) -> None:
    """The main job: migrate, load the demo (once), catch up and serve the site (waitress),
    projections and timers following; prints the address and a log-in. Ctrl-C stops."""
    from domain.errors import DomainError

    try:
        _when_ready(
            lambda: _load_demo(click.echo, sweep_timers=True), "up: migrate and load the demo"
        )
    except DomainError as error:
        fail(str(error))
    _serve(host, port, follow=True, production=True)


@click.command(
    "bench",
    context_settings={"ignore_unknown_options": True, "help_option_names": []},
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def bench_command(args: tuple[str, ...]) -> None:
    """The whole benchmark (issue 12): commands, 32 threads, catch-up and pages at 10,000 and
    1,000,000 events, memory; prints the table (``aftersales bench --help`` for the options).
    The same as ``python -m bench``; it runs from the source checkout (``bench/``)."""
    root = Path(__file__).resolve().parent.parent
    if not (root / "bench" / "harness.py").is_file():
        fail(f"the benchmark is part of the source checkout; {root / 'bench'} is not there")
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from bench.harness import main as bench_main

    sys.exit(bench_main(list(args), prog="aftersales bench"))


#: Every sub-command of ``aftersales`` (``--help`` lists them sorted). A new command goes in a
#: module of its own (as ``web/store_cli.py``) that imports the app, the domain and the database
#: only when it runs: tests/integration/test_cli.py checks that ``--help`` imports none of them.
COMMANDS: tuple[click.Command, ...] = (
    up_command,
    serve_command,
    demo_command,
    migrate_command,
    projections_group,
    timers_group,
    verify_command,
    export_command,
    import_command,
    ledger_group,
    users_cli,
    i18n_cli,
    notify_group,
    bench_command,
)
for _command in COMMANDS:
    main.add_command(_command)
