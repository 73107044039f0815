"""Reconciliation: a payment provider's refund settlement report against the refund ledger.

The report format is WeChat Pay's refund bill (微信支付 交易账单, ``bill_type=REFUND``),
described in ``docs/settlement-report.md`` with the mapping of its columns to ours. In short: a
header row, one row per refund, each value possibly prefixed with a backtick; the two summary rows
at the end (``总交易单数,...``) are skipped, as are blank lines and ``#`` comment lines. The file
may be UTF-8 (with or without BOM) or GBK. Amounts are yuan with at most 2 decimals, parsed to fen
from the text (never through a float). Times are ``YYYY-MM-DD HH:MM:SS`` in China Standard Time.

Matching: a report row's 商户退款单号 (out_refund_no) is the ``psp_reference`` finance recorded on
``RefundPaid`` / ``CompensationPaid`` (the provider's own 微信退款单号 is tried second). The
amount compared is the part of the payment that went through the provider (``psp_amount_fen``:
card and wallet; points and coupons come back in kind and are not in the report).

Outcomes, one item each:

- ``matched``: a successful row and a ledger payment with the same reference, amount and currency;
- ``amount_mismatch``: the same reference, a different amount or currency;
- ``missing_in_ledger``: a successful row no ledger payment names (extra in the report);
- ``missing_in_report``: a ledger payment (with money through the provider) paid on a CST day of
  the report's period that no row names;
- ``status_mismatch``: a row not (yet) successful whose reference the ledger records as paid;
- ``not_settled``: a row not successful that the ledger does not record as paid either (shown, not
  a discrepancy).

The period is the CST days the report covers: given by the caller, or else from the first to the
last day of its rows (退款成功时间, or 退款申请时间 for rows not successful).

A bad file (undecodable, a required column missing, a bad amount, time, currency or status, a
repeated refund number) raises :class:`SettlementFileError` naming the line and the column;
nothing is stored. Otherwise the run and its items are stored in one transaction
(``reconciliation_runs``, ``reconciliation_items``). The ledger projection should be caught up
first: reconciliation reads ``ledger_payments`` as they are.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from domain import inputs
from domain.calendar import CST, cst_date
from projections.db import INTEGRITY_ERRORS, Database, DbConnection, ts

__all__ = [
    "COLUMNS",
    "OUTCOMES",
    "PROVIDER",
    "ReconciliationError",
    "ReconciliationItem",
    "ReconciliationResult",
    "ReconciliationRun",
    "ReportRow",
    "SettlementFileError",
    "parse_report",
    "parse_yuan",
    "reconcile",
    "reconciliation_items",
    "reconciliation_run",
    "reconciliation_runs",
]

PROVIDER = "wechatpay_refund_bill"

# Real column name in the report -> our field. Required ones first.
COLUMNS: dict[str, str] = {
    "商户退款单号": "psp_reference",  # out_refund_no: the reference finance records
    "退款金额": "amount_fen",  # yuan, 2 decimals
    "货币种类": "currency",
    "退款状态": "status",
    "退款成功时间": "settled_at",
    "微信退款单号": "refund_id",  # the provider's refund number
    "退款申请时间": "requested_at",
    "商户订单号": "order_ref",  # out_trade_no
}
REQUIRED = ("商户退款单号", "退款金额", "货币种类", "退款状态", "退款成功时间")
SUCCESS = frozenset({"SUCCESS", "退款成功"})

OUTCOMES = (
    "matched",
    "amount_mismatch",
    "missing_in_ledger",
    "missing_in_report",
    "status_mismatch",
    "not_settled",
)

_AMOUNT = re.compile(r"([0-9]+)(?:\.([0-9]{1,2}))?")
_CURRENCY = re.compile(r"[A-Z]{3}")
_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class ReconciliationError(Exception):
    """Reconciliation cannot run (e.g. the run id is taken); nothing was stored."""


class SettlementFileError(ReconciliationError):
    """The settlement file is malformed; ``line`` is its line number (header = 1 when it is the
    first line), ``column`` the report's column name. Nothing was stored."""

    def __init__(self, message: str, *, line: int | None = None, column: str | None = None):
        where = []
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column}")
        prefix = f"settlement file, {', '.join(where)}: " if where else "settlement file: "
        super().__init__(prefix + message)
        self.line = line
        self.column = column


def parse_yuan(text: str) -> int:
    """``"12.30"`` -> 1230 fen. Digits with at most 2 decimals; no sign, no separators, no float."""
    m = _AMOUNT.fullmatch(text)
    if m is None:
        raise ValueError(f"{text!r} is not an amount in yuan with at most 2 decimals")
    whole, fraction = m.group(1), (m.group(2) or "").ljust(2, "0")
    return int(whole) * 100 + int(fraction)


@dataclass(frozen=True)
class ReportRow:
    """One refund row of the report, parsed."""

    line: int
    psp_reference: str
    refund_id: str
    amount_fen: int
    currency: str
    status: str
    settled_at: datetime | None
    requested_at: datetime | None
    order_ref: str

    @property
    def settled(self) -> bool:
        return self.status in SUCCESS

    @property
    def day(self) -> date | None:
        when = self.settled_at or self.requested_at
        return cst_date(when) if when is not None else None


def _clean(cell: str) -> str:
    """A cell without surrounding blanks and the provider's leading backtick (keeps text as text
    in spreadsheets)."""
    value = cell.strip().lstrip("\ufeff").strip()
    if value.startswith("`"):
        value = value[1:].strip()
    return value


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            encoding = "gbk"
    try:
        return data.decode("gb18030" if encoding == "gbk" else encoding), encoding
    except UnicodeDecodeError as e:
        raise SettlementFileError(
            f"neither UTF-8 nor GBK text (byte {e.start}: {data[e.start : e.start + 4]!r})"
        ) from None


def _time(text: str, line: int, column: str) -> datetime | None:
    if not text:
        return None
    try:
        local = datetime.strptime(text, _TIME_FORMAT).replace(tzinfo=CST)
        return inputs.moment(local, field=column).astimezone(UTC)
    except inputs.InputRefused as refused:  # issue 10: year 1 or 9999 never reaches storage
        raise SettlementFileError(
            f"{text!r} {refused.message.split(': ', 1)[-1]}", line=line, column=column
        ) from None
    except ValueError:
        raise SettlementFileError(
            f"{text!r} is not a time as YYYY-MM-DD HH:MM:SS", line=line, column=column
        ) from None


def _cell(values: Sequence[str], index: dict[str, int], name: str) -> str:
    return values[index[name]] if name in index else ""


def _row(values: Sequence[str], index: dict[str, int], line: int) -> ReportRow:
    def get(name: str) -> str:
        return _cell(values, index, name)

    reference = get("商户退款单号")
    if not reference:
        raise SettlementFileError("the refund number is empty", line=line, column="商户退款单号")
    try:
        amount = inputs.amount_fen(parse_yuan(get("退款金额")), field="退款金额")
    except inputs.InputRefused as refused:  # issue 10: within what storage and money can hold
        raise SettlementFileError(
            f"{get('退款金额')} yuan: {refused.message.split(': ', 1)[-1]}",
            line=line,
            column="退款金额",
        ) from None
    except ValueError as e:
        raise SettlementFileError(str(e), line=line, column="退款金额") from None
    currency = get("货币种类")
    if not _CURRENCY.fullmatch(currency):
        raise SettlementFileError(
            f"{currency!r} is not an ISO 4217 currency code such as CNY",
            line=line,
            column="货币种类",
        )
    status = get("退款状态")
    if not status:
        raise SettlementFileError("the refund status is empty", line=line, column="退款状态")
    settled_at = _time(get("退款成功时间"), line, "退款成功时间")
    requested_at = _time(get("退款申请时间"), line, "退款申请时间")
    if status in SUCCESS and settled_at is None:
        raise SettlementFileError(
            "a successful refund needs its success time", line=line, column="退款成功时间"
        )
    return ReportRow(
        line=line,
        psp_reference=reference,
        refund_id=get("微信退款单号"),
        amount_fen=amount,
        currency=currency,
        status=status,
        settled_at=settled_at,
        requested_at=requested_at,
        order_ref=get("商户订单号"),
    )


_MAX_CELL = 1_000  # no column of a refund bill is longer; a longer cell is not a refund bill


def _cells(reader: Any) -> Iterable[list[str]]:
    """The reader's rows; the csv module's own refusals (a NUL, a field over its limit, an
    unclosed quote) become a SettlementFileError naming the line (issue 10: never a 500)."""
    while True:
        try:
            cells: list[str] = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise SettlementFileError(f"not a CSV row ({e})", line=reader.line_num) from None
        yield cells


def _cell_text(cell: str, line: int) -> str:
    """A cleaned cell, refused with its line if it holds a control character or is too long."""
    try:
        return inputs.text(_clean(cell), field="cell", max_length=_MAX_CELL, required=False)
    except inputs.InputRefused as refused:
        raise SettlementFileError(
            f"a cell {refused.message.split(': ', 1)[-1]}", line=line
        ) from None


def parse_report(text: str) -> list[ReportRow]:
    """Parse a refund bill's text into rows (see the module docstring); raise on the first error."""
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    index: dict[str, int] = {}
    rows: list[ReportRow] = []
    seen: dict[str, int] = {}
    for cells in _cells(reader):
        line = reader.line_num
        values = [_cell_text(c, line) for c in cells]
        if not any(values) or values[0].startswith("#"):
            continue
        if header is None:
            header = values
            index = {name: i for i, name in enumerate(header) if name}
            missing = [name for name in REQUIRED if name not in index]
            if missing:
                raise SettlementFileError(
                    f"missing column {missing[0]} ({COLUMNS[missing[0]]}); the header has: "
                    f"{', '.join(n for n in header if n)}",
                    line=line,
                    column=missing[0],
                )
            continue
        if values[0].startswith("总"):
            break  # the summary rows (总交易单数,总交易额,总退款金额,...) end the detail
        if len(values) < len(header) or any(c.strip() for c in cells[len(header) :]):
            raise SettlementFileError(
                f"{len(values)} values where the header has {len(header)} columns", line=line
            )

        row = _row(values, index, line)
        first = seen.setdefault(row.psp_reference, line)
        if first != line:
            raise SettlementFileError(
                f"refund number {row.psp_reference} appears again (first on line {first})",
                line=line,
                column="商户退款单号",
            )
        rows.append(row)
    if header is None:
        raise SettlementFileError("the file is empty (no header row)")
    return rows


# ---------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class ReconciliationItem:
    item_no: int
    outcome: str
    psp_reference: str
    refund_id: str | None = None
    case_no: str | None = None
    merchant_id: str | None = None
    payment_kind: str | None = None
    report_row: int | None = None
    report_amount_fen: int | None = None
    ledger_amount_fen: int | None = None
    report_currency: str | None = None
    ledger_currency: str | None = None
    report_status: str | None = None
    report_at: str | None = None
    ledger_at: str | None = None
    note: str = ""

    @property
    def difference_fen(self) -> int | None:
        """Report minus ledger, when both have an amount."""
        if self.report_amount_fen is None or self.ledger_amount_fen is None:
            return None
        return self.report_amount_fen - self.ledger_amount_fen


@dataclass(frozen=True)
class ReconciliationRun:
    """One import of a settlement file: where it came from and how many items of each outcome."""

    run_id: str
    provider: str
    file_name: str
    file_sha256: str
    encoding: str
    imported_at: str
    period_start: date
    period_end: date
    report_rows: int
    matched: int
    missing_in_report: int
    missing_in_ledger: int
    amount_mismatches: int
    status_mismatches: int
    not_settled: int
    report_total_fen: int
    ledger_total_fen: int

    @property
    def clean(self) -> bool:
        """No discrepancy: nothing missing on either side, no amount or status mismatch."""
        return not (
            self.missing_in_report
            or self.missing_in_ledger
            or self.amount_mismatches
            or self.status_mismatches
        )


@dataclass(frozen=True)
class ReconciliationResult:
    run: ReconciliationRun
    items: tuple[ReconciliationItem, ...] = field(default=())

    @property
    def run_id(self) -> str:
        return self.run.run_id

    def of(self, outcome: str) -> list[ReconciliationItem]:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}; one of {OUTCOMES}")
        return [i for i in self.items if i.outcome == outcome]

    @property
    def matched(self) -> list[ReconciliationItem]:
        return self.of("matched")

    @property
    def missing_in_report(self) -> list[ReconciliationItem]:
        return self.of("missing_in_report")

    @property
    def missing_in_ledger(self) -> list[ReconciliationItem]:
        return self.of("missing_in_ledger")

    @property
    def amount_mismatches(self) -> list[ReconciliationItem]:
        return self.of("amount_mismatch")

    @property
    def status_mismatches(self) -> list[ReconciliationItem]:
        return self.of("status_mismatch")

    @property
    def not_settled(self) -> list[ReconciliationItem]:
        return self.of("not_settled")


# ---------------------------------------------------------------------------------------------
# Reconciling


@dataclass(frozen=True)
class _Payment:
    case_no: str
    event_version: int
    kind: str
    psp_reference: str
    merchant_id: str
    currency: str
    psp_amount_fen: int
    paid_at: str
    paid_day: str


Source = str | os.PathLike[str] | IO[bytes] | IO[str]


def _read(source: Source) -> tuple[bytes | str, str]:
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        return path.read_bytes(), path.name
    data = source.read()
    return data, str(getattr(source, "name", "") or "<stream>")


def _payments(
    conn: DbConnection, period: tuple[date, date], references: Sequence[str]
) -> list[_Payment]:
    columns = (
        "case_no, event_version, kind, psp_reference, merchant_id, currency, psp_amount_fen, "
        "paid_at, paid_day"
    )
    rows = list(
        conn.execute(
            f"SELECT {columns} FROM ledger_payments WHERE paid_day >= ? AND paid_day <= ?",
            (period[0].isoformat(), period[1].isoformat()),
        ).fetchall()
    )
    for start in range(0, len(references), 500):
        chunk = references[start : start + 500]
        rows += conn.execute(
            f"SELECT {columns} FROM ledger_payments WHERE psp_reference IN "
            f"({', '.join('?' for _ in chunk)})",
            chunk,
        ).fetchall()
    unique: dict[tuple[str, int], _Payment] = {}
    for r in rows:
        payment = _Payment(
            case_no=str(r["case_no"]),
            event_version=int(r["event_version"]),
            kind=str(r["kind"]),
            psp_reference=str(r["psp_reference"]),
            merchant_id=str(r["merchant_id"]),
            currency=str(r["currency"]),
            psp_amount_fen=int(r["psp_amount_fen"]),
            paid_at=str(r["paid_at"]),
            paid_day=str(r["paid_day"]),
        )
        unique[(payment.case_no, payment.event_version)] = payment
    return sorted(unique.values(), key=lambda p: (p.paid_at, p.case_no, p.event_version))


def _match(
    rows: Sequence[ReportRow], payments: Sequence[_Payment], period: tuple[date, date]
) -> list[ReconciliationItem]:
    by_reference: dict[str, list[_Payment]] = {}
    for p in payments:
        by_reference.setdefault(p.psp_reference, []).append(p)
    used: set[tuple[str, int]] = set()
    items: list[ReconciliationItem] = []

    def add(**values: Any) -> None:
        items.append(ReconciliationItem(item_no=len(items) + 1, **values))

    for row in rows:
        found = by_reference.get(row.psp_reference) or by_reference.get(row.refund_id or "\0") or []
        found = [p for p in found if (p.case_no, p.event_version) not in used]
        when = row.settled_at or row.requested_at
        report = {
            "psp_reference": row.psp_reference,
            "refund_id": row.refund_id or None,
            "report_row": row.line,
            "report_amount_fen": row.amount_fen,
            "report_currency": row.currency,
            "report_status": row.status,
            "report_at": ts(when) if when is not None else None,
        }
        if not found:
            add(outcome="missing_in_ledger" if row.settled else "not_settled", **report)
            continue
        used.update((p.case_no, p.event_version) for p in found)
        first = found[0]
        ledger = {
            "case_no": first.case_no,
            "merchant_id": first.merchant_id,
            "payment_kind": first.kind,
            "ledger_amount_fen": sum(p.psp_amount_fen for p in found),
            "ledger_currency": first.currency,
            "ledger_at": first.paid_at,
        }
        notes = []
        if len(found) > 1:
            others = ", ".join(f"{p.case_no} ({p.kind})" for p in found[1:])
            notes.append(f"the reference is recorded on {len(found)} payments; also {others}")
        if not row.settled:
            notes.insert(0, f"the ledger records it paid; the report says {row.status}")
            add(outcome="status_mismatch", note="; ".join(notes), **report, **ledger)
            continue
        currencies = {p.currency for p in found}
        if currencies != {row.currency}:
            notes.insert(
                0, f"currency {row.currency} in the report, {first.currency} in the ledger"
            )
        if ledger["ledger_amount_fen"] != row.amount_fen or currencies != {row.currency}:
            add(outcome="amount_mismatch", note="; ".join(notes), **report, **ledger)
        else:
            add(outcome="matched", note="; ".join(notes), **report, **ledger)

    start, end = period[0].isoformat(), period[1].isoformat()
    for p in payments:
        if (p.case_no, p.event_version) in used or p.psp_amount_fen == 0:
            continue
        if not start <= p.paid_day <= end:
            continue
        add(
            outcome="missing_in_report",
            psp_reference=p.psp_reference,
            case_no=p.case_no,
            merchant_id=p.merchant_id,
            payment_kind=p.kind,
            ledger_amount_fen=p.psp_amount_fen,
            ledger_currency=p.currency,
            ledger_at=p.paid_at,
        )
    return items


def _period(rows: Iterable[ReportRow]) -> tuple[date, date]:
    days = [row.day for row in rows if row.day is not None]
    if not days:
        raise SettlementFileError("the report has no dated rows: give the period it covers")
    return min(days), max(days)


def reconcile(
    db: Database,
    source: Source,
    run_id: str | None = None,
    *,
    period: tuple[date, date] | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ReconciliationResult:
    """Import a refund settlement report (a path or an open file) and reconcile it against the
    ledger's payments; store and return the result (see the module docstring).

    ``run_id`` names the run (default: a new UUID); ``period`` is the inclusive CST days the report
    covers (default: from its rows).
    """
    data, file_name = _read(source)
    if isinstance(data, bytes):
        raw = data
        text, encoding = _decode(data)
    else:
        raw, text, encoding = data.encode("utf-8"), data, "text"
    rows = parse_report(text)
    if period is None:
        period = _period(rows)
    elif period[1] < period[0]:
        raise ReconciliationError(f"the period ends ({period[1]}) before it starts ({period[0]})")
    run_id = run_id or uuid.uuid4().hex
    references = sorted(
        {r.psp_reference for r in rows} | {r.refund_id for r in rows if r.refund_id}
    )
    with db.connect() as conn:
        items = _match(rows, _payments(conn, period, references), period)
    counts = {o: sum(1 for i in items if i.outcome == o) for o in OUTCOMES}
    run = ReconciliationRun(
        run_id=run_id,
        provider=PROVIDER,
        file_name=file_name,
        file_sha256=hashlib.sha256(raw).hexdigest(),
        encoding=encoding,
        imported_at=ts(clock()),
        period_start=period[0],
        period_end=period[1],
        report_rows=len(rows),
        matched=counts["matched"],
        missing_in_report=counts["missing_in_report"],
        missing_in_ledger=counts["missing_in_ledger"],
        amount_mismatches=counts["amount_mismatch"],
        status_mismatches=counts["status_mismatch"],
        not_settled=counts["not_settled"],
        report_total_fen=sum(r.amount_fen for r in rows if r.settled),
        ledger_total_fen=sum(
            i.ledger_amount_fen or 0 for i in items if i.outcome != "status_mismatch"
        ),
    )
    _store(db, run, items)
    return ReconciliationResult(run, tuple(items))


def _store(db: Database, run: ReconciliationRun, items: Sequence[ReconciliationItem]) -> None:
    try:
        with db.transaction() as tx:
            taken = tx.execute(
                "SELECT 1 AS taken FROM reconciliation_runs WHERE run_id = ?", (run.run_id,)
            ).fetchone()
            if taken is not None:
                raise ReconciliationError(f"reconciliation run {run.run_id!r} exists already")
            tx.execute(
                "INSERT INTO reconciliation_runs (run_id, provider, file_name, file_sha256, "
                "encoding, imported_at, period_start, period_end, report_rows, matched, "
                "missing_in_report, missing_in_ledger, amount_mismatches, status_mismatches, "
                "not_settled, report_total_fen, ledger_total_fen) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run.run_id,
                    run.provider,
                    run.file_name,
                    run.file_sha256,
                    run.encoding,
                    run.imported_at,
                    run.period_start.isoformat(),
                    run.period_end.isoformat(),
                    run.report_rows,
                    run.matched,
                    run.missing_in_report,
                    run.missing_in_ledger,
                    run.amount_mismatches,
                    run.status_mismatches,
                    run.not_settled,
                    run.report_total_fen,
                    run.ledger_total_fen,
                ),
            )
            tx.executemany(
                f"INSERT INTO reconciliation_items ({', '.join(_ITEM_COLUMNS)}) "
                f"VALUES ({', '.join('?' for _ in _ITEM_COLUMNS)})",
                [(run.run_id, *(getattr(item, c) for c in _ITEM_COLUMNS[1:])) for item in items],
            )
    except INTEGRITY_ERRORS:
        raise ReconciliationError(f"reconciliation run {run.run_id!r} exists already") from None


_ITEM_COLUMNS = (
    "run_id",
    "item_no",
    "outcome",
    "psp_reference",
    "refund_id",
    "case_no",
    "merchant_id",
    "payment_kind",
    "report_row",
    "report_amount_fen",
    "ledger_amount_fen",
    "report_currency",
    "ledger_currency",
    "report_status",
    "report_at",
    "ledger_at",
    "note",
)
_INT_COLUMNS = frozenset({"item_no", "report_row", "report_amount_fen", "ledger_amount_fen"})


# ---------------------------------------------------------------------------------------------
# Queries


def _run(row: Any) -> ReconciliationRun:
    return ReconciliationRun(
        run_id=str(row["run_id"]),
        provider=str(row["provider"]),
        file_name=str(row["file_name"]),
        file_sha256=str(row["file_sha256"]),
        encoding=str(row["encoding"]),
        imported_at=str(row["imported_at"]),
        period_start=date.fromisoformat(row["period_start"]),
        period_end=date.fromisoformat(row["period_end"]),
        report_rows=int(row["report_rows"]),
        matched=int(row["matched"]),
        missing_in_report=int(row["missing_in_report"]),
        missing_in_ledger=int(row["missing_in_ledger"]),
        amount_mismatches=int(row["amount_mismatches"]),
        status_mismatches=int(row["status_mismatches"]),
        not_settled=int(row["not_settled"]),
        report_total_fen=int(row["report_total_fen"]),
        ledger_total_fen=int(row["ledger_total_fen"]),
    )


def _item(row: Any) -> ReconciliationItem:
    values: dict[str, Any] = {}
    for column in _ITEM_COLUMNS[1:]:
        value = row[column]
        values[column] = int(value) if value is not None and column in _INT_COLUMNS else value
    return ReconciliationItem(**values)


def reconciliation_runs(db: Database, limit: int = 50) -> list[ReconciliationRun]:
    """The latest runs first."""
    with db.connect() as conn:
        rows = conn.execute(
            "SELECT * FROM reconciliation_runs ORDER BY imported_at DESC, run_id LIMIT ?",
            (int(limit),),
        ).fetchall()
    return [_run(r) for r in rows]


def reconciliation_items(
    db: Database, run_id: str, outcome: str | None = None
) -> list[ReconciliationItem]:
    """A run's items in order, optionally only one outcome."""
    if outcome is not None and outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}; one of {OUTCOMES}")
    sql = "SELECT * FROM reconciliation_items WHERE run_id = ?"
    params: list[Any] = [run_id]
    if outcome is not None:
        sql += " AND outcome = ?"
        params.append(outcome)
    with db.connect() as conn:
        rows = conn.execute(sql + " ORDER BY item_no", params).fetchall()
    return [_item(r) for r in rows]


def reconciliation_run(db: Database, run_id: str) -> ReconciliationResult | None:
    """A stored run with its items, or None."""
    with db.connect() as conn:
        row = conn.execute(
            "SELECT * FROM reconciliation_runs WHERE run_id = ?", (run_id,)
        ).fetchone()
    if row is None:
        return None
    return ReconciliationResult(_run(row), tuple(reconciliation_items(db, run_id)))
