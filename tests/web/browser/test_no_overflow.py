"""Every audience's main pages at a 390 px phone and a 1366 px laptop (issue 11, item 3): the
document never scrolls sideways and no element is wider than the viewport; work tables become
cards on the phone. A full-page screenshot of each is kept in
``tests/web/browser/screenshots/layout/`` (CI keeps the folder as an artifact).

Pages are the demo's, in Chinese: the consumer's orders, an order, the application form, the cases
and a case (R20, R21); the merchant's queue, cases, a case and policy (R12, R19); the agent's
queues, a case, a new complaint and monitoring (R9, R13); the arbitrator's list and replay (R10);
finance's lists and a case (R3, R14); and the public home, rules, store policy and log-in pages.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.web.browser.conftest import LiveServer, check_page, log_in

pytestmark = pytest.mark.browser

WIDTHS = (390, 1366)

PAGES: dict[tuple[str, str], tuple[str, ...]] = {
    ("", ""): ("/", "/rules", "/stores/m1001/policy", "/login"),
    ("zhangsan", "consumer"): (
        "/",
        "/my/orders",
        "/my/orders/DEMO-O-1001",
        "/my/orders/DEMO-O-1010/lines/1/open",
        "/my/cases",
        "/my/cases/DEMO-C-0002",
        "/my/cases/DEMO-C-0013",
    ),
    ("shanhai", "merchant"): (
        "/merchant/queue",
        "/merchant/cases",
        "/merchant/cases/DEMO-C-0010",
        "/merchant/cases/DEMO-C-0012",
        "/merchant/policy",
    ),
    ("agent", "platform_agent"): (
        "/agent/",
        "/agent/?queue=platform",
        "/agent/cases/DEMO-C-0013",
        "/agent/complaints/new",
        "/agent/monitoring",
    ),
    ("arbiter", "arbitrator"): (
        "/arbitration/",
        "/arbitration/cases/DEMO-C-0008",
        "/arbitration/cases/DEMO-C-0008?version=5",
    ),
    ("finance", "finance"): (
        "/finance/",
        "/finance/journal",
        "/finance/balances",
        "/finance/reconciliation",
        "/finance/cases/DEMO-C-0008",
    ),
}

#: What sticks out: the document's own scroll width, then every shown element wider than the
#: viewport or reaching past its right edge (each named by tag, class and its first words).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  if (document.documentElement.scrollWidth > width) {
    out.push(`document scrolls: ${document.documentElement.scrollWidth} > ${width}`);
  }
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (getComputedStyle(el).visibility === "hidden") continue;
    if (box.width > width + 0.5 || box.right > width + 0.5) {
      const classes = el.className ? "." + String(el.className).split(" ").join(".") : "";
      const where = `${Math.round(box.left)}..${Math.round(box.right)}`;
      const text = (el.innerText || "").slice(0, 40);
      out.push(`${el.tagName.toLowerCase()}${classes} ${where}: ${text}`);
    }
  }
  return out;
}"""

CASES = [(who, path) for who, paths in PAGES.items() for path in paths]


def _name(who: tuple[str, str], path: str, width: int) -> str:
    slug = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "") or "home"
    return f"{who[0] or 'public'}-{slug}-{width}"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("who", list(PAGES), ids=[w[0] or "public" for w in PAGES])
def test_main_pages_fit_the_viewport(
    demo_server: LiveServer,
    new_page: Callable[..., Any],
    screenshot_dir: Path,
    who: tuple[str, str],
    width: int,
) -> None:
    page = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    if who[0]:
        log_in(page, demo_server, *who)
    folder = screenshot_dir / "layout"
    folder.mkdir(exist_ok=True)
    problems: list[str] = []
    for path in PAGES[who]:
        response = page.goto(demo_server.path(path))
        assert response is not None and response.status == 200, f"{path}: {response}"
        page.wait_for_load_state("networkidle")
        sticking_out = page.evaluate(OVERFLOW)
        problems += [f"{path} at {width}px: {line}" for line in sticking_out[:8]]
        page.screenshot(path=str(folder / f"{_name(who, path, width)}.png"), full_page=True)
    assert not problems, "wider than the viewport:\n" + "\n".join(problems)
    check_page(page)


def test_the_replay_shows_the_case_state_before_the_steps_on_a_phone(
    demo_server: LiveServer, new_page: Callable[..., Any]
) -> None:
    """R10, R21: on a 390 px phone the arbitrator reads the case as it stood first; on a laptop
    the steps and the state stand side by side."""
    page = new_page()
    log_in(page, demo_server, "arbiter", "arbitrator")
    for width, state_first in ((390, True), (1366, False)):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(demo_server.path("/arbitration/cases/DEMO-C-0008?version=5"))
        state = page.locator("#state").bounding_box()
        steps = page.get_by_test_id("replay-steps").bounding_box()
        assert state is not None and steps is not None
        if state_first:
            assert state["y"] < steps["y"], (width, state, steps)
        else:
            assert abs(state["y"] - steps["y"]) < 200 and state["x"] > steps["x"], (state, steps)
    check_page(page)
