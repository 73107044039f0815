"""A no-reason return (R1) from application to approved refund, clicked through the real pages by
three people in headless chromium: the consumer applies and ships (R13), the merchant accepts
(R12), records the returned parcel delivered, confirms receipt (R3) and inspects with no fault
(R14), the platform agent approves the refund (R3, R3.a); then the consumer's case page shows
every step with its rule (R21), once in Chinese (the default) and once in English, chosen with
the language switch on the page.

Texts are compared with what the app's own catalogs say (``web/translations``): in Chinese each
step's label must really be Chinese, not the English message id.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest

from projections.labels import STEP_LABELS
from projections.timeline import timeline
from tests.web.browser.conftest import LiveServer, Texts, check_page, log_in
from web import get_db
from web.common import labels

pytestmark = pytest.mark.browser

#: zhangsan's phone from store m1001 (shanhai), signed for 5 days ago in the demo: the 7-day
#: no-reason window (R1) is open, and only a complaint (DEMO-C-0013) is on the order.
ORDER_NO = "DEMO-O-1010"
REFUND = "¥3,999.00"
CARRIER = "顺丰速运"
TRACKING_NO = "SF1400990077"
FINDINGS = "包装完好，配件齐全"

#: The steps the consumer's timeline shows for this flow, oldest first.
CONSUMER_STEPS = (
    "opened",
    "accepted",
    "return_shipped",
    "return_delivered",
    "receipt_confirmed",
    "inspected",
    "refund_approved",
)

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
RULE_ID = re.compile(r"^(?:P\d+|R\d+(?:\.[a-z])?)$")


def submit(page: Any, form_selector: str) -> None:
    """Press the submit button of the form and wait for the page it leads to."""
    with page.expect_navigation():
        page.locator(form_selector).locator("button[type=submit]").first.click()


def expect_status(page: Any, t: Texts, code: str, *, reload: bool = False) -> None:
    """The case page shows status ``code``; with ``reload``, reload it until it does (another
    person's move reaches the read models within the catch-up interval)."""
    deadline = time.monotonic() + 10
    while True:
        if reload:
            page.reload()
        shown = page.get_by_test_id("case-status").inner_text().strip()
        if shown == t.status(code) or not reload or time.monotonic() > deadline:
            break
        page.wait_for_timeout(200)
    assert shown == t.status(code), f"status {shown!r}, expected {code} ({t.status(code)!r})"


def flash_errors(page: Any) -> list[str]:
    return [text.strip() for text in page.locator(".flash--error").all_inner_texts()]


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_no_reason_return_from_application_to_approved_refund_through_the_pages(
    live_server: LiveServer, new_page: Callable[..., Any], lang: str
) -> None:
    server = live_server
    t = Texts(server, lang)
    problems: list[str] = []

    # -- the consumer applies for a no-reason return from the order page (R1, R16)
    consumer = new_page()
    log_in(consumer, server, "zhangsan", "consumer", lang)
    consumer.locator("nav.site-nav a[href$='/my/orders']").click()
    with consumer.expect_navigation():
        consumer.locator(f"a[href$='/my/orders/{ORDER_NO}']").first.click()
    line_answer = consumer.locator(".line .answer").first
    assert "answer--ok" in (line_answer.get_attribute("class") or ""), line_answer.inner_text()
    with consumer.expect_navigation():
        consumer.locator(f"a[href$='/my/orders/{ORDER_NO}/lines/1/open']").click()
    consumer.get_by_label(t("What would you like?")).select_option("return_refund")
    consumer.get_by_label(t("Reason"), exact=True).select_option("no_reason")
    consumer.get_by_label(t("Describe the problem")).fill("买重复了，包装未拆")
    submit(consumer, f"form[action$='/my/orders/{ORDER_NO}/lines/1/open']")
    with consumer.expect_navigation():  # issue 11 item 1: a review page, then confirm
        consumer.get_by_test_id("confirm-application").click()
    match = re.search(r"/my/cases/([^/?#]+)$", consumer.url)
    assert match, f"no case page after applying: {consumer.url}\n{consumer.content()[:3000]}"
    case_no = match.group(1)
    expect_status(consumer, t, "requested")

    # -- the merchant accepts it from the store's queue (R12)
    merchant = new_page()
    log_in(merchant, server, "shanhai", "merchant", lang)
    merchant.locator("nav.site-nav a[href$='/merchant/queue']").click()
    row = merchant.locator(f"tr[data-case='{case_no}']")
    with merchant.expect_navigation():
        row.locator(f"a[href$='/merchant/cases/{case_no}']").click()
    merchant.get_by_label(t("Message to the consumer (optional)")).fill("同意退货，请寄回")
    submit(merchant, f"form[action$='/merchant/cases/{case_no}/accept']")
    assert not flash_errors(merchant), flash_errors(merchant)
    expect_status(merchant, t, "awaiting_return")

    # -- the consumer ships the goods back with carrier and tracking number (R13)
    expect_status(consumer, t, "awaiting_return", reload=True)
    ship = consumer.locator("form[data-action='ship']")
    ship.get_by_label(t("Carrier"), exact=True).fill(CARRIER)
    ship.get_by_label(t("Tracking number")).fill(TRACKING_NO)
    submit(consumer, "form[data-action='ship']")
    assert not flash_errors(consumer), flash_errors(consumer)
    expect_status(consumer, t, "return_in_transit")

    # -- the merchant records the parcel delivered, confirms receipt (R3), inspects (R14)
    expect_status(merchant, t, "return_in_transit", reload=True)
    submit(merchant, f"form[action$='/merchant/cases/{case_no}/return-delivered']")
    assert not flash_errors(merchant), flash_errors(merchant)
    expect_status(merchant, t, "return_delivered")
    submit(merchant, f"form[action$='/merchant/cases/{case_no}/confirm-receipt']")
    assert not flash_errors(merchant), flash_errors(merchant)
    expect_status(merchant, t, "received")
    inspect = merchant.locator(f"form[action$='/merchant/cases/{case_no}/inspect']")
    inspect.get_by_label(t(labels.RESPONSIBILITY_LABELS["no_fault"])).check()
    inspect.get_by_label(t("Findings (required)")).fill(FINDINGS)
    submit(merchant, f"form[action$='/merchant/cases/{case_no}/inspect']")
    assert not flash_errors(merchant), flash_errors(merchant)
    expect_status(merchant, t, "awaiting_refund")

    # -- the platform agent approves the refund from the queue of refunds awaiting approval (R3)
    agent = new_page()
    log_in(agent, server, "agent", "platform_agent", lang)
    refund_queue = agent.get_by_test_id("refund-queue")
    with agent.expect_navigation():
        refund_queue.locator(f"a[href*='/agent/cases/{case_no}']").click()
    preview = agent.get_by_test_id("refund-preview")
    assert REFUND in preview.inner_text(), preview.inner_text()
    submit(agent, f"form[action$='/agent/cases/{case_no}/approve-refund']")
    assert not flash_errors(agent), flash_errors(agent)
    flashes = agent.locator(".flashes").all_inner_texts()
    assert agent.locator(".flash--success").count() == 1, flashes

    # -- the consumer's case page tells every step, with its rule (R21)
    expect_status(consumer, t, "refund_approved", reload=True)
    assert consumer.locator("html").get_attribute("lang") == {"zh_CN": "zh-CN", "en": "en"}[lang]
    with server.app.app_context():
        stored = {s.step: s for s in timeline(get_db(), case_no, include_internal=False)}
    expected_labels = {
        "opened": t.step("opened"),
        "accepted": t.step("accepted"),
        "return_shipped": t.step("return_shipped", carrier=CARRIER, tracking_no=TRACKING_NO),
        "return_delivered": t.step("return_delivered"),
        "receipt_confirmed": t.step("receipt_confirmed"),
        "inspected": t.step(
            "inspected", responsibility=t(labels.RESPONSIBILITY_LABELS["no_fault"])
        ),
        "refund_approved": t.step("refund_approved", total_fen=REFUND),
    }
    if lang == "en":  # the English wording, spelled out once so a changed catalog shows here
        assert expected_labels == {
            "opened": "Application submitted",
            "accepted": "Application accepted",
            "return_shipped": f"Goods shipped back with {CARRIER}, tracking number {TRACKING_NO}",
            "return_delivered": "Returned goods delivered to the merchant",
            "receipt_confirmed": "Merchant confirmed receipt of the returned goods",
            "inspected": "Inspected: no fault found",
            "refund_approved": f"Refund of {REFUND} approved",
        }
    shown_steps = consumer.locator("ol.timeline > li").evaluate_all(
        "items => items.map(li => li.dataset.step)"
    )
    visible = [code for code in shown_steps if code in CONSUMER_STEPS]
    if visible != list(CONSUMER_STEPS):
        problems.append(f"timeline steps {shown_steps}, expected {list(CONSUMER_STEPS)} in order")
    for code in CONSUMER_STEPS:
        item = consumer.locator(f"ol.timeline > li[data-step='{code}']")
        if item.count() != 1:
            problems.append(f"step {code}: shown {item.count()} times")
            continue
        label = item.locator(".timeline__label").inner_text().strip()
        if label != expected_labels[code]:
            problems.append(f"step {code}: label {label!r}, expected {expected_labels[code]!r}")
        if lang == "zh_CN":
            template = t(STEP_LABELS[code])
            if not CJK.search(re.sub(r"\{[^}]*\}", "", template)):
                problems.append(
                    f"step {code}: {STEP_LABELS[code]!r} has no Chinese translation in "
                    f"web/translations/zh_CN (the page says {label!r})"
                )
        # issue 11 item 5: a consumer reads a link to the rule, its id only in the address
        link = item.locator("a.rule")
        rule = (link.get_attribute("href") or "").rsplit("#", 1)[-1]
        if link.inner_text().strip() != t("the rule") or not RULE_ID.match(rule):
            problems.append(f"step {code}: rule link {link.inner_text()!r} to {rule!r}")
        elif stored[code].rule.split(".")[0] != rule.split(".")[0]:
            problems.append(f"step {code}: rule {rule!r}, stored {stored[code].rule!r}")
    meta = consumer.locator("ol.timeline").inner_text()
    for fact in (CARRIER, TRACKING_NO, REFUND):
        if fact not in meta:
            problems.append(f"the timeline does not show {fact}")
    if lang == "zh_CN" and not CJK.search(consumer.locator("ol.timeline").inner_text()):
        problems.append("the timeline has no Chinese text at all")
    for code, rule in (("opened", "R1"), ("accepted", "R12"), ("return_shipped", "R13")):
        if code in stored and stored[code].rule != rule:
            problems.append(f"step {code} cites {stored[code].rule}, expected {rule}")
    for page in (consumer, merchant, agent):
        problems.extend(page.problems.all())
    assert not problems, f"{lang}: " + "\n".join(problems)
    check_page(consumer)
