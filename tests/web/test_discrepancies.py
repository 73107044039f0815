"""Finance's queue of reconciliation discrepancies through the pages (issue 8; R3): logged in as
finance, upload a WeChat Pay bill (UTF-8) and an Alipay bill (GBK), see each discrepancy in
/finance/discrepancies and in GET /api/v1/reconciliation/discrepancies, resolve each with a
CSRF-protected form (a bad form names the field; a resolution the domain does not allow is
refused) until the reconciliation is clean."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from projections.ledger import LedgerProjection
from projections.runner import Runner
from tests.integration.test_ledger import Scenario, World, build_scenario
from tests.web.conftest import PASSWORD, csrf_token_for, login_as, make_app
from web import get_db
from web.common import accounts

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture
def shop(tmp_path: Path, clean_environ: None) -> Iterator[tuple[Flask, World, Scenario]]:
    app = make_app(tmp_path)
    events = tmp_path / "events"
    events.mkdir()
    w = World(app.config["DATABASE_URL"], events)
    scenario = build_scenario(w)
    Runner(w.app, w.db, [LedgerProjection()]).catch_up()
    w.tick(days=30)
    app.config["SERVICE"] = w.app
    with app.app_context():
        accounts.create_account(get_db(), "fin.zhao", PASSWORD, "finance", "财务 赵", "fin1", None)
    yield app, w, scenario
    with app.app_context():
        get_db().close()
    w.close()


def _upload(client: FlaskClient, path: Path) -> str:
    response = client.post(
        "/finance/reconciliation",
        data={
            "csrf_token": csrf_token_for(client),
            "report": (io.BytesIO(path.read_bytes()), path.name),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    return str(response.headers["Location"]).rsplit("/", 1)[-1]


def _queue(client: FlaskClient) -> list[tuple[str, int, str]]:
    html = client.get("/finance/discrepancies?lang=en").get_data(as_text=True)
    return [
        (run, int(item), outcome)
        for run, item, outcome in re.findall(
            r'data-run="([^"]+)" data-item="(\d+)" data-outcome="(\w+)"', html
        )
    ]


def test_discrepancies_are_resolved_through_the_finance_pages(
    shop: tuple[Flask, World, Scenario],
) -> None:
    app, w, s = shop
    client = app.test_client()
    assert login_as(client, "fin.zhao").status_code == 302
    wechat = _upload(client, FIXTURES / "settlement_wechat_refund.csv")
    alipay = _upload(client, FIXTURES / "settlement_alipay_refund_gbk.csv")
    queue = _queue(client)
    assert {(run, outcome) for run, _n, outcome in queue} == {
        (wechat, "amount_mismatch"),
        (wechat, "missing_in_ledger"),
        (alipay, "amount_mismatch"),
        (alipay, "missing_in_ledger"),
    }
    api = client.get("/api/v1/reconciliation/discrepancies").get_json()
    assert sorted(i["psp_reference"] for i in api["items"]) == ["ALI-X", "PSP-B", "PSP-B", "PSP-X"]
    by_ref = {(i["run_id"], i["psp_reference"]): i for i in api["items"]}
    assert by_ref[(alipay, "ALI-X")]["resolutions"] == ["mark_paid", "match_by_hand", "write_off"]

    def resolve(run: str, reference: str, **form: str) -> str:
        item = by_ref[(run, reference)]["item_no"]
        response = client.post(
            f"/finance/discrepancies/{run}/{item}?lang=en",
            data={"csrf_token": csrf_token_for(client), **form},
        )
        assert response.status_code == 303
        page = client.get("/finance/discrepancies?lang=en").get_data(as_text=True)
        return " ".join(re.findall(r'<p class="flash flash--\w+">(.*?)</p>', page, re.S))

    # without the CSRF token nothing happens
    bare = client.post(f"/finance/discrepancies/{wechat}/1", data={"resolution": "write_off"})
    assert bare.status_code in (400, 403)
    # a form without a reason names the field; nothing is stored
    assert "reason" in resolve(wechat, "PSP-X", resolution="write_off", reason=" ")
    # the domain refuses a resolution the item does not allow
    assert "R3" in resolve(wechat, "PSP-X", resolution="reopen_payment", reason="x")
    assert len(_queue(client)) == 4

    assert "resolved" in resolve(wechat, "PSP-B", resolution="match_by_hand", reason="手续费差异")
    # the API takes the same resolution (marshmallow-validated; a bad field is a 400 naming it)
    api_url = f"/api/v1/reconciliation/discrepancies/{wechat}"
    headers = {"X-CSRF-Token": csrf_token_for(client)}
    body = {"request_id": "api-wo-1", "resolution": "write_off", "reason": "非本平台退款"}
    bad = client.post(f"{api_url}/x", json=body, headers=headers)
    assert bad.status_code == 400 and "item_no" in bad.get_json()["fields"]
    bad = client.post(
        f"{api_url}/{by_ref[(wechat, 'PSP-X')]['item_no']}",
        json={**body, "resolution": "forget"},
        headers=headers,
    )
    assert bad.status_code == 400 and "resolution" in bad.get_json()["fields"]
    done = client.post(
        f"{api_url}/{by_ref[(wechat, 'PSP-X')]['item_no']}", json=body, headers=headers
    )
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["detail"] == {"open_discrepancies": 0}
    assert "resolved" in resolve(alipay, "PSP-B", resolution="reopen_payment", reason="少退2元")
    assert "resolved" in resolve(
        alipay,
        "ALI-X",
        resolution="mark_paid",
        reason="漏记的钱包退款",
        case_no=s.due,
        tender="wallet",
    )

    assert _queue(client) == []
    assert client.get("/api/v1/reconciliation/discrepancies").get_json() == {"items": []}
    for run in (wechat, alipay):
        body = client.get(f"/api/v1/reconciliation/{run}").get_json()
        assert body["run"]["open_discrepancies"] == 0
    assert w.app.get_case(s.due).status.value == "closed"
    assert w.app.get_case(s.shipping).status.value == "refund_failed"
    done = client.get("/finance/discrepancies?state=all&lang=en").get_data(as_text=True)
    assert "Marked paid" in done and "Payment reopened" in done


def test_a_partial_failure_is_visible_in_finance_s_queue(
    shop: tuple[Flask, World, Scenario],
) -> None:
    """R3.a: paid to the wallet, failed on the card: the refunds list shows each tender."""
    app, w, _s = shop
    from tests.integration.test_ledger import CARD, WALLET

    w.order("O-T", "m1", [("phone", 1, [(CARD, 6000), (WALLET, 4000)])], consumer_id="c9")
    case_no = w.open("O-T", "return_refund", "no_reason", consumer_id="c9")
    w.return_goods(case_no, "no_fault")
    w.approve(case_no)
    w.tick(hours=1)
    client = app.test_client()
    assert login_as(client, "fin.zhao").status_code == 302
    token = csrf_token_for(client)
    failed = client.post(
        f"/finance/refunds/{case_no}/failed",
        data={"csrf_token": token, "tender": "card", "reason": "银行卡已注销"},
    )
    paid = client.post(
        f"/finance/refunds/{case_no}/paid",
        data={"csrf_token": token, "tender": "wallet", "psp_reference": "WX-T-W"},
    )
    assert failed.status_code == paid.status_code == 303
    assert w.app.get_case(case_no).status.value == "refund_failed"  # not closed (R3)
    html = client.get("/finance/?lang=en").get_data(as_text=True)
    tenders = re.search(rf'data-testid="tenders-{case_no}">(.*?)</ul>', html, re.S)
    assert tenders is not None
    states = re.findall(r'data-tender="(\w+)" data-status="(\w+)"', tenders.group(1))
    assert states == [("card", "failed"), ("wallet", "paid")]
    assert "WX-T-W" in tenders.group(1)
