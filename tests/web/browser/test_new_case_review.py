"""The new-case form (issue 11 item 1): it cannot be sent without a reason the consumer chose (the
browser refuses, and so does the server), and its review step shows the amounts, the shipping
payers and the deadlines that the filed case then records (R2, R3.a, R12, R12.a).

zhangsan applies for a quality return (R1.c) of the phone on DEMO-O-1010, the line still free of
refund-bearing cases; the case page's own answer (``domain.assistant_cases.about_case``) and the
stored case are compared with what the review showed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from domain.values import Actor, Role
from tests.web.browser.conftest import LiveServer, Texts, check_page, log_in
from web.common.formats import money

pytestmark = pytest.mark.browser

ORDER_NO = "DEMO-O-1010"
FORM = f"/my/orders/{ORDER_NO}/lines/1/open"


def _text(page: Any, testid: str) -> str:
    value = page.get_by_test_id(testid).locator(".review-list__value")
    return " ".join(value.inner_text().split())


def test_no_reason_no_application_and_the_review_equals_the_case(
    live_server: LiveServer, new_page: Callable[..., Any]
) -> None:
    t = Texts(live_server, "zh_CN")
    page = new_page()
    log_in(page, live_server, "zhangsan", "consumer")
    page.goto(live_server.path(FORM))
    reason = page.get_by_label(t("Reason"), exact=True)
    assert reason.input_value() == "", "the form chose a reason for the consumer"
    assert reason.evaluate("el => el.required")

    # untouched: the browser keeps the form (the reason is required), nothing is posted
    page.get_by_test_id("review-application").click()
    page.wait_for_timeout(300)
    assert page.url.endswith(FORM)
    assert reason.evaluate("el => !el.validity.valid")
    # the kind changed: the script never picks a reason either
    page.get_by_label(t("What would you like?")).select_option("exchange")
    page.get_by_label(t("What would you like?")).select_option("return_refund")
    assert reason.input_value() == ""

    # without the browser's check, the server refuses too, naming the field
    reason.evaluate("el => el.required = false")
    with page.expect_navigation():
        page.get_by_test_id("review-application").click()
    assert page.locator("#reason-error").is_visible()
    assert page.get_by_test_id("confirm-application").count() == 0
    expected = [e for e in page.problems.console_errors if "400 (BAD REQUEST)" in e]
    assert len(expected) == 1, page.problems.console_errors
    page.problems.console_errors.remove(expected[0])  # that 400 was the point

    # a chosen reason: the review page, nothing filed yet
    with live_server.app.app_context():
        from web.services import get_service

        before = list(get_service().get_order(ORDER_NO).cases)
    page.get_by_label(t("Reason"), exact=True).select_option("quality_defect")
    page.get_by_label(t("Describe the problem")).fill("屏幕有一条竖线")
    with page.expect_navigation():
        page.get_by_test_id("review-application").click()
    assert page.get_by_test_id("confirm-application").is_visible()
    with live_server.app.app_context():
        assert list(get_service().get_order(ORDER_NO).cases) == before, "filed before confirming"
    cap = _text(page, "back-cap")
    goods = _text(page, "back-goods")
    pays_return = _text(page, "pays-return")
    pays_outbound = _text(page, "pays-outbound")
    clocks = {
        name: int(re.search(r"(\d+)", _text(page, f"clock-{name}")).group(1))  # type: ignore[union-attr]
        for name in ("merchant_decision", "first_response")
        if page.get_by_test_id(f"clock-{name}").count()
    }
    assert clocks, "the review shows no deadline"
    page.screenshot(path=str(_shots() / "consumer-review-390.png"), full_page=True)

    with page.expect_navigation():
        page.get_by_test_id("confirm-application").click()
    match = re.search(r"/my/cases/([^/?#]+)$", page.url)
    assert match, page.url
    case_no = match.group(1)

    with live_server.app.app_context(), live_server.app.test_request_context("/"):
        from domain.assistant_queries import ask_about_case

        service = get_service()
        case = service.get_case(case_no)
        consumer = Actor(Role.CONSUMER, case.consumer_id)
        answer = ask_about_case(service, actor=consumer, case_no=case_no)
        assert answer.money is not None and answer.shipping is not None
        assert cap == money(answer.money.cap_fen)
        assert goods == money(answer.money.goods_fen)
        party = {"consumer": t("you"), "merchant": t("the merchant")}
        assert pays_return == party[answer.shipping.return_leg.value]
        assert pays_outbound == party[answer.shipping.outbound_leg.value]
        recorded = {
            str(getattr(d.name, "value", d.name)): (d.due_at - case.opened_at).total_seconds()
            for d in case.deadlines.values()
        }
        for name, hours in clocks.items():
            assert recorded[name] == hours * 3600, (name, hours, recorded)
        assert set(clocks) == {n for n in recorded if n in ("merchant_decision", "first_response")}
    check_page(page)


def _shots() -> Any:
    from tests.web.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
