"""Importing a settlement report: parse it (``parsers``), match its rows against the ledger's
payments (``domain.settlement.matching``), record both as ``Settlement.Imported`` through the
service, and bring the reconciliation projection up to date."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import IO, Any

from domain.errors import DomainError
from domain.settlement.matching import LedgerPayment, match
from domain.values import Actor, Role
from projections.db import Database, DbConnection
from projections.reconcile.parsers import (
    ReconciliationError,
    ReportRow,
    SettlementFileError,
    decode,
    parse_settlement,
)
from projections.reconcile.results import ReconciliationResult, reconciliation_run

Source = str | os.PathLike[str] | IO[bytes] | IO[str]
IMPORTER = Actor(Role.SYSTEM, "settlement-import")


def _read(source: Source) -> tuple[bytes | str, str]:
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        return path.read_bytes(), path.name
    data = source.read()
    return data, str(getattr(source, "name", "") or "<stream>")


def ledger_payments(
    conn: DbConnection, period: tuple[date, date], references: Sequence[str]
) -> list[LedgerPayment]:
    """The ledger's payments of the period's CST days, and those the report's references name;
    a payment reopened (it did not reach the consumer) is not one any more."""
    columns = (
        "case_no, event_version, kind, psp_reference, merchant_id, currency, psp_amount_fen, "
        "paid_at, paid_day, tender"
    )
    live = "reopened_at IS NULL"
    rows = list(
        conn.execute(
            f"SELECT {columns} FROM ledger_payments WHERE {live} AND paid_day >= ? "
            "AND paid_day <= ?",
            (period[0].isoformat(), period[1].isoformat()),
        ).fetchall()
    )
    for start in range(0, len(references), 500):
        chunk = references[start : start + 500]
        rows += conn.execute(
            f"SELECT {columns} FROM ledger_payments WHERE {live} AND psp_reference IN "
            f"({', '.join('?' for _ in chunk)})",
            chunk,
        ).fetchall()
    unique: dict[tuple[str, int], LedgerPayment] = {}
    for r in rows:
        payment = LedgerPayment(
            case_no=str(r["case_no"]),
            event_version=int(r["event_version"]),
            kind=str(r["kind"]),
            psp_reference=str(r["psp_reference"]),
            merchant_id=str(r["merchant_id"]),
            currency=str(r["currency"]),
            psp_amount_fen=int(r["psp_amount_fen"]),
            paid_at=str(r["paid_at"]),
            paid_day=str(r["paid_day"]),
            tender=r["tender"],
        )
        unique[(payment.case_no, payment.event_version)] = payment
    return sorted(unique.values(), key=lambda p: (p.paid_at, p.case_no, p.event_version))


def _period(rows: Iterable[ReportRow]) -> tuple[date, date]:
    days = [row.day for row in rows if row.day is not None]
    if not days:
        raise SettlementFileError("the report has no dated rows: give the period it covers")
    return min(days), max(days)


def reconcile(
    app: Any,
    db: Database,
    source: Source,
    run_id: str | None = None,
    *,
    period: tuple[date, date] | None = None,
    actor: Actor = IMPORTER,
) -> ReconciliationResult:
    """Import a refund settlement report (a path or an open file, WeChat Pay's or Alipay's
    refund bill), match it against the ledger's payments and record it as a ``Settlement``
    (``run_id`` names it; default: the format and the file's SHA-256, so one file is imported
    once). ``period``: the inclusive CST days the report covers (default: from its rows).
    A bad file raises :class:`SettlementFileError` and records nothing."""
    from projections.ledger import LedgerProjection
    from projections.reconcile.projection import ReconciliationProjection
    from projections.runner import Runner

    data, file_name = _read(source)
    if isinstance(data, bytes):
        raw = data
        text, encoding = decode(data)
    else:
        raw, text, encoding = data.encode("utf-8"), data, "text"
    fmt, rows = parse_settlement(text)
    if period is None:
        period = _period(rows)
    elif period[1] < period[0]:
        raise ReconciliationError(f"the period ends ({period[1]}) before it starts ({period[0]})")
    sha = hashlib.sha256(raw).hexdigest()
    run_id = run_id or f"{fmt.name.split('_')[0]}-{sha[:16]}"
    # The report is compared with the payments the ledger knows: bring it up to date first.
    Runner(app, db, [LedgerProjection()]).catch_up()
    references = sorted(
        {r.psp_reference for r in rows} | {r.refund_id for r in rows if r.refund_id}
    )
    event_rows = [r.as_event_row() for r in rows]
    with db.connect() as conn:
        items = match(event_rows, ledger_payments(conn, period, references), period)
    try:
        app.import_settlement(
            request_id=f"settlement:{run_id}:{uuid.uuid4().hex}",
            actor=actor,
            settlement_no=run_id,
            file_name=file_name[:200],
            file_sha256=sha,
            source_format=fmt.name,
            encoding=encoding,
            period=period,
            rows=event_rows,
            items=items,
        )
    except DomainError as refused:
        if "imported already" in refused.message:
            raise ReconciliationError(f"reconciliation run {run_id!r} exists already") from None
        raise ReconciliationError(refused.message) from None
    Runner(app, db, [ReconciliationProjection()]).catch_up()
    result = reconciliation_run(db, run_id)
    assert result is not None
    return result
