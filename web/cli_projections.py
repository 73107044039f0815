"""``aftersales projections run|rebuild|status|retry``: the read models' runner (issue 3, issue
10: parked events, workers that survive the database going away)."""

from __future__ import annotations

import sys
from typing import Any

import click
from flask.cli import with_appcontext

from web.cli_support import _fail, _log_to_stderr, _migrated_db, _runner, _service


@click.group("projections")
def projections_group() -> None:
    """Follow, rebuild and inspect the read models."""


@projections_group.command("run")
@click.argument("names", nargs=-1)
@click.option("--interval", default=0.5, show_default=True, help="Seconds between polls.")
@click.option("--once", is_flag=True, help="Catch up and stop.")
@with_appcontext
def projections_run(names: tuple[str, ...], interval: float, once: bool) -> None:
    """Follow the event log and keep the named projections current (all when none is named; run
    one process per projection by naming one each). Ctrl-C stops."""
    from projections.registry import make_runner

    db = _migrated_db()
    try:
        runner = make_runner(_service(), db, names=list(names))
    except KeyError as error:
        _fail(str(error.args[0]), 2)
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
    runner = _runner()
    try:
        selected = list(names) or None
        if selected:
            runner._selected(selected)
    except KeyError as error:
        _fail(str(error.args[0]), 2)
    total = (_service().recorder.max_notification_id() or 0) * max(
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

    runner = _runner()
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
    runner = _runner()
    try:
        result = runner.retry_parked(list(names) or None)
    except KeyError as error:
        _fail(str(error.args[0]), 2)
        return
    click.echo(f"replayed {result.replayed} parked event(s); {result.still_parked} still parked")
    if result.still_parked:
        sys.exit(1)
