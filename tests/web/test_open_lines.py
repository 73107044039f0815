"""Opening a case on a line, the R1.a and R5 questions (issue 7): a consumable line asks whether
the goods were opened, with the sentence that explains why (R1.a), on the consumer's form and as
``lines[].opened`` in the API; the faulty part is picked from the parts the policy lists for the
line's category, each with its warranty's last day (R5), and the API refuses any other part with
a 400 naming ``component``."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from domain.calendar import last_day_cst
from domain.warranty import parts_offered
from tests.web.conftest import confirm_review, csrf_token_for, login_as, rule_link
from tests.web.test_api import World, make_world

POLICY = {
    "categories": ["phone", "cosmetics"],
    "exclusions": [{"category": "cosmetics", "kind": "consumable", "reason": "拆封后影响二次销售"}],
    "parts": [{"name": "battery", "months": 6, "category": "phone"}],
}


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


def open_form(client: FlaskClient, order_no: str, **fields: Any) -> TestResponse:
    data = {
        "csrf_token": csrf_token_for(client),
        "kind": "return_refund",
        "reason": "no_reason",
        "quantity": "1",
        "description": "测试",
        **fields,
    }
    url = f"/my/orders/{order_no}/lines/1/open"
    return confirm_review(client, url, client.post(url, data=data))


def cases(shop: World, order_no: str) -> list[str]:
    return list(shop.service.get_order(order_no).cases)


# --- R1.a: opened ------------------------------------------------------------------------------


def test_a_consumable_line_asks_whether_it_was_opened_in_both_languages(
    shop: World, consumer: FlaskClient
) -> None:
    order_no = shop.order(category="cosmetics")
    shop.settle()
    zh = consumer.get(f"/my/orders/{order_no}/lines/1/open?lang=zh_CN").get_data(as_text=True)
    assert 'name="opened" type="checkbox"' in zh
    assert "我已拆封" in zh
    assert (
        "化妆品拆封后不支持七天无理由退货" + rule_link("R1.a") + "；商家说明：拆封后影响二次销售。"
    ) in zh
    en = consumer.get(f"/my/orders/{order_no}/lines/1/open?lang=en").get_data(as_text=True)
    assert "I have opened it" in en
    assert (
        "Cosmetics cannot be returned without a reason once opened" + rule_link("R1.a", lang="en")
    ) in en
    order_page = consumer.get(f"/my/orders/{order_no}").get_data(as_text=True)
    assert (
        "Once opened, it can no longer be returned without a reason" + rule_link("R1.a", lang="en")
    ) in order_page


def test_a_phone_line_does_not_ask(shop: World, consumer: FlaskClient) -> None:
    order_no = shop.order(category="phone")
    shop.settle()
    html = consumer.get(f"/my/orders/{order_no}/lines/1/open").get_data(as_text=True)
    assert 'name="opened"' not in html


def test_opened_consumables_are_refused_a_no_reason_return(
    shop: World, consumer: FlaskClient
) -> None:
    order_no = shop.order(category="cosmetics")
    shop.settle()
    consumer.get("/my/orders?lang=en")
    refused = open_form(consumer, order_no, opened="1")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert (
        "was opened, so it cannot be returned without a reason" + rule_link("R1.a", lang="en")
    ) in text
    assert re.search(r'name="opened" type="checkbox" value="1" checked', text)  # kept
    assert cases(shop, order_no) == []


def test_unopened_returns_and_opened_quality_claims_are_recorded(
    shop: World, consumer: FlaskClient
) -> None:
    order_no = shop.order(category="cosmetics")
    shop.settle()
    assert open_form(consumer, order_no).status_code == 303
    (first,) = cases(shop, order_no)
    assert shop.service.get_case(first).lines[0].opened is False
    shop.ok("consumer", first, "withdraw", reason="不退了")
    shop.settle()
    quality = open_form(consumer, order_no, reason="quality_defect", opened="1")
    assert quality.status_code == 303, quality.get_data(as_text=True)[-2000:]
    second = cases(shop, order_no)[-1]
    assert shop.service.get_case(second).lines[0].opened is True
    shop.settle()  # every audience's case page says so (R1.a); the unopened one does not
    zh = consumer.get(f"/my/cases/{second}?lang=zh_CN").get_data(as_text=True)
    assert ('<span class="badge" data-testid="opened">已拆封' + rule_link("R1.a") + "</span>") in zh
    en = consumer.get(f"/my/cases/{first}?lang=en").get_data(as_text=True)
    assert 'data-testid="opened"' not in en


def test_the_api_takes_opened_per_line(shop: World) -> None:
    order_no = shop.order(category="cosmetics")
    body = {
        "request_id": str(uuid.uuid4()),
        "order_no": order_no,
        "kind": "return_refund",
        "reason_code": "no_reason",
        "lines": [{"line_no": 1, "quantity": 1, "opened": True}],
    }
    refused = shop.post("consumer", "/api/v1/cases", body)
    assert refused.status_code in (409, 422), refused.json
    assert refused.json is not None and refused.json["rule"] == "R1.a"
    bad = shop.post(
        "consumer",
        "/api/v1/cases",
        {**body, "lines": [{"line_no": 1, "quantity": 1, "opened": "yes"}]},
    )
    assert bad.status_code == 400
    case_no = shop.open_case(
        order_no,
        reason_code="quality_defect",
        lines=[{"line_no": 1, "quantity": 1, "opened": True}],
    )
    assert shop.service.get_case(case_no).lines[0].opened is True


# --- R5: the faulty part -----------------------------------------------------------------------


def test_the_form_offers_the_unit_and_the_listed_parts_with_their_last_day(
    shop: World, consumer: FlaskClient
) -> None:
    order_no = shop.order(category="phone")
    shop.settle()
    order = shop.service.get_order(order_no)
    _v, terms = shop.service.get_policy(order.merchant_id).applicable(order.placed_at, shop.clock())
    unit, battery = parts_offered(order.line(1), terms, order.delivered_at)
    assert unit.is_unit and battery.warranty_end is not None
    html = consumer.get(f"/my/orders/{order_no}/lines/1/open?lang=en").get_data(as_text=True)
    select = re.search(r'<select id="component".*?</select>', html, re.S)
    assert select is not None
    options = re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)<', select.group(0))
    assert [value for value, _label in options] == ["unit", "battery"]
    assert options[0][1].startswith("The whole unit (12-month warranty), until ")
    assert options[1][1].startswith("Battery (6-month warranty), until ")  # a name (item 4)
    # the warranty ends at 24:00 CST of its last day: the label names that day
    assert options[1][1].endswith(last_day_cst(battery.warranty_end).isoformat())
    zh = consumer.get(f"/my/orders/{order_no}/lines/1/open?lang=zh_CN").get_data(as_text=True)
    assert "电池（保修 6 个月），至 " in zh and "哪个部件有问题？" in zh


def test_the_chosen_part_is_stored_and_an_unoffered_one_refused(
    shop: World, consumer: FlaskClient
) -> None:
    order_no = shop.order(category="phone")
    shop.settle()
    consumer.get("/my/orders?lang=en")
    wrong = open_form(
        consumer, order_no, kind="repair", reason="quality_defect", component="screen"
    )
    assert wrong.status_code == 400
    assert 'id="component-error"' in wrong.get_data(as_text=True)
    ok = open_form(consumer, order_no, kind="repair", reason="quality_defect", component="battery")
    assert ok.status_code == 303, ok.get_data(as_text=True)[-2000:]
    (case_no,) = cases(shop, order_no)
    assert shop.service.get_case(case_no).component == "battery"
    shop.settle()
    en = consumer.get(f"/my/cases/{case_no}?lang=en").get_data(as_text=True)
    assert "Part named as faulty: Battery" + rule_link("R5", lang="en") + "." in en
    zh = consumer.get(f"/my/cases/{case_no}?lang=zh_CN").get_data(as_text=True)
    assert "申请中指明的故障部件：电池" + rule_link("R5") + "。" in zh


def test_the_api_refuses_a_part_not_offered_naming_the_field(shop: World) -> None:
    order_no = shop.order(category="phone")
    body = {
        "request_id": str(uuid.uuid4()),
        "order_no": order_no,
        "kind": "repair",
        "reason_code": "quality_defect",
        "lines": [{"line_no": 1, "quantity": 1}],
        "component": "screen",
    }
    refused = shop.post("consumer", "/api/v1/cases", body)
    assert refused.status_code == 400
    assert refused.json is not None
    (message,) = refused.json["fields"]["component"]
    assert "'screen'" in message and "unit, battery" in message and "(R5)" in message
    case_no = shop.open_case(
        order_no, kind="repair", reason_code="quality_defect", component="battery"
    )
    assert shop.service.get_case(case_no).component == "battery"
    cosmetics = shop.order(category="cosmetics")  # battery is listed for phones only
    other = shop.post(
        "consumer",
        "/api/v1/cases",
        {**body, "order_no": cosmetics, "component": "battery", "request_id": "x2"},
    )
    assert other.status_code == 400
