"""The R16 assistant on the consumer's order and case pages and in the API (issue 7): what the
consumer can still do and by when (a day's end read as "<last day> 24:00"), which part has which
warranty (R5), who pays each shipping leg (R2) and how much comes back to each tender (R3.a); for
a case, whose turn it is and by when (R21). Only the consumer's own (P4)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from domain import rules
from domain.calendar import last_day_cst
from domain.lines import Tender
from domain.values import TenderKind
from tests.web.conftest import login_as, rule_link
from tests.web.test_api import World, make_world

POLICY = {
    "categories": ["phone"],
    "parts": [{"name": "battery", "months": 6, "category": "phone"}],
}
TENDERS = (Tender(TenderKind.CARD, 150_000), Tender(TenderKind.POINTS, 49_900))


@pytest.fixture
def shop(tmp_path: Path, clean_environ: None) -> Iterator[World]:
    built = make_world(tmp_path, policy=POLICY)
    yield built
    built.app.config["SERVICE"].close()


@pytest.fixture
def consumer(shop: World) -> FlaskClient:
    client = shop.app.test_client()
    assert login_as(client, "li.lei").status_code == 302
    return client


def window_last_day(shop: World, order_no: str) -> str:
    order = shop.service.get_order(order_no)
    _v, terms = shop.service.get_policy(order.merchant_id).applicable(order.placed_at, shop.clock())
    assert order.delivered_at is not None
    return last_day_cst(rules.no_reason_window_end(order.delivered_at, terms)).isoformat()


def test_the_order_page_answers_in_english(shop: World, consumer: FlaskClient) -> None:
    order_no = shop.order(paid_fen=199_900, tenders=TENDERS)
    shop.settle()
    html = consumer.get(f"/my/orders/{order_no}?line=1&lang=en").get_data(as_text=True)
    last = window_last_day(shop, order_no)
    assert "What you can still do with 旗舰手机 X1" in html
    assert "already under a return or refund" not in html
    assert (
        f"Return without giving a reason: until {last} 24:00" + rule_link("R1", lang="en")
    ) in html
    assert (
        "Repair: until " in html
        and "free of charge while in warranty" + rule_link("R6", lang="en") in html
    )
    assert (
        "No longer possible: Refund for goods that never arrived" + rule_link("R3", lang="en") + "."
    ) in html
    assert "battery: 6 months, until " in html and "The whole unit: 12 months, until " in html
    assert (
        "Sending the goods back: paid by you; the original delivery: paid by you"
        + rule_link("R2", lang="en")
        + "."
    ) in html
    assert (
        "Sending the goods back: paid by the store; the original delivery: paid by the store"
        + rule_link("R2", lang="en")
        + "."
    ) in html
    assert (
        "Up to ¥1,999.00 comes back: ¥1,500.00 to bank card, ¥499.00 to points"
        + rule_link("R3.a", lang="en")
        + "."
    ) in html


def test_the_order_page_answers_in_chinese(shop: World, consumer: FlaskClient) -> None:
    order_no = shop.order(paid_fen=199_900, tenders=TENDERS)
    shop.settle()
    html = consumer.get(f"/my/orders/{order_no}?line=1&lang=zh_CN").get_data(as_text=True)
    last = window_last_day(shop, order_no)
    assert "旗舰手机 X1还可以申请" in html
    assert "已不可申请：未收到货退款" + rule_link("R3") + "。" in html
    assert f"七天无理由退货：截至 {last} 24:00" + rule_link("R1") in html
    assert "寄回商品的运费由您承担；原发货运费由您承担" + rule_link("R2") + "。" in html
    assert (
        "最多退回 ¥1,999.00：¥1,500.00 退回银行卡、¥499.00 退回积分" + rule_link("R3.a") + "。"
    ) in html


def test_a_line_under_a_refund_promises_no_second_refund(
    shop: World, consumer: FlaskClient
) -> None:
    order_no = shop.order(paid_fen=199_900, tenders=TENDERS)
    shop.open_case(order_no)
    shop.settle()
    html = consumer.get(f"/my/orders/{order_no}?line=1&lang=en").get_data(as_text=True)
    assert (
        "Every unit of this line is already under a return or refund"
        + rule_link("R3.a", lang="en")
        + "."
    ) in html
    assert (
        "Return without giving a reason" + rule_link("R3.a", lang="en")
    ) in html  # among the ones no longer possible
    assert (
        "Refund for goods that never arrived" + rule_link("R3", lang="en") + "."
    ) in html  # refused for its own reason
    assert "comes back" not in html.split('data-testid="assistant-line"')[1]
    assert "Exchange without giving a reason: until " in html  # an exchange refunds nothing


def test_the_case_page_says_whose_turn_and_by_when(shop: World, consumer: FlaskClient) -> None:
    order_no = shop.order(paid_fen=199_900, tenders=TENDERS)
    case_no = shop.open_case(order_no)
    shop.ok("merchant", case_no, "accept")
    shop.settle()
    answer = shop.get("consumer", f"/api/v1/cases/{case_no}/assistant").json
    assert answer is not None and answer["your_turn"] is True
    mine = next(d for d in answer["deadlines"] if d["yours"])
    assert mine["party"] == "consumer" and mine["by"]["ends_at_midnight"] is True
    last = mine["by"]["last_day"]
    en = consumer.get(f"/my/cases/{case_no}?lang=en").get_data(as_text=True)
    assert 'data-testid="assistant-case"' in en and "It is your turn." in en
    assert f"you, by {last} 24:00" + rule_link(mine["rule"], lang="en") in en
    assert "Up to ¥1,999.00 comes back" in en
    zh = consumer.get(f"/my/cases/{case_no}?lang=zh_CN").get_data(as_text=True)
    assert "现在轮到您操作。" in zh
    assert f"由您在 {last} 24:00 前完成" + rule_link(mine["rule"]) in zh


def test_the_case_page_replays_the_case_once_per_version(
    shop: World, consumer: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12: the assistant reads the case at the version the page's read model shows, replayed
    once per (case, version) in the process, not on every view; a new event is a new version."""
    from domain.service import AfterSales

    order_no = shop.order(paid_fen=199_900, tenders=TENDERS)
    case_no = shop.open_case(order_no)
    shop.ok("merchant", case_no, "accept")
    shop.settle()
    loads: list[tuple[str, int | None]] = []
    get_case = AfterSales.get_case

    def counted(self: AfterSales, case_no: str, version: int | None = None) -> Any:
        loads.append((case_no, version))
        return get_case(self, case_no, version)

    monkeypatch.setattr(AfterSales, "get_case", counted)
    for _ in range(3):
        page = consumer.get(f"/my/cases/{case_no}?lang=en").get_data(as_text=True)
        assert "It is your turn." in page
    assert len(loads) == 1 and loads[0][1] is not None
    shop.ok("consumer", case_no, "ship-return", carrier="顺丰速运", tracking_no="SF1")
    shop.settle()
    loads.clear()
    for _ in range(2):
        page = consumer.get(f"/my/cases/{case_no}?lang=en").get_data(as_text=True)
        assert 'data-testid="assistant-case"' in page and "It is your turn." not in page
    assert len(loads) == 1


# --- the API -----------------------------------------------------------------------------------


def test_the_api_answers_about_an_order(shop: World) -> None:
    order_no = shop.order(paid_fen=199_900, tenders=TENDERS)
    response = shop.get("consumer", f"/api/v1/orders/{order_no}/assistant")
    assert response.status_code == 200, response.json
    (line,) = response.json["lines"]  # type: ignore[index]
    options = {o["action"]: o for o in line["options"]}
    no_reason = options["no_reason_return"]
    assert no_reason["available"] is True and no_reason["rule"] == "R1"
    assert no_reason["by"]["ends_at_midnight"] is True
    assert no_reason["by"]["last_day"] == window_last_day(shop, order_no)
    assert options["refund_not_delivered"]["available"] is False
    assert [p["component"] for p in line["parts"]] == ["unit", "battery"]
    assert line["parts"][1]["months"] == 6 and line["parts"][1]["warranty_last_day"]
    assert line["no_reason_shipping"] == {
        "return_leg": "consumer",
        "outbound_leg": "consumer",
        "rule": "R2",
    }
    assert line["quality_shipping"]["return_leg"] == "merchant"
    money = line["no_reason_money"]
    assert money["total_fen"] == 199_900
    assert money["split"] == [
        {"kind": "card", "amount_fen": 150_000, "in_kind": False},
        {"kind": "points", "amount_fen": 49_900, "in_kind": True},
    ]


def test_only_the_consumer_or_platform_staff_may_ask(shop: World) -> None:
    order_no = shop.order()
    case_no = shop.open_case(order_no)
    for path in (f"/api/v1/orders/{order_no}/assistant", f"/api/v1/cases/{case_no}/assistant"):
        stranger = shop.get("other_consumer", path)
        assert stranger.status_code == 404  # P4: not theirs, and the answer does not say whose
        assert order_no not in stranger.get_data(as_text=True)
        assert case_no not in stranger.get_data(as_text=True)
        assert shop.get("merchant", path).status_code == 403
        assert shop.get("platform_agent", path).status_code == 200  # on the consumer's behalf
        assert shop.get(None, path).status_code == 401
    assert shop.get("consumer", "/api/v1/orders/NOPE/assistant").status_code == 404
