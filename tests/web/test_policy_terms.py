"""The policy's process terms published and shown (issue 7, R19): the ten process deadlines, the
per-kind first-response table (R12.a), listed parts with their own warranty (R5) and exclusions only
from the platform's list (R1.a, R1.b), in the merchant's form, the API and the public store page,
in both languages. Bounds come from ``domain.terms.TERM_BOUNDS``."""

# ruff: noqa: F811 - the fixtures imported from test_api and test_merchant
from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from domain.terms import PLATFORM_FIRST_RESPONSE_HOURS, PLATFORM_FLOOR, TERM_BOUNDS
from domain.values import CaseKind
from projections.policies import current_policy, policy_history
from tests.web.test_api import MERCHANT_ID, World, world  # noqa: F401 - the fixture
from tests.web.test_merchant import (  # noqa: F401 - the fixtures
    PROCESS_TERMS,
    STORE,
    Shop,
    follow,
    policy_form,
    post,
    shop,
    staff,
)
from web import get_db
from web.pages.merchant.policy_form import AT_LEAST, AT_MOST, INT_FIELDS


def test_the_form_offers_every_bounded_term_with_the_domains_bounds() -> None:
    assert set(TERM_BOUNDS) <= set(INT_FIELDS)
    assert set(PROCESS_TERMS) <= set(INT_FIELDS)
    for name, (bound, rule) in TERM_BOUNDS.items():
        assert (AT_LEAST if bound == "at_least" else AT_MOST)[name] == rule


def test_the_form_shows_the_process_terms_parts_and_kind_rows(
    shop: Shop, staff: FlaskClient
) -> None:
    shop.catch_up()
    html = staff.get("/merchant/policy").get_data(as_text=True)
    for name in PROCESS_TERMS:
        value = getattr(PLATFORM_FLOOR, name)
        assert re.search(rf'name="{name}" type="number"[^>]*value="{value}"', html), name
    assert "Platform limit: at most 48 (R14)." in html  # inspection_hours
    assert "Platform floor: at least 15 (R9)." in html  # post_close_days
    for kind in CaseKind:
        assert f'name="first_response_{kind.value}"' in html
    assert "Platform limit: at most 48 (R5.a)." in html
    assert 'name="part_name"' in html and 'data-testid="parts-rows"' in html


def test_exclusions_offer_only_the_platforms_categories(shop: Shop, staff: FlaskClient) -> None:
    shop.catch_up()
    html = staff.get("/merchant/policy").get_data(as_text=True)
    select = re.search(r'<select name="exclusion_category".*?</select>', html, re.S)
    assert select is not None
    offered = re.findall(r'<option value="([^"]+)"', select.group(0))
    assert "fruit" in offered and "cosmetics" in offered and "underwear" in offered
    assert "phone" not in offered  # phones are not on the platform's list (R1.a, R19)
    # each option carries the kinds allowed for it; policy.js offers only those
    assert re.search(r'<option value="fruit" data-kinds="fresh"', select.group(0))
    assert re.search(r'value="personal_care" data-kinds="consumable hygiene"', select.group(0))
    assert "/static/policy.js" in html


def test_publishing_process_terms_kind_rows_and_parts(shop: Shop, staff: FlaskClient) -> None:
    shop.catch_up()
    form = policy_form(
        inspection_hours="24",
        post_close_days="30",
        first_response_repair="12",
        first_response_exchange="6",
        part_name=["battery", "screen", ""],
        part_months=["6", "4", ""],
        part_category=["phone", "", ""],
    )
    html = follow(staff, post(staff, "/merchant/policy", **form))
    assert "In force now: version 2" in html
    with shop.app.app_context():
        current = current_policy(get_db(), STORE)
    assert current is not None
    terms = current.terms
    assert (terms.inspection_hours, terms.post_close_days) == (24, 30)
    assert terms.first_response_hours_for(CaseKind.REPAIR) == 12
    assert terms.first_response_hours_for(CaseKind.EXCHANGE) == 6
    assert terms.first_response_hours_for(CaseKind.RETURN_REFUND) == 24  # left empty
    assert terms.parts_for("phone") == (("battery", 6), ("screen", 4))
    assert terms.parts_for("fruit") == (("screen", 4), ("battery", 3))  # the older list, too
    again = staff.get("/merchant/policy").get_data(as_text=True)  # prefilled with them
    assert re.search(r'name="first_response_repair"[^>]*value="12"', again)
    assert re.search(r'name="part_name" value="battery"', again)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"inspection_hours": "72"}, "inspection_hours", "(R14, R19)"),
        ({"dispute_days": "3"}, "dispute_days", "(R10, R19)"),
        ({"first_response_repair": "72"}, "first_response_by_kind", "(R5.a, R19)"),
        ({"first_response_complaint": "x"}, "first_response_by_kind", "whole number"),
        (
            {"part_name": ["battery"], "part_months": ["1"], "part_category": [""]},
            "parts",
            "at least 3 (R5, R19)",
        ),
        (
            {"part_name": ["battery"], "part_months": ["6"], "part_category": ["tv"]},
            "parts",
            "(R5)",
        ),
        (
            {
                "categories": "phone\nfruit",
                "exclusion_category": ["phone"],
                "exclusion_kind": ["fresh"],
                "exclusion_reason": ["不退"],
            },
            "exclusions",
            "not on the platform's list",
        ),
        (
            {
                "categories": "phone\nfruit",
                "exclusion_category": ["fruit"],
                "exclusion_kind": ["hygiene"],
                "exclusion_reason": ["不退"],
            },
            "exclusions",
            "may be excluded only as: Fresh or perishable goods (R1.a, R19)",
        ),
    ],
)
def test_a_refused_term_is_named_next_to_its_input(
    shop: Shop, staff: FlaskClient, changes: dict[str, object], field: str, words: str
) -> None:
    shop.catch_up()
    response = post(staff, "/merchant/policy", **policy_form(**changes))
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 400
    error = re.search(rf'data-field-error="{field}">([^<]*)<', html)
    assert error is not None, html[-3000:]
    assert words in error.group(1)
    with shop.app.app_context():
        assert [v.number for v in policy_history(get_db(), STORE)] == [1]


def test_the_form_in_chinese(shop: Shop, staff: FlaskClient) -> None:
    shop.catch_up()
    staff.get("/merchant/policy?lang=zh_CN")
    response = post(staff, "/merchant/policy", **policy_form(first_response_repair="72"))
    html = response.get_data(as_text=True)
    assert "退回商品的检验时限（小时）" in html
    assert "按售后类型的首次响应时限（小时）" in html
    assert "不得超过 48 小时（R5.a、R19）" in html


# --- the public store page ---------------------------------------------------------------------


def test_the_store_page_states_every_process_term_in_both_languages(
    shop: Shop, staff: FlaskClient
) -> None:
    form = policy_form(
        ship_back_hours="24",
        first_response_repair="12",
        part_name=["battery"],
        part_months=["6"],
        part_category=["phone"],
    )
    follow(staff, post(staff, "/merchant/policy", **form))
    shop.catch_up()
    client = shop.app.test_client()
    en = client.get(f"/stores/{STORE}/policy?lang=en").get_data(as_text=True)
    assert "Goods the store sends back to you are shipped within 24 hours (R14)." in en
    assert "The store inspects returned goods within 48 hours" in en
    assert "after a case closes you can still complain" in en.lower()
    assert "Battery of Mobile phones: 6 months from delivery (R5)." in en  # names, not codes
    table = re.search(r'data-testid="first-response">.*?</table>', en, re.S)
    assert table is not None and "12 hours (R5.a)" in table.group(0)
    assert "24 hours (R12.a)" in table.group(0) and "24 hours (R9.a)" in table.group(0)
    zh = client.get(f"/stores/{STORE}/policy?lang=zh_CN").get_data(as_text=True)
    assert "商家寄回给您的商品在 24 小时内发出（R14）。" in zh
    assert "手机的电池：自签收起 6 个月（R5）。" in zh
    assert "12 小时（R5.a）" in zh


# --- the API -----------------------------------------------------------------------------------


def _publish(world: World, terms: dict[str, object], request_id: str = "p2") -> object:
    return world.post(
        "merchant",
        f"/api/v1/policies/{MERCHANT_ID}",
        {"request_id": request_id, "terms": {"categories": ["phone", "fresh"], **terms}},
    )


def test_the_api_publishes_and_reads_the_new_terms(world: World) -> None:
    response = _publish(
        world,
        {
            "repair_days": 5,
            "confirm_goods_days": 14,
            "first_response_by_kind": [{"kind": "repair", "hours": 12}],
            "parts": [{"name": "battery", "months": 6, "category": "phone"}],
            "exclusions": [{"category": "fresh", "kind": "fresh", "reason": "生鲜易腐"}],
        },
    )
    assert response.status_code == 201, response.json  # type: ignore[attr-defined]
    world.settle()
    terms = world.get("consumer", f"/api/v1/policies/{MERCHANT_ID}").json["terms"]  # type: ignore[index]
    assert (terms["repair_days"], terms["confirm_goods_days"]) == (5, 14)
    assert terms["inspection_hours"] == PLATFORM_FLOOR.inspection_hours
    assert terms["first_response_by_kind"] == [{"kind": "repair", "hours": 12}]
    assert terms["parts"] == [{"name": "battery", "months": 6, "category": "phone"}]


@pytest.mark.parametrize(
    ("terms", "where"),
    [
        ({"exclusions": [{"category": "phone", "kind": "fresh", "reason": "x"}]}, "category"),
        ({"exclusions": [{"category": "fresh", "kind": "digital", "reason": "x"}]}, "kind"),
        ({"parts": [{"name": "battery", "months": 1}]}, "months"),
        ({"first_response_by_kind": [{"kind": "lunch", "hours": 1}]}, "kind"),
    ],
)
def test_the_api_refuses_a_bad_row_naming_its_field(
    world: World, terms: dict[str, object], where: str
) -> None:
    response = _publish(world, terms)
    assert response.status_code == 400
    body = response.json  # type: ignore[attr-defined]
    assert body["error"] == "invalid"
    (rows,) = body["fields"]["terms"].values()
    assert where in rows["0"], body


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"inspection_hours": 49}, "inspection_hours"),
        ({"post_close_days": 14}, "post_close_days"),
        ({"first_response_by_kind": [{"kind": "repair", "hours": 49}]}, "first_response_by_kind"),
    ],
)
def test_the_api_refuses_a_term_beyond_its_platform_bound(
    world: World, terms: dict[str, object], field: str
) -> None:
    response = _publish(world, terms)
    assert response.status_code == 400
    body = response.json  # type: ignore[attr-defined]
    assert (body["rule"], body["field"]) == ("R19", field)
    assert PLATFORM_FIRST_RESPONSE_HOURS[CaseKind.REPAIR] == 48
