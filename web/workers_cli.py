"""``aftersales projections ...`` and ``aftersales timers ...``: the read-model runner and the
deadline worker, both supervising themselves (issue 10)."""

from __future__ import annotations

import sys
from typing import Any

import click
from flask.cli import AppGroup, with_appcontext

from web.cli_support import app_service, fail, migrated_db, projection_runner


@click.group("projections", cls=AppGroup)
def projections_group() -> None:
    """Follow, rebuild and inspect the read models."""


@projections_group.command("run")
@click.argument("names", nargs=-1)
@click.option("--interval", default=0.1, show_default=True, help="Seconds between polls when idle.")
@click.option("--once", is_flag=True, help="Catch up and stop.")
@with_appcontext
def projections_run(names: tuple[str, ...], interval: float, once: bool) -> None:
    """Follow the event log and keep the named projections current (all when none is named; run
    one process per projection by naming one each). Ctrl-C stops."""
    from projections.registry import make_runner

    db = _migrated_when_ready("projections run")
    try:
        runner = make_runner(app_service(), db, names=list(names))
    except KeyError as error:
        fail(str(error.args[0]), 2)
        return
    if once:
        processed = runner.catch_up()
        click.echo(f"caught up {', '.join(runner.projections)}: {processed} events")
        _warn_parked(runner)
        return
    _log_to_stderr()
    click.echo(f"following {', '.join(runner.projections)} (Ctrl-C stops)")
    try:
        runner.follow(poll_interval=interval)  # survives the database going away (issue 10)
    except KeyboardInterrupt:
        click.echo("stopped")


def _migrated_when_ready(name: str) -> Any:
    """``migrated_db()``, waiting out a database that is away at start (logged, retried with
    the workers' backoff) instead of exiting with a traceback."""
    from projections.supervise import until_done

    _log_to_stderr()
    return until_done(migrated_db, name=f"{name}: migrate")


def _log_to_stderr() -> None:
    """Workers' log lines (parked events, lost connections, recoveries) on standard error."""
    import logging

    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")


def _warn_parked(runner: Any) -> None:
    parked = sum(s.parked for s in runner.status())
    if parked:
        click.secho(
            f"warning: {parked} parked event(s): see `aftersales projections status`",
            fg="yellow",
            err=True,
        )


@projections_group.command("rebuild")
@click.argument("names", nargs=-1)
@with_appcontext
def projections_rebuild(names: tuple[str, ...]) -> None:
    """Drop and replay the named projections (all when none is named), with progress."""
    runner = projection_runner()
    try:
        selected = list(names) or None
        if selected:
            runner._selected(selected)
    except KeyError as error:
        fail(str(error.args[0]), 2)
    total = (app_service().recorder.max_notification_id() or 0) * max(
        1, len(names or runner.projections)
    )
    with click.progressbar(length=max(total, 1), label="rebuilding", show_pos=True) as bar:
        last = {"done": 0}

        def progress(done: int, _total: int) -> None:
            bar.update(max(0, done - last["done"]))
            last["done"] = done

        processed = runner.rebuild(list(names) or None, progress=progress)
    click.echo(f"rebuilt {', '.join(names) or 'all projections'}: {processed} events")
    _warn_parked(runner)


@projections_group.command("status")
@with_appcontext
def projections_status() -> None:
    """Position, lag (events, seconds) and parked events of each projection; exit 1 while any
    event is parked (issue 10: a projection could not apply it and went on without it)."""
    from projections.parking import parked_events

    runner = projection_runner()
    rows = runner.status()
    click.echo(
        f"{'projection':<14} {'position':>9} {'head':>9} {'lag':>7} {'lag s':>8} {'parked':>7}"
    )
    for s in rows:
        lag_s = "-" if s.lag_seconds is None else f"{s.lag_seconds:.1f}"
        click.echo(
            f"{s.name:<14} {s.position:>9} {s.head:>9} {s.lag_events:>7} {lag_s:>8} {s.parked:>7}"
        )
    parked = parked_events(runner.db, runner.projections)
    if not parked:
        return
    click.secho(
        f"\n{len(parked)} parked event(s); fix the projection, then "
        "`aftersales projections retry [NAME]` (or rebuild it):",
        fg="red",
        err=True,
    )
    for p in parked[:50]:
        click.echo(
            f"  {p.projection} notification {p.notification_id} ({p.topic} "
            f"v{p.originator_version} of {p.originator_id}), {p.attempts} attempt(s): {p.error}",
            err=True,
        )
    if len(parked) > 50:
        click.echo(f"  ... and {len(parked) - 50} more", err=True)
    sys.exit(1)


@projections_group.command("retry")
@click.argument("names", nargs=-1)
@with_appcontext
def projections_retry(names: tuple[str, ...]) -> None:
    """Apply the parked events of the named projections (all when none is named) again, in
    notification order; exit 1 when some still fail (they stay parked)."""
    runner = projection_runner()
    try:
        result = runner.retry_parked(list(names) or None)
    except KeyError as error:
        fail(str(error.args[0]), 2)
        return
    click.echo(f"replayed {result.replayed} parked event(s); {result.still_parked} still parked")
    if result.still_parked:
        sys.exit(1)


@click.group("timers", cls=AppGroup)
def timers_group() -> None:
    """The deadline worker: breached SLAs and what policy says follows (R12.a, R3, R9.a)."""


@timers_group.command("run")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between sweeps.")
@click.option("--once", is_flag=True, help="One sweep, then stop.")
@with_appcontext
def timers_run(interval: float, once: bool) -> None:
    """Fire every due deadline as an ordinary event with actor `system` (idempotent)."""
    from projections.timers import TimerWorker

    db = _migrated_when_ready("timers run")
    worker = TimerWorker(app_service(), db)
    if once:
        click.echo(f"fired {worker.run_once()} deadline(s)")
        return
    _log_to_stderr()  # each breach is logged by the worker as it is recorded
    click.echo("timers running (Ctrl-C stops)")
    try:
        worker.run_forever(poll_interval=interval)  # survives the database going away (issue 10)
    except KeyboardInterrupt:
        click.echo("stopped")
