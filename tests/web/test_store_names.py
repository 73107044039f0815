"""R11: a store is shown by the name it publishes with its policy, wherever it appears; a store
that published none is shown by its id. Publishing a name longer than 60 characters is refused."""

from __future__ import annotations

import pytest
from flask import Flask

from domain.errors import InvalidInput
from domain.terms import PolicyTerms, check_terms
from tests.web.conftest import DEMO_PASSWORDS, login_as


def test_public_pages_and_queues_show_the_published_name(demo_app: Flask) -> None:
    public = demo_app.test_client().get("/stores/m1001/policy").get_data(as_text=True)
    assert "山海数码旗舰店" in public

    merchant = demo_app.test_client()
    login_as(merchant, "shanhai", DEMO_PASSWORDS["merchant"])
    assert "山海数码旗舰店" in merchant.get("/merchant/queue").get_data(as_text=True)

    agent = demo_app.test_client()
    login_as(agent, "agent", DEMO_PASSWORDS["platform_agent"])
    home = agent.get("/agent/").get_data(as_text=True)
    assert "山海数码旗舰店" in home or "鲜果时光生鲜店" in home
    assert "<code>m1001</code>" not in home and "<code>m1002</code>" not in home

    consumer = demo_app.test_client()
    login_as(consumer, "zhangsan", DEMO_PASSWORDS["consumer"])
    case = consumer.get("/my/cases/DEMO-C-0002").get_data(as_text=True)
    assert "山海数码旗舰店" in case


def test_a_store_without_a_published_name_is_shown_by_its_id(demo_app: Flask) -> None:
    with demo_app.test_request_context():
        from web.common.stores import store_name

        assert store_name("m1001") == "山海数码旗舰店"
        assert store_name("m9999") == "m9999"


def test_a_store_name_over_60_characters_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        check_terms(PolicyTerms(categories=("x",), store_name="店" * 61))
    assert refused.value.field == "store_name"
