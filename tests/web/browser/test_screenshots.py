"""Full-page screenshots of four pages with the demo data, in Chinese (the default language), saved
to ``tests/web/browser/screenshots/`` for people to look at: the consumer's timeline of a case with
many steps (R21), the merchant's work queue (R12, R17), the arbitrator's replay of a case at a
middle version (R10, R21) and finance's ledger journal (R3, R14).

Each page must declare UTF-8, be marked ``zh-CN``, carry Chinese text, and give a screenshot of
real size (a blank or unstyled page is far smaller).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.web.browser.conftest import LiveServer, check_page, log_in

pytestmark = pytest.mark.browser

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
MIN_PNG_BYTES = 40_000

#: How many of the characters draw differently in the page's body font: with no CJK font they all
#: come out as the same empty box ("tofu").
DISTINCT_GLYPHS = """chars => {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 48;
  const ctx = canvas.getContext("2d");
  ctx.font = "40px " + getComputedStyle(document.body).fontFamily;
  const drawn = chars.map(ch => {
    ctx.clearRect(0, 0, 48, 48);
    ctx.fillText(ch, 2, 40);
    const data = ctx.getImageData(0, 0, 48, 48).data;
    return data.some(v => v !== 0) ? data.join(",") : "";
  });
  return new Set(drawn.filter(d => d)).size;
}"""


def open_consumer_timeline(page: Any, server: LiveServer) -> str:
    log_in(page, server, "zhangsan", "consumer")
    page.locator("nav.site-nav a[href$='/my/cases']").click()
    with page.expect_navigation():
        page.locator("a[href$='/my/cases/DEMO-C-0002']").first.click()
    steps = page.locator("ol.timeline > li").count()
    assert steps >= 8, f"DEMO-C-0002 shows {steps} steps"
    return "the timeline of DEMO-C-0002 with every step"


def open_merchant_queue(page: Any, server: LiveServer) -> str:
    log_in(page, server, "shanhai", "merchant")
    page.locator("nav.site-nav a[href$='/merchant/queue']").click()
    page.wait_for_load_state()
    rows = page.locator("table.queue tr[data-case]").count()
    assert rows >= 1, "the queue of store m1001 is empty"
    return f"store m1001's queue with {rows} case(s)"


def open_arbitrator_replay(page: Any, server: LiveServer) -> str:
    log_in(page, server, "arbiter", "arbitrator")
    with page.expect_navigation():
        page.locator("a[href$='/arbitration/cases/DEMO-C-0008']").first.click()
    versions = page.locator("li.steps__item[data-version]").evaluate_all(
        "items => items.map(li => Number(li.dataset.version))"
    )
    assert len(versions) >= 6, f"DEMO-C-0008 replays {versions}"
    middle = versions[len(versions) // 2]
    with page.expect_navigation():
        page.locator(f"li.steps__item[data-version='{middle}'] a").click()
    shown = page.get_by_test_id("as-of-version").inner_text().strip()
    assert shown == str(middle), f"replay shows version {shown}, asked for {middle}"
    assert page.locator("[data-testid=chain-status][data-chain=broken]").count() == 0
    return f"DEMO-C-0008 replayed at version {middle} of {max(versions)}"


def open_finance_journal(page: Any, server: LiveServer) -> str:
    log_in(page, server, "finance", "finance")
    page.locator("nav.site-nav a[href$='/finance/journal']").click()
    page.wait_for_load_state()
    money = page.locator("table .money, table td:has-text('¥')").count()
    assert money >= 2, "the journal shows no amounts"
    return "the ledger journal"


@dataclass(frozen=True)
class Shot:
    name: str
    open: Callable[[Any, LiveServer], str]


SHOTS = (
    Shot("consumer-timeline-DEMO-C-0002", open_consumer_timeline),
    Shot("merchant-queue-m1001", open_merchant_queue),
    Shot("arbitrator-replay-DEMO-C-0008", open_arbitrator_replay),
    Shot("finance-journal", open_finance_journal),
)


@pytest.mark.parametrize("shot", SHOTS, ids=[s.name for s in SHOTS])
def test_full_page_screenshot_shows_chinese_text(
    demo_server: LiveServer,
    new_page: Callable[..., Any],
    screenshot_dir: Any,
    shot: Shot,
) -> None:
    page = new_page()
    what = shot.open(page, demo_server)
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready")

    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.evaluate("document.characterSet") == "UTF-8"
    assert page.locator("meta[charset='utf-8' i]").count() == 1
    content_type = page.context.request.get(page.url).headers["content-type"]
    assert "charset=utf-8" in content_type.lower().replace(" ", ""), content_type
    text = page.locator("main").inner_text()
    chinese = CJK.findall(text)
    assert len(chinese) >= 20, f"{shot.name}: hardly any Chinese on the page: {text[:500]!r}"
    glyphs = page.evaluate(DISTINCT_GLYPHS, ["售", "后", "服", "务", "退", "款"])
    assert glyphs == 6, f"{shot.name}: Chinese characters render alike (missing font?): {glyphs}"

    path = screenshot_dir / f"{shot.name}.png"
    page.screenshot(path=str(path), full_page=True)
    size = path.stat().st_size
    print(f"\n{shot.name}: {what} -> {path} ({size} bytes)")
    assert size >= MIN_PNG_BYTES, f"{path} is only {size} bytes"
    check_page(page)
