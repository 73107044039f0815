"""R3.a, R21 (issue 8): the consumer's timeline shows a refund's basis: each item of the
entitlement, each deduction with its rule and evidence, and the result."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.web.conftest import login_as, rule_link


def test_the_consumer_sees_the_entitlement_and_the_result(demo_client: FlaskClient) -> None:
    assert login_as(demo_client, "zhangsan", "demo-consumer").status_code == 302
    html = demo_client.get("/my/cases/DEMO-C-0001?lang=en").get_data(as_text=True)
    assert "Entitlement: paid for the goods, line 2" in html
    assert "Entitlement" + rule_link("R3.a", lang="en") in html
    assert "Refund after deductions" in html
    zh = demo_client.get("/my/cases/DEMO-C-0001?lang=zh_CN").get_data(as_text=True)
    assert "应退金额" + rule_link("R3.a") in zh


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


def test_finance_sees_receivables_aged_and_records_a_repair_fee_paid(
    demo_client: FlaskClient,
) -> None:
    """R6 (issue 8): the demo's accepted repair fee (DEMO-C-0006) and the free repair's capped
    send-in leg (DEMO-C-0005, R6/R2) are open receivables; the exchange's leg (DEMO-C-0004, R8)
    was paid back. Finance records the fee paid; the ledger and the page follow."""
    assert login_as(demo_client, "finance", "demo-finance").status_code == 302
    html = demo_client.get("/finance/receivables?lang=en").get_data(as_text=True)
    open_rows = html.split('data-testid="open-receivables"')[1].split("</table>")[0]
    assert "DEMO-C-0006" in open_rows and "¥88.00" in open_rows
    assert "DEMO-C-0005" in open_rows and "¥12.00" in open_rows
    assert "DEMO-C-0004" not in open_rows
    settled = html.split('data-testid="settled-receivables"')[1].split("</table>")[0]
    assert "DEMO-C-0004" in settled and "WX-SHIP-0004" in settled
    token = html.split('name="csrf_token" value="')[1].split('"')[0]
    response = demo_client.post(
        "/finance/receivables/DEMO-C-0006/repair_fee/paid",
        data={"csrf_token": token, "request_id": "t-fee", "tender": "coupon", "psp_reference": "X"},
    )
    assert response.status_code in (302, 303)
    html = demo_client.get("/finance/receivables?lang=en").get_data(as_text=True)
    assert "Shipping and repair fees are paid as money" in html  # refused, named
    response = demo_client.post(
        "/finance/receivables/DEMO-C-0006/repair_fee/paid",
        data={
            "csrf_token": token,
            "request_id": "t-fee2",
            "tender": "wallet",
            "psp_reference": "WX-FEE-6",
        },
    )
    assert response.status_code in (302, 303)
    html = demo_client.get("/finance/receivables?lang=en").get_data(as_text=True)
    open_rows = html.split('data-testid="open-receivables"')[1].split("</table>")[0]
    assert "DEMO-C-0006" not in open_rows
    assert "WX-FEE-6" in html.split('data-testid="settled-receivables"')[1]
    zh = demo_client.get("/finance/receivables?lang=zh_CN").get_data(as_text=True)
    assert "未结清款项账龄" in zh


def test_the_public_policy_states_the_money_terms(demo_client: FlaskClient) -> None:
    """R11, R2, R3.a (issue 8): the published policy says how much a leg is paid back without a
    receipt and which deductions a refund may carry."""
    html = demo_client.get("/stores/m1001/policy?lang=en").get_data(as_text=True)
    fee = html.split('data-testid="unproven-fee"')[1].split("</p>")[0]
    assert "¥12.00" in fee and "(R2)" in fee
    deductions = html.split('data-testid="deductions"')[1].split("</p>")[0]
    assert "damage you caused" in deductions
    zh = demo_client.get("/stores/m1001/policy?lang=zh_CN").get_data(as_text=True)
    assert "无凭证时最多退还 ¥12.00" in zh
