"""P4: internal steps are shown only to those who may read them. Consumers see none; merchant staff
see their own store's internal notes but never the platform's notes or its R20 routing; platform
agents, arbitrators and finance see all. Pages and the API agree."""

from __future__ import annotations

import json
import uuid

from flask import Flask
from flask.testing import FlaskClient

from domain.values import Actor, Role
from projections.registry import make_runner
from tests.web.conftest import DEMO_PASSWORDS, csrf_token_for, login_as
from web import get_db
from web.services import get_service

PLATFORM_NOTE = "商家客服近30天响应超时3次"  # the agent's internal note on DEMO-C-0007
STORE_NOTE = "内部：该顾客上次退货包装完好"


def client_for(app: Flask, username: str, role: str) -> FlaskClient:
    client = app.test_client()
    response = login_as(client, username, DEMO_PASSWORDS[role])
    assert response.status_code in (302, 303)
    return client


def add_store_note(app: Flask) -> None:
    with app.test_request_context():
        get_service().add_note(
            request_id=str(uuid.uuid4()),
            actor=Actor(Role.MERCHANT, "s3002", merchant_id="m1002"),
            case_no="DEMO-C-0007",
            text=STORE_NOTE,
            internal=True,
        )
    with app.app_context():  # the worker's job, done here at once (never inside a request)
        make_runner(get_service(), get_db()).catch_up()


def test_merchant_sees_its_own_internal_note_but_not_the_platforms(demo_app: Flask) -> None:
    add_store_note(demo_app)
    merchant = client_for(demo_app, "xianguo", "merchant")
    html = merchant.get("/merchant/cases/DEMO-C-0007").get_data(as_text=True)
    assert STORE_NOTE in html
    assert PLATFORM_NOTE not in html


def test_agent_sees_every_internal_step(demo_app: Flask) -> None:
    add_store_note(demo_app)
    agent = client_for(demo_app, "agent", "platform_agent")
    html = agent.get("/agent/cases/DEMO-C-0007").get_data(as_text=True)
    assert STORE_NOTE in html and PLATFORM_NOTE in html


def test_consumer_sees_no_internal_step(demo_app: Flask) -> None:
    add_store_note(demo_app)
    consumer = client_for(demo_app, "wangwu", "consumer")
    html = consumer.get("/my/cases/DEMO-C-0007").get_data(as_text=True)
    assert "DEMO-C-0007" in html
    assert STORE_NOTE not in html and PLATFORM_NOTE not in html


def test_the_api_applies_the_same_rule(demo_app: Flask) -> None:
    add_store_note(demo_app)
    for username, role, sees_store, sees_platform in (
        ("wangwu", "consumer", False, False),
        ("xianguo", "merchant", True, False),
        ("agent", "platform_agent", True, True),
    ):
        client = client_for(demo_app, username, role)
        response = client.get(
            "/api/v1/cases/DEMO-C-0007", headers={"X-CSRF-Token": csrf_token_for(client)}
        )
        assert response.status_code == 200, (username, response.status_code)
        body = json.dumps(response.get_json(), ensure_ascii=False)
        assert (STORE_NOTE in body) is sees_store, username
        assert (PLATFORM_NOTE in body) is sees_platform, username
