"""``aftersales verify``, ``export`` and ``import``: tamper evidence and backups of the event store
(issue 10). Every refusal is one line naming the problem and a non-zero exit.

The domain is imported inside the commands, so that ``aftersales --help`` stays fast."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask.cli import with_appcontext

from web.cli_support import app_service, fail, migrated_db

if TYPE_CHECKING:
    from domain.chain import ChainReport


def _tampered(report: ChainReport) -> str:
    from domain.store_verification import word

    brk = report.first_break
    assert brk is not None
    name = report.label or str(report.originator_id)
    where = f"event version {brk.version} ({brk.topic})"
    return f"TAMPERED {word(report.kind)} {name}: {where}: {brk.problem}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}(s)"


def _case_problems(case_no: str) -> list[str]:
    """What the whole-store check says of this case: a deleted case or a cut tail, which its own
    chain cannot show (the references that name it can)."""
    report = app_service().verify_store()
    return [str(p) for p in report.problems if p.where.startswith(f"case {case_no}")]


def _verify_case(case_no: str) -> None:
    from domain.errors import DomainError

    try:
        reports = app_service().verify(case_no)
    except DomainError as error:
        gone = _case_problems(case_no)
        for problem in gone:
            click.secho(f"TAMPERED store: {problem}", fg="red")
        fail(str(error), 1 if gone else 2)
        return
    bad = [r for r in reports if not r.ok]
    for report in bad:
        click.secho(_tampered(report), fg="red")
    cut = _case_problems(case_no)
    for problem in cut:
        click.secho(f"TAMPERED store: {problem}", fg="red")
    events = sum(r.events_checked for r in reports)
    click.echo(
        f"verified 1 case(s), {events} event(s): {len(bad)} broken chain(s), "
        f"{len(cut)} store problem(s)"
    )
    if bad or cut:
        sys.exit(1)


@click.command("verify")
@click.argument("case_no", required=False)
@click.option("--head", "kept", metavar="ID:HASH", help="Check against a head kept elsewhere.")
@click.option("--export-head", is_flag=True, help="Print the current head (after a clean check).")
@with_appcontext
def verify_command(case_no: str | None, kept: str | None, export_head: bool) -> None:
    """Check every aggregate's hash chain, the store-wide chain over the notification log and
    the cross-references (or one case's chain); exit 1 naming the first bad event."""
    from domain.store_chain import StoreHead
    from domain.store_verification import KIND_WORDS

    if case_no and (kept or export_head):
        fail("--head and --export-head check the whole store: give no case number", 2)
    if case_no:
        _verify_case(case_no)
        return
    try:
        head = StoreHead.parse(kept) if kept else None
    except ValueError as error:
        fail(str(error), 2)
        return
    migrated_db()
    report = app_service().verify_store(head)
    for chain in report.broken_chains:
        click.secho(_tampered(chain), fg="red")
    for problem in report.problems:
        click.secho(f"TAMPERED store: {problem}", fg="red")
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    if export_head:
        if not report.ok:
            fail("the store does not verify: no head exported", 1)
        click.echo(str(report.head))
        return
    counts = report.count_by_kind()
    kinds = ", ".join(_plural(counts.get(kind, 0), word) for kind, word in KIND_WORDS.items())
    click.echo(
        f"verified {_plural(len(report.chains), 'aggregate')} ({kinds}), "
        f"{_plural(report.events, 'event')}: {len(report.broken_chains)} broken chain(s), "
        f"{len(report.problems)} store problem(s); head {report.head}"
        + (
            f" (matches the kept head at notification {head.notification_id})"
            if head and report.ok
            else ""
        )
    )
    if not report.ok:
        sys.exit(1)


@click.command("export")
@click.argument("case_nos", nargs=-1)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="The file to write (JSON lines).",
)
@with_appcontext
def export_command(case_nos: tuple[str, ...], output: Path) -> None:
    """Write the events (every one, or the given cases' and their request records'), with their
    chain, to a file that ``aftersales import`` restores."""
    from projections.backup import BackupError, export_events

    migrated_db()
    partial = output.with_name(output.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8") as out:
            summary = export_events(app_service(), out, case_nos)
    except BackupError as error:
        partial.unlink(missing_ok=True)
        fail(str(error), 2)
        return
    partial.replace(output)
    click.echo(f"exported {_plural(summary.events, 'event')} to {output}; head {summary.head}")


@click.command("import")
@click.argument("backup", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(backup: Path) -> None:
    """Restore an export into an EMPTY store, then verify it: the head equals the export's."""
    from projections.backup import BackupError, import_events

    migrated_db()
    app = app_service()
    try:
        with backup.open(encoding="utf-8") as lines:
            summary = import_events(app, lines)
    except UnicodeDecodeError:
        fail(f"{backup}: not a UTF-8 text file", 2)
        return
    except BackupError as error:
        fail(f"{backup}: {error}", 2)
        return
    report = app.verify_store(summary.head, partial=bool(summary.cases))
    for chain in report.broken_chains:
        click.secho(_tampered(chain), fg="red")
    for problem in report.problems:
        click.secho(f"TAMPERED store: {problem}", fg="red")
    click.echo(
        f"imported {_plural(summary.events, 'event')}; head {report.head}"
        + (" (equal to the export's)" if report.ok else "")
    )
    if not report.ok:
        sys.exit(1)
