"""R3.a, R21 (issue 8): the consumer's timeline shows a refund's basis: each item of the
entitlement, each deduction with its rule and evidence, and the result."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.web.conftest import login_as


def test_the_consumer_sees_the_entitlement_and_the_result(demo_client: FlaskClient) -> None:
    assert login_as(demo_client, "zhangsan", "demo-consumer").status_code == 302
    html = demo_client.get("/my/cases/DEMO-C-0001?lang=en").get_data(as_text=True)
    assert "Entitlement: paid for the goods, line 2" in html
    assert "Entitlement (R3.a)" in html
    assert "Refund after deductions" in html
    zh = demo_client.get("/my/cases/DEMO-C-0001?lang=zh_CN").get_data(as_text=True)
    assert "应退金额（R3.a）" in zh
