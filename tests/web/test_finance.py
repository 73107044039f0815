"""Finance pages (/finance, R3, R3.a, R14): they render with the demo data, show refunds due with
their R3 deadline as countdowns (overdue marked), record payments and failures, export every table
as CSV that parses back with exact amounts and the viewer's UTC offset, and reconcile an uploaded
settlement report (missing on either side, amount mismatches; a bad file stores nothing)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.web.conftest import DEMO_PASSWORDS, csrf_token_for, login_as
from tests.web.test_api import (
    MERCHANT_ID,
    World,
    cst_now_text,
    make_world,
    paid_refunds,
    settlement_csv,
)
from web import get_db


@pytest.fixture
def world(tmp_path: Path, clean_environ: None) -> Iterator[World]:
    built = make_world(tmp_path, SETTLEMENT_MAX_BYTES=2048)
    yield built
    with built.app.app_context():
        get_db().close()


@pytest.fixture
def finance(world: World) -> FlaskClient:
    """A browser logged in as finance staff."""
    client = world.app.test_client()
    assert login_as(client, "fin.qian").status_code == 302
    client.get("/finance/?lang=en")  # the account's language from now on (flashes, CSV titles)
    return client


def _form(client: FlaskClient, url: str, **fields: str) -> TestResponse:
    return client.post(url, data={"csrf_token": csrf_token_for(client), **fields})


def _csv(response: TestResponse) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM for Excel"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def _flashes(html: str) -> list[str]:
    return re.findall(r'<p class="flash flash--\w+">(.*?)</p>', html, re.S)


# --- the demo -------------------------------------------------------------------------------


def test_finance_pages_render_with_the_demo_data(demo_client: FlaskClient) -> None:
    assert login_as(demo_client, "finance", DEMO_PASSWORDS["finance"]).status_code == 302
    pages = {
        "/finance/": "Refunds due",
        "/finance/journal": "DEMO-C-0001",
        "/finance/balances": "balanced",
        "/finance/balances?by=merchant": "m1002",
        "/finance/balances?by=day": "CST day",
        "/finance/reconciliation": "Upload a settlement report",
        "/finance/cases/DEMO-C-0002": "Compensation paid",
    }
    for path, expected in pages.items():
        sep = "&" if "?" in path else "?"
        response = demo_client.get(f"{path}{sep}lang=en")
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert expected in html, path
        assert "finance.css" in html
    journal = demo_client.get("/finance/journal?lang=en").get_data(as_text=True)
    assert "¥" in journal and "ALIPAY" not in journal  # amounts as money; references in payments
    assert demo_client.get("/finance/cases/NOPE").status_code == 404
    rows = _csv(demo_client.get("/finance/journal.csv?lang=en"))
    assert {row["Case"] for row in rows} >= {"DEMO-C-0001", "DEMO-C-0002", "DEMO-C-0003"}
    debits = sum(Decimal(row["Debit (yuan)"]) for row in rows)
    credits = sum(Decimal(row["Credit (yuan)"]) for row in rows)
    assert debits == credits > 0


def test_finance_pages_are_for_finance_staff_only(demo_client: FlaskClient) -> None:
    response = demo_client.get("/finance/journal")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login_as(demo_client, "zhangsan", DEMO_PASSWORDS["consumer"])
    assert demo_client.get("/finance/").status_code == 403
    assert demo_client.get("/finance/journal.csv").status_code == 403
    login_as(demo_client, "shanhai", DEMO_PASSWORDS["merchant"])
    response = _form(demo_client, "/finance/refunds/DEMO-C-0010/paid", psp_reference="X")
    assert response.status_code == 403


# --- refunds due ----------------------------------------------------------------------------


def test_refunds_due_show_the_r3_deadline_counting_down_and_mark_the_overdue(
    world: World, finance: FlaskClient
) -> None:
    real_now = world.clock.now
    world.clock.now = real_now - timedelta(days=24)
    late = world.refund_approved(world.order(paid_fen=30_000))
    world.clock.now = real_now
    on_time = world.refund_approved(world.order(paid_fen=12_345))
    world.settle()

    html = finance.get("/finance/?lang=en").get_data(as_text=True)
    assert re.search(r'data-testid="unpaid-count">2<', html)
    assert re.search(r'data-testid="overdue-count">1<', html)
    found = re.findall(r'<tr class="([^"]*)" data-case="([^"]+)">', html)
    by_case = {case: cls for cls, case in found}
    assert by_case[late] == "fin-row--overdue"
    assert by_case[on_time] == ""
    late_row = html.split(f'data-case="{late}"')[1].split("</tr>")[0]
    on_time_row = html.split(f'data-case="{on_time}"')[1].split("</tr>")[0]
    assert "countdown--overdue" in late_row and "Overdue" in late_row
    assert "countdown--running" in on_time_row and "data-countdown" in on_time_row
    assert "¥123.45" in on_time_row
    assert html.index(late) < html.index(on_time)  # earliest deadline first
    assert 'name="psp_reference"' in on_time_row and 'name="request_id"' in on_time_row

    rows_csv = _csv(finance.get("/finance/refunds.csv?lang=en"))
    assert [(r["Case"], r["Overdue"], r["Refund total (yuan)"]) for r in rows_csv] == [
        (late, "1", "300.00"),
        (on_time, "0", "123.45"),
    ]
    assert (
        finance.get("/finance/?format=csv&lang=en").get_data()
        == finance.get("/finance/refunds.csv?lang=en").get_data()
    )


def test_recording_a_refund_paid_from_the_page_is_idempotent_and_closes_the_case(
    world: World, finance: FlaskClient
) -> None:
    case_no = world.refund_approved()
    world.settle()
    fields = {"request_id": "form-1", "psp_reference": "WX-RF-9"}
    first = _form(finance, f"/finance/refunds/{case_no}/paid", **fields)
    again = _form(finance, f"/finance/refunds/{case_no}/paid", **fields)  # double submit
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"].endswith("/finance/")
    world.settle()
    detail = world.get("platform_agent", f"/api/v1/cases/{case_no}").json
    assert detail is not None
    assert detail["case"]["status"] == "closed"
    assert [s["step"] for s in detail["timeline"]].count("refund_paid") == 1
    html = finance.get("/finance/?lang=en").get_data(as_text=True)
    assert "No approved refund is waiting for payment." in html


def test_a_payment_without_reference_is_refused_naming_the_field(
    world: World, finance: FlaskClient
) -> None:
    case_no = world.refund_approved()
    response = _form(finance, f"/finance/refunds/{case_no}/paid", request_id="r", psp_reference=" ")
    assert response.status_code == 303
    html = finance.get("/finance/?lang=en").get_data(as_text=True)
    assert any("Payment reference" in f and "(R3)" in f for f in _flashes(html))
    world.settle()
    detail = world.get("finance", f"/api/v1/cases/{case_no}").json
    assert detail is not None and detail["case"]["status"] == "refund_approved"


def test_a_failed_payment_is_recorded_and_the_deadline_keeps_running(
    world: World, finance: FlaskClient
) -> None:
    case_no = world.refund_approved()
    response = _form(
        finance, f"/finance/refunds/{case_no}/failed", request_id="f1", reason="银行卡已注销"
    )
    assert response.status_code == 303
    world.settle()
    html = finance.get("/finance/?lang=en").get_data(as_text=True)
    row = html.split(f'data-case="{case_no}"')[1].split("</tr>")[0]
    assert "Payment failed" in row
    assert "1 failed attempt" in row and "银行卡已注销" in row
    assert "countdown--running" in row


def test_compensation_owed_is_listed_and_recorded_paid(world: World, finance: FlaskClient) -> None:
    case_no = world.open_case(world.order(), reason_code="quality_defect")
    world.ok("merchant", case_no, "accept")
    world.ok("consumer", case_no, "ship-return", carrier="顺丰速运", tracking_no="SF9")
    world.ok("merchant", case_no, "return-delivered")
    world.ok("merchant", case_no, "confirm-receipt")
    world.ok("merchant", case_no, "inspect", responsibility="product_defect", findings="屏幕坏点")
    world.ok("merchant", case_no, "compensation", amount_fen=2_001, reason="补偿运费与时间")
    world.settle()
    html = finance.get("/finance/?lang=en").get_data(as_text=True)
    section = html.split('id="comp-title"')[1]
    assert case_no in section and "¥20.01" in section
    rows = _csv(finance.get("/finance/compensations.csv?lang=en"))
    assert rows == [
        {
            "Case": case_no,
            "Merchant": MERCHANT_ID,
            "Store": MERCHANT_ID,  # this store published no name (issue 11 item 4: names in CSV)
            "Compensation owed (yuan)": "20.01",
            "Currency": "CNY",
        }
    ]
    response = _form(
        finance, f"/finance/compensations/{case_no}/paid", request_id="c1", psp_reference="CP-1"
    )
    assert response.status_code == 303
    world.settle()
    html = finance.get("/finance/?lang=en").get_data(as_text=True)
    assert "No compensation is waiting for payment." in html


# --- CSV exports ----------------------------------------------------------------------------


def test_csv_exports_parse_back_with_exact_amounts_and_the_viewers_offset(
    world: World, finance: FlaskClient
) -> None:
    cases = paid_refunds(world, {"PSP-A": 12_345, "PSP-B": 1, "PSP-C": 1_000_000})
    rows = _csv(finance.get("/finance/journal.csv?lang=en"))
    assert len(rows) == 3 * 4  # approved: Dr payable, Cr card; paid: Dr card, Cr clearing
    amounts = {row["Debit (yuan)"] for row in rows} | {row["Credit (yuan)"] for row in rows}
    assert {"123.45", "0.01", "10000.00", "0.00"} == amounts
    assert sum(Decimal(r["Debit (yuan)"]) for r in rows) == Decimal("20246.92")
    assert sum(Decimal(r["Credit (yuan)"]) for r in rows) == Decimal("20246.92")
    for row in rows:
        moment = datetime.fromisoformat(row["Time"])
        assert row["Time"].endswith("+08:00")
        assert abs(moment - world.clock.now) < timedelta(minutes=1)
    one_case = [r for r in rows if r["Case"] == cases["PSP-B"]]
    assert {r["Entry kind"] for r in one_case} == {"Refund approved", "Refund paid"}

    finance.set_cookie("tz", "America/New_York")
    later = _csv(finance.get("/finance/journal.csv?lang=en"))
    assert all(r["Time"].endswith(("-05:00", "-04:00")) for r in later)
    assert [datetime.fromisoformat(r["Time"]) for r in later] == [
        datetime.fromisoformat(r["Time"]) for r in rows
    ]
    assert (
        finance.get("/finance/journal?format=csv&lang=en").get_data()
        == finance.get("/finance/journal.csv?lang=en").get_data()
    )

    balances = _csv(finance.get("/finance/balances.csv?by=merchant&lang=en"))
    payable = next(b for b in balances if b["Account"] == f"merchant_payable:{MERCHANT_ID}")
    assert payable["Merchant"] == MERCHANT_ID
    assert payable["Balance (yuan)"] == "10123.46"
    clearing = next(b for b in balances if b["Account"] == "psp_clearing")
    assert clearing["Balance (yuan)"] == "-10123.46"
    by_account = _csv(finance.get("/finance/balances.csv?lang=en"))
    assert "Merchant" not in by_account[0]
    filtered = _csv(finance.get(f"/finance/journal.csv?case_no={cases['PSP-A']}&lang=en"))
    assert {r["Case"] for r in filtered} == {cases["PSP-A"]}


def test_chinese_headers_survive_the_round_trip(world: World, finance: FlaskClient) -> None:
    paid_refunds(world, {"PSP-Z": 500})
    raw = finance.get("/finance/journal.csv?lang=zh_CN").get_data()
    text = raw.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    assert len(header) == 12  # the merchant's id and the store's name (issue 11 item 4)
    assert raw.startswith(b"\xef\xbb\xbf")


# --- reconciliation -------------------------------------------------------------------------


def _upload(client: FlaskClient, data: bytes, name: str = "bill.csv") -> TestResponse:
    return client.post(
        "/finance/reconciliation?lang=en",
        data={"csrf_token": csrf_token_for(client), "report": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_a_settlement_upload_shows_the_missing_the_extra_and_the_mismatched(
    world: World, finance: FlaskClient
) -> None:
    cases = paid_refunds(world, {"PSP-OK": 12_345, "PSP-DIFF": 50_000, "PSP-GONE": 8_800})
    when = cst_now_text(world)
    report = settlement_csv(
        [
            ("PSP-OK", "123.45", "SUCCESS", when),
            ("PSP-DIFF", "499.99", "SUCCESS", when),
            ("PSP-EXTRA", "66.00", "SUCCESS", when),
        ]
    )
    response = _upload(finance, report, "微信退款账单.csv")
    assert response.status_code == 303
    page = finance.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    for code, n in (
        ("matched", 1),
        ("amount_mismatch", 1),
        ("missing_in_ledger", 1),
        ("missing_in_report", 1),
        ("status_mismatch", 0),
    ):
        assert re.search(rf'data-testid="count-{code}">{n}<', page), code

    def section(code: str) -> str:
        return page.split(f'data-outcome="{code}"')[1].split("</section>")[0]

    assert "PSP-OK" in section("matched")
    diff = section("amount_mismatch")
    assert "PSP-DIFF" in diff and "¥499.99" in diff and "¥500.00" in diff
    assert cases["PSP-DIFF"] in diff
    assert "PSP-EXTRA" in section("missing_in_ledger") and "¥66.00" in section("missing_in_ledger")
    assert "PSP-GONE" in section("missing_in_report")
    assert cases["PSP-GONE"] in section("missing_in_report")

    run_id = response.headers["Location"].rsplit("/", 1)[-1]
    items = _csv(finance.get(f"/finance/reconciliation/{run_id}.csv?lang=en"))
    by_reference = {row["Payment reference"]: row for row in items}
    assert by_reference["PSP-DIFF"]["Report amount (yuan)"] == "499.99"
    assert by_reference["PSP-DIFF"]["Ledger amount (yuan)"] == "500.00"
    assert by_reference["PSP-EXTRA"]["Ledger amount (yuan)"] == ""
    assert by_reference["PSP-GONE"]["Outcome"] == "Paid in the ledger, missing in the report"
    runs = _csv(finance.get("/finance/reconciliation.csv?lang=en"))
    assert [(r["File"], r["Matched"], r["Amounts differ"]) for r in runs] == [
        ("微信退款账单.csv", "1", "1")
    ]
    listing = finance.get("/finance/reconciliation?lang=en").get_data(as_text=True)
    assert run_id in listing


def test_a_bad_settlement_file_names_line_and_column_and_stores_nothing(
    world: World, finance: FlaskClient
) -> None:
    bad = (
        "\ufeff商户退款单号,货币种类,退款状态,退款成功时间\n"
        "`PSP-1,`CNY,`SUCCESS,`2026-03-01 10:00:00\n"
    )
    response = _upload(finance, bad.encode("utf-8"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "line 1" in html and "column 退款金额" in html
    assert "Nothing was stored" in html
    amount = settlement_csv([("PSP-1", "12.345", "SUCCESS", "2026-03-01 10:00:00")])
    html = _upload(finance, amount).get_data(as_text=True)
    assert "line 2" in html and "column 退款金额" in html
    assert "No settlement report was imported yet." in html
    assert _csv(finance.get("/finance/reconciliation.csv?lang=en")) == []


def test_a_settlement_file_over_the_limit_or_missing_is_refused(
    world: World, finance: FlaskClient
) -> None:
    rows = [(f"PSP-{n}", "1.00", "SUCCESS", "2026-03-01 10:00:00") for n in range(30)]
    big = settlement_csv(rows)
    assert len(big) > 2048
    response = _upload(finance, big)
    assert response.status_code == 413
    assert "larger than the limit of 2 KB" in response.get_data(as_text=True)
    response = finance.post(
        "/finance/reconciliation?lang=en",
        data={"csrf_token": csrf_token_for(finance)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "choose a CSV file" in response.get_data(as_text=True)
    assert finance.get("/finance/reconciliation/nope").status_code == 404


def test_filters_with_bad_dates_say_which_field(world: World, finance: FlaskClient) -> None:
    html = finance.get("/finance/journal?day=2026-13-01&lang=en").get_data(as_text=True)
    assert "CST day: give a date as YYYY-MM-DD." in html
    html = finance.get(
        "/finance/balances?by=day&start_day=2026-03-05&end_day=2026-03-01&lang=en"
    ).get_data(as_text=True)
    assert "To: the range ends before it starts." in html


def test_journal_pages_and_filters_by_merchant_day_and_case(
    world: World, finance: FlaskClient
) -> None:
    cases = paid_refunds(world, {"PSP-1": 100, "PSP-2": 200})
    html = finance.get(f"/finance/journal?case_no={cases['PSP-1']}&lang=en").get_data(as_text=True)
    assert "4 journal lines" in html and cases["PSP-2"] not in html
    html = finance.get("/finance/journal?merchant_id=M0000&lang=en").get_data(as_text=True)
    assert "No journal line matches." in html
    html = finance.get("/finance/journal?day=2001-01-01&lang=en").get_data(as_text=True)
    assert "No journal line matches." in html
    rows = _csv(finance.get("/finance/journal.csv?lang=en"))
    day = rows[0]["CST day"]
    same_day = _csv(finance.get(f"/finance/journal.csv?day={day}&lang=en"))
    assert len(same_day) == len([r for r in rows if r["CST day"] == day])


def test_the_case_page_shows_ledger_and_steps_and_pays_from_there(
    world: World, finance: FlaskClient
) -> None:
    case_no = world.refund_approved(world.order(paid_fen=4_321))
    world.settle()
    html = finance.get(f"/finance/cases/{case_no}?lang=en").get_data(as_text=True)
    assert "What happened, step by step" in html  # the shared timeline (R21)
    assert "Approved, not paid yet" in html and "¥43.21" in html
    assert 'name="back_case"' in html
    response = _form(
        finance,
        f"/finance/refunds/{case_no}/paid",
        request_id="case-page-1",
        psp_reference="WX-77",
        back_case=case_no,
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/finance/cases/{case_no}")
    world.settle()
    html = finance.get(f"/finance/cases/{case_no}?lang=en").get_data(as_text=True)
    assert 'data-testid="refund-status">Paid' in html and "WX-77" in html
    assert 'name="back_case"' not in html
    rows = _csv(finance.get(f"/finance/cases/{case_no}?format=csv&lang=en"))
    # Newest entry first, each entry's lines in order: paid (Dr card, Cr clearing), approved.
    assert [(r["Entry kind"], r["Debit (yuan)"], r["Credit (yuan)"]) for r in rows] == [
        ("Refund paid", "43.21", "0.00"),
        ("Refund paid", "0.00", "43.21"),
        ("Refund approved", "43.21", "0.00"),
        ("Refund approved", "0.00", "43.21"),
    ]
    balances = _csv(finance.get(f"/finance/cases/{case_no}?format=csv&table=balances&lang=en"))
    assert {(b["Account"], b["Balance (yuan)"]) for b in balances} == {
        (f"merchant_payable:{MERCHANT_ID}", "43.21"),
        ("consumer_refund_payable:card", "0.00"),
        ("psp_clearing", "-43.21"),
    }


def test_a_returned_refund_shows_both_r3_clocks_and_which_one_is_due(demo_app) -> None:  # type: ignore[no-untyped-def]
    """R3 (issue 7): a refund of returned goods is due by the earlier of the policy's working
    days after approval and the statutory ceiling (7 days from the goods' delivery back, Law
    art. 13). Finance sees both, on the list and on the case, and which one applies."""
    client = demo_app.test_client()
    login_as(client, "finance", DEMO_PASSWORDS["finance"])
    for path in ("/finance/?lang=en", "/finance/cases/DEMO-C-0014?lang=en"):
        body = client.get(path).get_data(as_text=True)
        start = body.index('data-testid="refund-clocks"')
        block = body[start : body.index("</ul>", start)]
        assert "Working days after approval (R3)" in block, path
        assert "Statutory ceiling, 7 days from the goods' delivery back (R3)" in block, path
        times = re.findall(r'<li( class="fin-clock--due")?>[^<]*<time datetime="([^"]+)"', block)
        assert len(times) == 2, block
        due = [when for marked, when in times if marked]
        assert due == [min(when for _, when in times)], block
