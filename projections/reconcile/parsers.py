"""Settlement report formats: WeChat Pay's refund bill and Alipay's refund bill, parsed into rows
normalised to fen (``docs/settlement-report.md`` documents both formats' columns).

The format is told by the header row: WeChat's has 商户退款单号, Alipay's
退款批次号/请求号. Both may be UTF-8 (with or without BOM) or GBK; blank lines and ``#``
lines are skipped (Alipay's bill wraps its rows in ``#`` lines); WeChat's summary rows
(``总…``) end its detail. Amounts are yuan with at most 2 decimals, parsed from the text
(never through a float); Alipay writes a refund as a negative amount. Times are
``YYYY-MM-DD HH:MM:SS`` in China Standard Time.

A bad file raises :class:`SettlementFileError` naming the line and the column.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from domain import inputs
from domain.calendar import CST, cst_date
from domain.settlement.matching import SUCCESS
from projections.db import ts

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


@dataclass(frozen=True)
class ReportFormat:
    """One provider's refund bill: its columns (real name -> ours) and how a row reads."""

    name: str
    marker: str  # a header column only this format has
    columns: dict[str, str]
    required: tuple[str, ...]
    reference: str
    amount: str
    settled_at: str
    refund_id: str = ""
    requested_at: str = ""
    order_ref: str = ""
    currency: str = ""  # none: every row is CNY
    status: str = ""  # none: a row listed is a refund done
    kind_column: str = ""  # a column telling refund rows from others
    kind_values: frozenset[str] = field(default_factory=frozenset)
    negative_amounts: bool = False


WECHAT = ReportFormat(
    name="wechatpay_refund_bill",
    marker="商户退款单号",
    columns={
        "商户退款单号": "psp_reference",  # out_refund_no: the reference finance records
        "退款金额": "amount_fen",  # yuan, 2 decimals
        "货币种类": "currency",
        "退款状态": "status",
        "退款成功时间": "settled_at",
        "微信退款单号": "refund_id",  # the provider's refund number
        "退款申请时间": "requested_at",
        "商户订单号": "order_ref",  # out_trade_no
    },
    required=("商户退款单号", "退款金额", "货币种类", "退款状态", "退款成功时间"),
    reference="商户退款单号",
    amount="退款金额",
    settled_at="退款成功时间",
    refund_id="微信退款单号",
    requested_at="退款申请时间",
    order_ref="商户订单号",
    currency="货币种类",
    status="退款状态",
)
ALIPAY = ReportFormat(
    name="alipay_refund_bill",
    marker="退款批次号/请求号",
    columns={
        "退款批次号/请求号": "psp_reference",  # out_request_no: the reference finance records
        "订单金额（元）": "amount_fen",  # negative for a refund
        "业务类型": "kind",  # 交易 / 退款: only 退款 rows are read
        "完成时间": "settled_at",
        "支付宝交易号": "refund_id",  # the provider's trade number
        "创建时间": "requested_at",
        "商户订单号": "order_ref",
    },
    required=("退款批次号/请求号", "订单金额（元）", "业务类型", "完成时间"),
    reference="退款批次号/请求号",
    amount="订单金额（元）",
    settled_at="完成时间",
    refund_id="支付宝交易号",
    requested_at="创建时间",
    order_ref="商户订单号",
    kind_column="业务类型",
    kind_values=frozenset({"退款"}),
    negative_amounts=True,
)
FORMATS = (WECHAT, ALIPAY)
COLUMNS = WECHAT.columns  # kept for callers of the WeChat-only reader
REQUIRED = WECHAT.required
PROVIDER = WECHAT.name


@dataclass(frozen=True)
class ReportRow:
    """One refund row of a report, parsed."""

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

    def as_event_row(self) -> dict[str, Any]:
        """The row as ``Settlement.Imported`` stores it (``domain.settlement.ROW_FIELDS``)."""
        return {
            "line": self.line,
            "psp_reference": self.psp_reference,
            "refund_id": self.refund_id,
            "amount_fen": self.amount_fen,
            "currency": self.currency,
            "status": self.status,
            "settled_at": ts(self.settled_at) if self.settled_at else None,
            "requested_at": ts(self.requested_at) if self.requested_at else None,
            "order_ref": self.order_ref,
        }


def _amount(fmt: ReportFormat, text: str, line: int) -> int:
    column = fmt.amount
    if fmt.negative_amounts and text.startswith("-"):
        text = text[1:]
    try:
        return inputs.amount_fen(parse_yuan(text), field=column)
    except inputs.InputRefused as refused:  # issue 10: within what storage and money can hold
        raise SettlementFileError(
            f"{text} yuan: {refused.message.split(': ', 1)[-1]}", line=line, column=column
        ) from None
    except ValueError as e:
        raise SettlementFileError(str(e), line=line, column=column) from None


def _row(fmt: ReportFormat, values: Sequence[str], index: dict[str, int], line: int) -> ReportRow:
    def get(name: str) -> str:
        return values[index[name]] if name and name in index else ""

    reference = get(fmt.reference)
    if not reference:
        raise SettlementFileError("the refund number is empty", line=line, column=fmt.reference)
    amount = _amount(fmt, get(fmt.amount), line)
    currency = get(fmt.currency) if fmt.currency else "CNY"
    if not _CURRENCY.fullmatch(currency):
        raise SettlementFileError(
            f"{currency!r} is not an ISO 4217 currency code such as CNY",
            line=line,
            column=fmt.currency,
        )
    status = get(fmt.status) if fmt.status else "SUCCESS"
    if not status:
        raise SettlementFileError("the refund status is empty", line=line, column=fmt.status)
    settled_at = _time(get(fmt.settled_at), line, fmt.settled_at)
    requested_at = (
        _time(get(fmt.requested_at), line, fmt.requested_at) if fmt.requested_at else None
    )
    if status in SUCCESS and settled_at is None:
        raise SettlementFileError(
            "a successful refund needs its success time", line=line, column=fmt.settled_at
        )
    return ReportRow(
        line=line,
        psp_reference=reference,
        refund_id=get(fmt.refund_id),
        amount_fen=amount,
        currency=currency,
        status=status,
        settled_at=settled_at,
        requested_at=requested_at,
        order_ref=get(fmt.order_ref),
    )


def _format_of(header: Sequence[str], line: int) -> ReportFormat:
    for fmt in FORMATS:
        if fmt.marker in header:
            return fmt
    raise SettlementFileError(
        "not a refund bill this platform reads (WeChat Pay's has a column 商户退款单号, Alipay's "
        f"退款批次号/请求号); the header has: {', '.join(n for n in header if n)}",
        line=line,
    )


def parse_settlement(text: str) -> tuple[ReportFormat, list[ReportRow]]:
    """Parse a refund bill's text (either format) into rows; raise on the first error."""
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    fmt = WECHAT
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
            fmt = _format_of(header, line)
            index = {name: i for i, name in enumerate(header) if name}
            missing = [name for name in fmt.required if name not in index]
            if missing:
                raise SettlementFileError(
                    f"missing column {missing[0]} ({fmt.columns[missing[0]]}); the header has: "
                    f"{', '.join(n for n in header if n)}",
                    line=line,
                    column=missing[0],
                )
            continue
        if values[0].startswith("总"):
            break  # WeChat's summary rows (总交易单数,总交易额,总退款金额,...) end the detail
        if len(values) < len(header) or any(c.strip() for c in cells[len(header) :]):
            raise SettlementFileError(
                f"{len(values)} values where the header has {len(header)} columns", line=line
            )
        if fmt.kind_column and values[index[fmt.kind_column]] not in fmt.kind_values:
            continue  # Alipay: a payment row (交易), not a refund
        row = _row(fmt, values, index, line)
        first = seen.setdefault(row.psp_reference, line)
        if first != line:
            raise SettlementFileError(
                f"refund number {row.psp_reference} appears again (first on line {first})",
                line=line,
                column=fmt.reference,
            )
        rows.append(row)
    if header is None:
        raise SettlementFileError("the file is empty (no header row)")
    return fmt, rows


def parse_report(text: str) -> list[ReportRow]:
    """Parse a refund bill's text into rows (either format); raise on the first error."""
    return parse_settlement(text)[1]


def decode(data: bytes) -> tuple[str, str]:
    """The file's text and its encoding (``utf-8-sig``, ``utf-8`` or ``gbk``)."""
    return _decode(data)
