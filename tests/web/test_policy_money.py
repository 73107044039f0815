"""The policy's money terms in the merchant's form and the API (issue 8): the most one shipping
leg is paid back without a receipt (R2) and the deductions a refund may carry (R3.a). The band
is the domain's (``domain.money_terms``, R19); a refusal names the field and the limit, and
nothing is published."""

# ruff: noqa: F811 - the fixtures imported from test_api and test_merchant
from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from domain.money_terms import UNPROVEN_LEG_FEE_CEILING_FEN, UNPROVEN_LEG_FEE_FLOOR_FEN
from projections.policies import current_policy, policy_history
from tests.web.test_api import World, world  # noqa: F401 - the fixture
from tests.web.test_merchant import (  # noqa: F401 - the fixtures
    STORE,
    Shop,
    follow,
    policy_form,
    post,
    shop,
    staff,
)
from tests.web.test_policy_terms import _publish
from web import get_db


def test_the_form_shows_and_publishes_the_money_terms(shop: Shop, staff: FlaskClient) -> None:
    shop.catch_up()
    html = staff.get("/merchant/policy?lang=en").get_data(as_text=True)
    assert re.search(r'name="unproven_leg_fee"[^>]*value="12.00"', html)  # the default
    assert re.search(r'name="deduction_kinds" value="user_damage" checked', html)
    assert "Platform band: from ¥12.00 to ¥20.00 (R2, R19)" in html
    form = policy_form(unproven_leg_fee="15.50", deduction_kinds_shown="1")  # none checked
    html = follow(staff, post(staff, "/merchant/policy", **form))
    assert "In force now: version 2" in html
    with shop.app.app_context():
        current = current_policy(get_db(), STORE)
    assert current is not None
    assert (current.terms.unproven_leg_fee_fen, current.terms.deduction_kinds) == (1550, ())
    again = staff.get("/merchant/policy?lang=en").get_data(as_text=True)
    assert re.search(r'name="unproven_leg_fee"[^>]*value="15.50"', again)
    assert not re.search(r'name="deduction_kinds" value="user_damage" checked', again)


def test_a_form_without_the_money_inputs_keeps_the_defaults(shop: Shop, staff: FlaskClient) -> None:
    shop.catch_up()
    follow(staff, post(staff, "/merchant/policy", **policy_form()))
    with shop.app.app_context():
        current = current_policy(get_db(), STORE)
    assert current is not None and current.number == 2
    assert current.terms.unproven_leg_fee_fen == UNPROVEN_LEG_FEE_FLOOR_FEN
    assert current.terms.deduction_kinds == ("user_damage",)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"unproven_leg_fee": "11.99"}, "unproven_leg_fee", "at least ¥12.00 (R2, R19)"),
        ({"unproven_leg_fee": "20.01"}, "unproven_leg_fee", "at most ¥20.00 (R2)"),
        ({"unproven_leg_fee": "abc"}, "unproven_leg_fee", "enter an amount in yuan"),
        (
            {"deduction_kinds_shown": "1", "deduction_kinds": ["arbitration_ruling"]},
            "deduction_kinds",
            "recorded by the platform",
        ),
        (
            {"deduction_kinds_shown": "1", "deduction_kinds": ["wear"]},
            "deduction_kinds",
            "not a deduction the platform allows",
        ),
    ],
)
def test_a_money_term_beyond_the_platforms_band_is_named_next_to_its_input(
    shop: Shop, staff: FlaskClient, changes: dict[str, object], field: str, words: str
) -> None:
    shop.catch_up()
    response = post(staff, "/merchant/policy?lang=en", **policy_form(**changes))
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 400
    error = re.search(rf'data-field-error="{field}">([^<]*)<', html)
    assert error is not None, html[-3000:]
    assert words in error.group(1)
    with shop.app.app_context():
        assert [v.number for v in policy_history(get_db(), STORE)] == [1]


def test_the_refusal_in_chinese(shop: Shop, staff: FlaskClient) -> None:
    shop.catch_up()
    staff.get("/merchant/policy?lang=zh_CN")
    response = post(staff, "/merchant/policy", **policy_form(unproven_leg_fee="5"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "无凭证时每段运费最多退还（元）：不得低于 ¥12.00（R2、R19）" in html


def test_the_api_publishes_the_money_terms(world: World) -> None:
    response = _publish(world, {"unproven_leg_fee_fen": 1800, "deduction_kinds": []})
    assert response.status_code == 201, response.json  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("terms", "field", "rule", "limit"),
    [
        (
            {"unproven_leg_fee_fen": UNPROVEN_LEG_FEE_FLOOR_FEN - 1},
            "unproven_leg_fee_fen",
            "R19",
            f"floor of {UNPROVEN_LEG_FEE_FLOOR_FEN} fen",
        ),
        (
            {"unproven_leg_fee_fen": UNPROVEN_LEG_FEE_CEILING_FEN + 1},
            "unproven_leg_fee_fen",
            "R2",
            f"ceiling of {UNPROVEN_LEG_FEE_CEILING_FEN} fen",
        ),
        ({"deduction_kinds": ["wear"]}, "deduction_kinds", "R3.a", "one of user_damage"),
    ],
)
def test_the_api_refuses_a_money_term_naming_the_field_and_the_limit(
    world: World, terms: dict[str, object], field: str, rule: str, limit: str
) -> None:
    response = _publish(world, terms)
    assert response.status_code == 400
    body = response.json  # type: ignore[attr-defined]
    assert (body["rule"], body["field"]) == (rule, field), body
    assert limit in body["message"], body


def test_the_api_refuses_a_malformed_money_term(world: World) -> None:
    response = _publish(world, {"unproven_leg_fee_fen": "12"})
    assert response.status_code == 400
    assert "unproven_leg_fee_fen" in response.json["fields"]["terms"]  # type: ignore[index]
