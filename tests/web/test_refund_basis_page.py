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


def test_the_monitoring_page_defines_each_rate_next_to_it(demo_client: FlaskClient) -> None:
    """R15 (issue 8): the after-sales rate is cases per delivered order, the refund rate orders
    refunded per delivered order; the definition is shown beside each figure."""
    assert login_as(demo_client, "agent", "demo-agent").status_code == 302
    html = demo_client.get("/agent/monitoring?lang=en").get_data(as_text=True)
    head = html.split('data-testid="def-after-sales"')[1].split("</th>")[0]
    assert "cases opened ÷ orders delivered (R15)" in head
    head = html.split('data-testid="def-refund"')[1].split("</th>")[0]
    assert "orders with a refund paid ÷ orders delivered (R15)" in head
    assert "Delivered orders" in html and "Delivered lines" not in html
