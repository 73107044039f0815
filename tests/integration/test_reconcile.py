"""Reconciliation of a WeChat Pay refund bill against the ledger, on SQLite and PostgreSQL.

The sample bill (tests/fixtures/settlement_wechat_refund.csv, and its GBK twin) is written for the
ledger scenario of test_ledger.build_scenario: PSP-A is paid 90.00 as booked, PSP-B is reported
82.50 where 82.00 was paid, PSP-X was never paid by us, PSP-Y is still processing, and the
compensation PSP-E is missing from the report.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from projections.db import Database
from projections.ledger import LedgerProjection
from projections.reconcile import (
    ReconciliationError,
    SettlementFileError,
    parse_report,
    parse_yuan,
    reconcile,
    reconciliation_items,
    reconciliation_run,
    reconciliation_runs,
)
from projections.runner import Runner
from tests.integration.test_ledger import World, build_scenario

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SAMPLE = FIXTURES / "settlement_wechat_refund.csv"
SAMPLE_GBK = FIXTURES / "settlement_wechat_refund_gbk.csv"
MARCH = (date(2026, 3, 1), date(2026, 3, 31))
IMPORTED = datetime(2026, 4, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def world(store_url: str, tmp_path: Path) -> Iterator[World]:
    w = World(store_url, tmp_path)
    build_scenario(w)
    Runner(w.app, w.db, [LedgerProjection()]).catch_up()
    yield w
    w.close()


def sample_text() -> str:
    return SAMPLE.read_bytes().decode("utf-8-sig")


def outcomes(result_items: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(i.outcome, i.psp_reference) for i in result_items]


def test_sample_report_finds_the_missing_the_extra_and_the_mismatch(world: World) -> None:
    world.now = IMPORTED  # the import is recorded at the service's time
    result = reconcile(world.app, world.db, SAMPLE, run_id="R1", period=MARCH)

    assert outcomes(list(result.items)) == [
        ("matched", "PSP-A"),
        ("amount_mismatch", "PSP-B"),
        ("missing_in_ledger", "PSP-X"),
        ("not_settled", "PSP-Y"),
        ("missing_in_report", "PSP-E"),
    ]
    [mismatch] = result.amount_mismatches
    assert (mismatch.report_amount_fen, mismatch.ledger_amount_fen) == (8250, 8200)
    assert mismatch.difference_fen == 50
    assert mismatch.case_no is not None
    assert world.app.get_case(mismatch.case_no).order_no == "O-B"
    assert (mismatch.merchant_id, mismatch.payment_kind) == ("m1", "refund")
    assert mismatch.report_row == 3  # the header is line 1
    [missing] = result.missing_in_report
    assert (missing.payment_kind, missing.ledger_amount_fen, missing.merchant_id) == (
        "compensation",
        2000,
        "m2",
    )
    [extra] = result.missing_in_ledger
    assert (extra.report_amount_fen, extra.refund_id, extra.case_no) == (
        1234,
        "50300000012026031200000000003",
        None,
    )
    [matched] = result.matched
    assert matched.report_at == "2026-03-08T15:31:05.000000Z"  # 23:31:05 CST
    assert (matched.report_amount_fen, matched.ledger_amount_fen) == (9000, 9000)

    run = result.run
    assert (run.report_rows, run.matched, run.amount_mismatches) == (4, 1, 1)
    assert (run.missing_in_ledger, run.missing_in_report, run.not_settled) == (1, 1, 1)
    assert run.report_total_fen == 9000 + 8250 + 1234
    assert run.ledger_total_fen == 9000 + 8200 + 2000
    assert (run.encoding, run.file_name, run.imported_at) == (
        "utf-8-sig",
        SAMPLE.name,
        "2026-04-01T02:00:00.000000Z",
    )
    assert not run.clean

    assert reconciliation_run(world.db, "R1") == result
    assert reconciliation_runs(world.db) == [run]
    assert outcomes(reconciliation_items(world.db, "R1", "missing_in_report")) == [
        ("missing_in_report", "PSP-E")
    ]
    assert reconciliation_run(world.db, "nope") is None


def test_period_defaults_to_the_days_of_the_report(world: World) -> None:
    result = reconcile(world.app, world.db, SAMPLE, run_id="R2")
    # 2026-03-08 .. 2026-03-13 (CST): the compensation paid on 16 March is outside it
    assert (result.run.period_start, result.run.period_end) == (date(2026, 3, 8), date(2026, 3, 13))
    assert result.missing_in_report == []
    assert len(result.items) == 4


def test_gbk_bill_and_open_files_read_like_the_utf8_bill(world: World) -> None:
    expected = reconcile(world.app, world.db, SAMPLE, run_id="U", period=MARCH)
    readers: dict[str, Callable[[], object]] = {
        "G": lambda: SAMPLE_GBK,
        "B": lambda: io.BytesIO(SAMPLE_GBK.read_bytes()),
        "T": lambda: io.StringIO(sample_text()),
        "N": lambda: io.BytesIO(sample_text().encode("utf-8")),  # UTF-8 without BOM
    }
    encodings = {}
    for run_id, source in readers.items():
        result = reconcile(world.app, world.db, source(), run_id=run_id, period=MARCH)  # type: ignore[arg-type]
        assert result.items == expected.items
        encodings[run_id] = result.run.encoding
    assert encodings == {"G": "gbk", "B": "gbk", "T": "text", "N": "utf-8"}
    assert len(reconciliation_runs(world.db)) == 5


def _edit(old: str, new: str, count: int = 1) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, count)

    return edit


BAD_FILES = [
    pytest.param(_edit(",退款金额,", ",退款额,"), 1, "退款金额", "missing column", id="column"),
    pytest.param(_edit("`82.50,", "`82.505,"), 3, "退款金额", "at most 2 decimals", id="decimals"),
    pytest.param(_edit("`82.50,", "`82,50,"), 3, None, "values where", id="comma-in-amount"),
    pytest.param(
        _edit("`90.00,`0.00,`ORIGINAL", "`-90.00,`0.00,`ORIGINAL"), 2, "退款金额", "", id="sign"
    ),
    pytest.param(
        _edit("`12.34,`0.00,`ORIGINAL", "`1e3,`0.00,`ORIGINAL"), 4, "退款金额", "", id="exp"
    ),
    pytest.param(
        _edit("`2026-03-11 06:16:40", "`2026/03/11 06:16"), 3, "退款成功时间", "YYYY", id="date"
    ),
    pytest.param(
        _edit("`2026-03-08 23:31:05", "`2026-02-30 10:00:00"), 2, "退款成功时间", "", id="day"
    ),
    pytest.param(
        _edit("`2026-03-08 23:31:05", "`"), 2, "退款成功时间", "success time", id="no-time"
    ),
    pytest.param(_edit("`CNY", "`RMB元"), 2, "货币种类", "ISO 4217", id="currency"),
    pytest.param(_edit("`PSP-X,", "`PSP-A,"), 4, "商户退款单号", "line 2", id="duplicate"),
    pytest.param(_edit("`SUCCESS", "`"), 2, "退款状态", "empty", id="status"),
]


@pytest.mark.parametrize(("edit", "line", "column", "message"), BAD_FILES)
def test_bad_files_name_line_and_column_and_store_nothing(
    read_db: Database, edit: Callable[[str], str], line: int, column: str | None, message: str
) -> None:
    bad = io.BytesIO(b"\xef\xbb\xbf" + edit(sample_text()).encode("utf-8"))
    with pytest.raises(SettlementFileError) as caught:
        reconcile(None, read_db, bad, run_id="BAD", period=MARCH)
    assert (caught.value.line, caught.value.column) == (line, column)
    assert f"line {line}" in str(caught.value)
    assert message in str(caught.value)
    if column:
        assert column in str(caught.value)
    assert reconciliation_runs(read_db) == []
    assert reconciliation_items(read_db, "BAD") == []


def test_undecodable_and_empty_files_are_refused(read_db: Database) -> None:
    with pytest.raises(SettlementFileError, match="neither UTF-8 nor GBK"):
        reconcile(None, read_db, io.BytesIO(b"\x80\xff\xfe"), period=MARCH)
    with pytest.raises(SettlementFileError, match="empty"):
        reconcile(None, read_db, io.BytesIO(b"\r\n\r\n"), period=MARCH)
    with pytest.raises(SettlementFileError, match="no dated rows"):
        reconcile(None, read_db, io.StringIO(sample_text().splitlines()[0]))
    assert reconciliation_runs(read_db) == []


def test_a_run_id_is_used_once(world: World) -> None:
    reconcile(world.app, world.db, SAMPLE, run_id="R1", period=MARCH)
    with pytest.raises(ReconciliationError, match="exists already"):
        reconcile(world.app, world.db, SAMPLE_GBK, run_id="R1", period=MARCH)
    assert len(reconciliation_items(world.db, "R1")) == 5


def test_yuan_are_parsed_to_fen_exactly() -> None:
    assert parse_yuan("0.1") == 10
    assert parse_yuan("0.01") == 1
    assert parse_yuan("12") == 1200
    assert parse_yuan("82.50") == 8250
    assert parse_yuan("92233720368547758.07") == 9223372036854775807  # no float rounding
    assert parse_yuan("0.29") == 29  # 0.29 * 100 is 28.999999999999996 as a float
    for bad in ("", "1.234", "-1.00", "+1", "1e3", "1,000.00", " 1.00", "1.", ".5", "１２", "NaN"):
        with pytest.raises(ValueError):
            parse_yuan(bad)


def test_summary_rows_comments_and_backticks_are_understood() -> None:
    text = "# 微信支付退款账单\n" + sample_text() + "# 下载时间: 2026-03-14\n"
    rows = parse_report(text)
    assert [r.psp_reference for r in rows] == ["PSP-A", "PSP-B", "PSP-X", "PSP-Y"]
    assert [r.settled for r in rows] == [True, True, True, False]
    assert rows[3].settled_at is None and rows[3].requested_at is not None
    assert rows[0].order_ref == "O-A"


_BILL = Path(__file__).resolve().parents[1] / "fixtures" / "settlement_wechat_refund.csv"


def _hostile(change: Callable[[str], str]) -> str:
    header, first, *rest = _BILL.read_text(encoding="utf-8-sig").splitlines()
    return "\n".join([header, change(first), *rest]) + "\n"


@pytest.mark.parametrize(
    ("change", "line", "says"),
    [
        (lambda row: row.replace("手机", "手\x00机"), 2, "U+0000"),
        (lambda row: row.replace("手机", "手\x01机"), 2, "control character"),
        (
            lambda row: row.replace("`90.00,`0.00,`ORIGINAL", "`99999999999.00,`0.00,`ORIGINAL"),
            2,
            "at most",
        ),
        (lambda row: row.replace("`2026-03-08 23:31:05", "`0001-01-01 00:00:00"), 2, "0001-01-01"),
        (lambda row: row.replace("`2026-03-08 23:31:05", "`9999-12-31 23:59:59"), 2, "9999-12-31"),
        (lambda row: row.replace("手机", "x" * 131_072), 2, "CSV"),  # over the csv field limit
        (lambda row: row.replace("手机", "x" * 2_000), 2, "at most 1000"),
    ],
    ids=["nul", "control", "huge-amount", "year-1", "year-9999", "field-131072", "long-cell"],
)
def test_a_hostile_settlement_bill_is_refused_naming_the_line(
    change: Callable[[str], str], line: int, says: str
) -> None:
    """Issue 10 (input at the door): a settlement CSV with NUL, an amount beyond what money and
    storage hold, year 1 or 9999, or a 131,072-character field was a 500; it is a
    SettlementFileError naming the line (the upload page and API answer it as a 400)."""
    text = _hostile(change)
    with pytest.raises(SettlementFileError) as refused:
        parse_report(text)
    assert refused.value.line == line, str(refused.value)
    assert says in str(refused.value), str(refused.value)
    assert len(parse_report(_hostile(lambda row: row))) >= 1  # the untouched bill parses
