"""Public store pages (web/public.py), no log-in: a store's after-sales policy item by item (R11),
with excluded categories and their reasons (R1.a), warranty (R5), repair costs (R6), shipping
(R2), service promises (R12), carrier (R25), limits (R23), version and date (R19); a product's
after-sales section; both languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from domain.terms import PolicyTerms
from domain.values import Actor, Role
from projections.policies import PoliciesProjection
from projections.runner import Runner
from tests.web.conftest import DEMO_PASSWORDS, login_as
from web import get_db
from web.services import get_service


def text_of(html: str) -> str:
    body = html.split("<main", 1)[1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


@pytest.mark.parametrize(("lang", "html_lang"), [("zh_CN", "zh-CN"), ("en", "en")])
def test_store_policy_renders_in_both_languages_without_log_in(
    demo_client: FlaskClient, lang: str, html_lang: str
) -> None:
    response = demo_client.get(f"/stores/m1002/policy?lang={lang}")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert f'<html lang="{html_lang}"' in html
    for section in ("returns", "special-goods", "exchange", "warranty", "repair-costs"):
        assert f'id="{section}"' in html
    for section in ("shipping", "service", "carrier", "limits"):
        assert f'id="{section}"' in html
    assert "生鲜易腐，签收后不支持七天无理由退货" in html  # R1.a reasons, as the store wrote them
    assert "化妆品拆封后影响二次销售" in html
    assert 'data-testid="policy-version"' in html
    assert "R19" in html and "R2" in html and "R25" in html


def test_store_policy_says_every_term_in_english(demo_client: FlaskClient) -> None:
    text = text_of(demo_client.get("/stores/m1001/policy?lang=en").get_data(as_text=True))
    assert "within 7 days, counted from the day after you signed for the delivery (R1)" in text
    assert "Whole unit: 12 months from delivery (R5)" in text
    assert "3 months from delivery: Battery, Charger (R5)" in text  # names, not codes
    assert "never more than ¥500.00 (R6)" in text
    assert "顺丰速运 售后专线" in text
    assert "within 2 hours; a rejection always gives its reason (R12)" in text
    assert "防水等级 IP68" in text  # R23
    assert re.search(r"Version 1, published \d{4}-\d{2}-\d{2} \d{2}:\d{2}", text)
    assert "None: every category of this store can be returned without a reason." in text


def test_an_earlier_version_stays_readable(demo_app: Flask, demo_client: FlaskClient) -> None:
    with demo_app.app_context():
        service = get_service()
        service.publish_policy(
            request_id="test:v2",
            actor=Actor(Role.SYSTEM, "platform"),
            merchant_id="m1001",
            terms=PolicyTerms(
                categories=("phone", "earphones", "accessory"), return_window_days=15
            ),
            summary="退货期延长至15天",
        )
        Runner(service, get_db(), [PoliciesProjection()]).catch_up()

    current = text_of(demo_client.get("/stores/m1001/policy?lang=en").get_data(as_text=True))
    old = text_of(demo_client.get("/stores/m1001/policy?version=1&lang=en").get_data(as_text=True))

    assert "within 15 days" in current and "Version 2, published" in current
    assert "退货期延长至15天" in current and "Earlier versions" in current
    assert "within 7 days" in old and "You are reading version 1" in old
    assert demo_client.get("/stores/m1001/policy?version=9").status_code == 404
    assert demo_client.get("/stores/m1001/policy?version=x").status_code == 404


def test_unknown_store_or_product_is_404(demo_client: FlaskClient) -> None:
    assert demo_client.get("/stores/nobody/policy").status_code == 404
    assert demo_client.get("/stores/m1001/products/NO-SKU/after-sales").status_code == 404
    assert demo_client.get("/stores/m1002/products/PH-X1/after-sales").status_code == 404


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_product_after_sales_section_for_an_excluded_category(
    demo_client: FlaskClient, lang: str
) -> None:
    response = demo_client.get(f"/stores/m1002/products/FR-KIWI/after-sales?lang={lang}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "徐香猕猴桃 5斤装" in html
    verdict = html.split('data-testid="no-reason"', 1)[1].split("</li>", 1)[0]
    assert "verdict--no" in html.split('data-testid="no-reason"', 1)[0][-80:]
    assert "R1.a" in verdict and "生鲜易腐" in verdict


def test_product_after_sales_section_in_english(demo_client: FlaskClient) -> None:
    phone = text_of(
        demo_client.get("/stores/m1001/products/PH-X1/after-sales?lang=en").get_data(as_text=True)
    )
    assert "No-reason return within 7 days of signing for it (R1)." in phone
    assert "防水等级 IP68" in phone  # the category's limits (R23)
    assert "Battery, Charger" in phone

    mask = text_of(
        demo_client.get("/stores/m1002/products/CO-MASK/after-sales?lang=en").get_data(as_text=True)
    )
    assert "while unopened; once opened it cannot be returned without a reason (R1.a)" in mask
    assert "The store lists no special limits for this category." in mask


def test_store_policy_links_each_product_of_the_store(demo_client: FlaskClient) -> None:
    html = demo_client.get("/stores/m1002/policy").get_data(as_text=True)
    links = re.findall(r'href="/stores/m1002/products/([^/"]+)/after-sales"', html)
    assert sorted(links) == ["CO-MASK", "FR-KIWI", "GB-TEA"]
    for sku in links:
        assert demo_client.get(f"/stores/m1002/products/{sku}/after-sales").status_code == 200


def test_the_rules_page_explains_every_rule_the_record_cites(client: FlaskClient) -> None:
    root = Path(__file__).resolve().parents[2]
    response = client.get("/rules?lang=en")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    shown = set(re.findall(r'class="rule-item" id="([^"]+)"', html))
    cited: set[str] = set()
    for path in (root / "domain").glob("*.py"):
        cited |= set(re.findall(r'rule="((?:R\d+(?:\.[a-z])?)|P\d)"', path.read_text()))
    for path in (root / "projections" / "timeline.py", root / "domain" / "deadlines.py"):
        cited |= set(re.findall(r'"((?:R\d+(?:\.[a-z])?)|P\d)"', path.read_text()))
    assert cited and cited <= shown, cited - shown
    assert {f"R{n}" for n in range(1, 26)} <= shown
    assert "Seven-day no-reason return" in html


def test_rule_ids_on_case_pages_link_to_the_rules_page(demo_app: Flask) -> None:
    client = demo_app.test_client()
    login_as(client, "shanhai", DEMO_PASSWORDS["merchant"])
    html = client.get("/merchant/cases/DEMO-C-0001").get_data(as_text=True)
    # R3 for the refund's approval: the rule its event says it applied (issue 7).
    assert 'href="/rules#R12"' in html and 'href="/rules#R3"' in html
