"""Platform agents' pages: access, queues with the R9.a clocks, complaint handling (R9, R9.a),
refund approval (R3, R3.a, R2), acting in the merchant's place (R12.a), triage (R20),
monitoring (R15, R18, R22, R24) with accessible SVG charts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from domain.deadlines import Clock
from domain.process import CARRY_OUT, Move
from domain.service import AfterSales
from domain.values import Actor, Role
from projections.queues import queue_page
from projections.timeline import case_summary, timeline
from tests.web.test_arbitrator import as_user, catch_up, csrf, demo_copy, page
from web import get_db
from web.common.charts import Series, line_chart, nice_max
from web.pages.agent.case_view import AGENT_FORMS
from web.services import get_service

DIGITAL_STAFF = Actor(Role.MERCHANT, "s3001", merchant_id="m1001")
AGENT_ACTOR = Actor(Role.PLATFORM_AGENT, "a4001")


@pytest.fixture
def demo(tmp_path: Path, clean_environ: None) -> Iterator[Flask]:
    app = demo_copy(tmp_path)
    yield app
    with app.app_context():
        get_db().close()


@pytest.fixture
def agent(demo: Flask) -> FlaskClient:
    return as_user(demo, "agent", "platform_agent")


def post(client: FlaskClient, url: str, **data: str) -> Any:
    form = {"csrf_token": csrf(client), "request_id": f"t:{url}:{sorted(data.items())}"}
    form.update(data)
    return client.post(url, data=form)


def steps_of(app: Flask, case_no: str) -> list[str]:
    with app.app_context():
        return [s.step for s in timeline(get_db(), case_no, include_internal=True)]


def status_of(app: Flask, case_no: str) -> str:
    with app.app_context():
        summary = case_summary(get_db(), case_no)
    assert summary is not None
    return summary.status


# --- access -------------------------------------------------------------------------------------

AGENT_PAGES = (
    "/agent/",
    "/agent/monitoring",
    "/agent/cases/DEMO-C-0001",
    "/agent/complaints/new",
)


def test_only_platform_agents_reach_the_agent_pages(demo: Flask) -> None:
    anonymous = demo.test_client()
    for url in AGENT_PAGES:
        response = anonymous.get(url)
        assert response.status_code == 302 and "/login" in response.location, url
    assert post(anonymous, "/agent/cases/DEMO-C-0007/note", text="x").status_code == 401
    for username, role in (
        ("zhangsan", "consumer"),
        ("shanhai", "merchant"),
        ("arbiter", "arbitrator"),
        ("finance", "finance"),
    ):
        client = as_user(demo, username, role)
        for url in AGENT_PAGES:
            assert client.get(url).status_code == 403, (username, url)
        response = post(client, "/agent/cases/DEMO-C-0007/note", text="不该写入")
        assert response.status_code == 403, username
    assert "note_added" not in steps_of(demo, "DEMO-C-0007")[-1:]
    agent = as_user(demo, "agent", "platform_agent")
    for url in AGENT_PAGES:
        assert agent.get(url).status_code == 200, url
    assert agent.get("/agent/cases/NO-SUCH-CASE").status_code == 404
    assert post(agent, "/agent/cases/NO-SUCH-CASE/note", text="x").status_code == 404


def test_the_agents_home_is_the_work_queues(agent: FlaskClient) -> None:
    response = agent.get("/")
    assert response.status_code == 302 and response.location.endswith("/agent/")


# --- complaints (R9, R9.a) ----------------------------------------------------------------------


def open_complaint(agent: FlaskClient, order_no: str = "DEMO-O-1003") -> str:
    response = post(
        agent,
        "/agent/complaints/new",
        order_no=order_no.lower(),
        description="客服电话打不通，商家不回复",
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    match = re.search(r"/agent/cases/([A-Z0-9]+)$", response.location)
    assert match is not None
    return match.group(1)


def test_a_complaint_taken_for_a_consumer_shows_both_r9a_countdowns(
    demo: Flask, agent: FlaskClient
) -> None:
    case_no = open_complaint(agent)
    catch_up(demo)
    assert status_of(demo, case_no) == "complaint_open"
    html = page(agent, "/agent/?lang=en")
    queue = html.split('data-testid="complaint-queue"')[1].split("</table>")[0]
    row = queue.split(case_no, 1)[1].split("</tr>")[0]
    assert row.count("data-countdown") == 2  # 24 h response and 72 h opinion, ticking live
    with demo.app_context():
        summary = case_summary(get_db(), case_no)
    assert summary is not None
    dues = {d["name"]: d["due_at"] for d in summary.deadlines}
    opened = summary.opened_at
    for clock, hours in (("platform_response", 24), ("platform_opinion", 72)):
        due = datetime.fromisoformat(dues[clock].replace("Z", "+00:00"))
        assert due - opened == timedelta(hours=hours)
        assert due.strftime("%Y-%m-%dT%H:%M:%SZ") in row


def test_new_complaint_form_names_each_missing_or_wrong_field(
    demo: Flask, agent: FlaskClient
) -> None:
    catch_up(demo)
    with demo.app_context():
        before = queue_page(get_db(), "platform")
    response = post(agent, "/agent/complaints/new?lang=en", order_no="", description="")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Order number: please fill this in." in html
    assert "What the consumer complains about: please fill this in." in html
    response = post(agent, "/agent/complaints/new?lang=en", order_no="NOPE-1", description="差评")
    assert response.status_code == 400
    assert "Order number: there is no order NOPE-1." in response.get_data(as_text=True)
    catch_up(demo)
    with demo.app_context():
        assert queue_page(get_db(), "platform") == before  # nothing was opened


def test_respond_then_opinion_then_close_a_complaint(demo: Flask, agent: FlaskClient) -> None:
    case_no = open_complaint(agent)
    catch_up(demo)
    html = page(agent, f"/agent/cases/{case_no}?lang=en")
    assert "Respond to the complaint (R9.a, 24 h)" in html
    assert "Give the handling opinion" not in html
    # an empty response is refused naming the field; nothing is recorded
    response = post(agent, f"/agent/cases/{case_no}/respond?lang=en", reason="   ")
    assert response.status_code == 303
    html = page(agent, f"/agent/cases/{case_no}?lang=en")
    assert "Response: please fill this in (R9.a)." in html  # the declared input, its rule
    catch_up(demo)
    assert steps_of(demo, case_no) == ["opened", "routed"]  # R20: triaged as it opened
    # an opinion before the response is refused by the domain, naming R9.a
    response = post(agent, f"/agent/cases/{case_no}/opinion", opinion="先给意见")
    assert response.status_code == 303
    assert "R9.a" in page(agent, f"/agent/cases/{case_no}?lang=en")
    # respond, then the opinion form appears
    response = post(agent, f"/agent/cases/{case_no}/respond", reason="已收到，正在核实")
    assert response.status_code == 303
    catch_up(demo)
    assert status_of(demo, case_no) == "complaint_answered"
    html = page(agent, f"/agent/cases/{case_no}?lang=en")
    assert "The response is recorded" in html
    assert "Respond to the complaint (R9.a, 24 h)" not in html
    assert "Give the handling opinion (R9.a, 72 h)" in html
    response = post(agent, f"/agent/cases/{case_no}/opinion", opinion="已要求商家整改并致歉")
    assert response.status_code == 303
    catch_up(demo)
    assert status_of(demo, case_no) == "opinion_given"
    # the queue no longer holds it; the case can be closed with a reason
    html = page(agent, "/agent/?lang=en")
    assert case_no not in html.split('id="complaints-title"')[1].split("</section>")[0]
    response = post(agent, f"/agent/cases/{case_no}/close", reason="")
    catch_up(demo)
    assert status_of(demo, case_no) == "opinion_given"
    response = post(agent, f"/agent/cases/{case_no}/close", reason="处理意见已送达")
    catch_up(demo)
    assert status_of(demo, case_no) == "closed"
    assert steps_of(demo, case_no) == [
        "opened",
        "routed",
        "complaint_responded",
        "opinion_given",
        "closed",
    ]


def test_a_complaint_filed_on_an_existing_case_starts_the_r9a_clocks(
    demo: Flask, agent: FlaskClient
) -> None:
    response = post(agent, "/agent/cases/DEMO-C-0010/complaint", reason="商家迟迟不确认收货")
    assert response.status_code == 303
    catch_up(demo)
    assert steps_of(demo, "DEMO-C-0010")[-1] == "complaint_filed"
    html = page(agent, "/agent/?lang=en")
    queue = html.split('data-testid="complaint-queue"')[1].split("</table>")[0]
    assert "DEMO-C-0010" in queue


def test_internal_notes_are_marked_internal(demo: Flask, agent: FlaskClient) -> None:
    post(agent, "/agent/cases/DEMO-C-0007/note", text="内部备注：商家已培训")
    post(agent, "/agent/cases/DEMO-C-0007/note", text="已电话回访", visible_to_consumer="1")
    catch_up(demo)
    with demo.app_context():
        notes = [
            s
            for s in timeline(get_db(), "DEMO-C-0007", include_internal=True)
            if s.step == "note_added"
        ]
        visible = [
            s
            for s in timeline(get_db(), "DEMO-C-0007", include_internal=False)
            if s.step == "note_added"
        ]
    assert [n.reason for n in notes][-2:] == ["内部备注：商家已培训", "已电话回访"]
    assert "内部备注：商家已培训" not in [n.reason for n in visible]
    assert "已电话回访" in [n.reason for n in visible]


# --- acting in the merchant's place (R12.a) ------------------------------------------------------


def test_deciding_in_the_merchants_place_before_its_deadline_is_refused(
    demo: Flask, agent: FlaskClient
) -> None:
    html = page(agent, "/agent/cases/DEMO-C-0011?lang=en")
    note = html.split('data-testid="merchant-not-breached"')[1].split("</p>")[0]
    assert "R12.a" in note and "data-countdown" in note
    assert "Accept the application" not in html
    response = post(agent, "/agent/cases/DEMO-C-0011/accept", reason="")
    assert response.status_code == 303
    html = page(agent, "/agent/cases/DEMO-C-0011?lang=en")
    assert "is still up to the other side" in html and "(R12.a)" in html
    assert "only the merchant may" not in html  # the developer's text stays in the logs
    response = post(agent, "/agent/cases/DEMO-C-0011/reject", reason="代为拒绝")
    assert "(R12.a)" in page(agent, "/agent/cases/DEMO-C-0011?lang=en")
    catch_up(demo)
    assert status_of(demo, "DEMO-C-0011") == "requested"


def test_after_the_merchant_missed_its_deadline_the_application_is_taken_as_accepted(
    tmp_path: Path, clean_environ: None
) -> None:
    """R12.a reading (issue 7): at the deadline the silent merchant is taken to agree, on every
    kind of application, so the platform has no decision left to make in its place."""
    # The whole app runs three hours ahead: the merchant's 2-hour deadline has passed.
    url = f"sqlite:///{tmp_path / 'web.db'}"
    app = demo_copy(tmp_path, SERVICE=_ahead(url, hours=3))
    try:
        with app.app_context():
            get_service().expire(case_no="DEMO-C-0011", clock=Clock.MERCHANT_DECISION)
        catch_up(app)
        assert status_of(app, "DEMO-C-0011") == "awaiting_return"
        agent = as_user(app, "agent", "platform_agent")
        html = page(agent, "/agent/cases/DEMO-C-0011?lang=en")
        assert "Reject the application" not in html
        post(agent, "/agent/cases/DEMO-C-0011/reject", reason="面膜已拆封使用")
        catch_up(app)
        assert status_of(app, "DEMO-C-0011") == "awaiting_return"
    finally:
        with app.app_context():
            get_db().close()


def _ahead(url: str, hours: int) -> AfterSales:
    return AfterSales.from_url(url, clock=lambda: datetime.now(UTC) + timedelta(hours=hours))


# --- refund approval (R3, R3.a, R2) ------------------------------------------------------------


def await_refund_demo_c_0010(app: Flask) -> None:
    """DEMO-C-0010 (charger ¥129.00 by card, first no-reason return: the consumer pays the
    return leg, R2): the merchant confirms receipt and inspects; the refund awaits approval."""
    with app.app_context():
        service = get_service()
        service.confirm_receipt(request_id="t:rcpt", actor=DIGITAL_STAFF, case_no="DEMO-C-0010")
        service.inspect(
            request_id="t:insp",
            actor=DIGITAL_STAFF,
            case_no="DEMO-C-0010",
            responsibility="no_fault",
            findings="完好",
        )
    catch_up(app)


def test_refund_approval_shows_the_split_and_refuses_a_partial_amount_without_a_deduction(
    demo: Flask, agent: FlaskClient
) -> None:
    """R3.a (issue 8): a refund is the entitlement less deductions the published policy names;
    a smaller amount with only a reason, or a deduction whose precondition is not met (user
    damage without an R14 finding of it), is refused and stores nothing."""
    await_refund_demo_c_0010(demo)
    html = page(agent, "/agent/?lang=en")
    assert "DEMO-C-0010" in html.split('data-testid="refund-queue"')[1].split("</table>")[0]
    with demo.app_context():
        full = get_service().refund_preview("DEMO-C-0010")
    html = page(agent, "/agent/cases/DEMO-C-0010?lang=en")
    preview = html.split('data-testid="refund-preview"')[1].split("</table>")[0]
    assert f"¥{full.total_fen // 100}.{full.total_fen % 100:02d}" in preview
    assert "bank card" in preview and "the consumer" in preview  # return leg paid by (R2)
    assert 'data-testid="deduction"' in html
    # a partial preview
    html = page(agent, "/agent/cases/DEMO-C-0010?amount=100.50&lang=en")
    assert "¥100.50" in html.split('data-testid="refund-preview"')[1].split("</table>")[0]
    html = page(agent, "/agent/cases/DEMO-C-0010?amount=abc&lang=en")
    assert "Refund amount (yuan): enter an amount in yuan" in html
    with demo.app_context():
        before = get_service().get_case("DEMO-C-0010").version
    # bad amounts are refused naming the field and the rule; nothing is stored
    for form, message in (
        ({"amount": "abc"}, "Refund amount (yuan): enter an amount in yuan"),
        ({"amount": "-3"}, "Refund amount (yuan): the amount cannot be negative."),
        ({"amount": "999.00"}, "(R3.a)"),
        ({"amount": "100.50", "reason": "包装缺失，扣除部分"}, "does not add up to that"),
        (
            {"deduction_kind": "user_damage", "deduction_amount": "10", "deduction_evidence": "x"},
            "an inspection found the damage was caused by the user",
        ),
        ({"deduction_kind": "user_damage", "deduction_amount": "1.0.0"}, "Deduction (yuan)"),
    ):
        post(agent, "/agent/cases/DEMO-C-0010/approve-refund", **form)
        html = page(agent, "/agent/cases/DEMO-C-0010?lang=en")
        assert message in html, form
    # the refusal in the viewer's language (zh_CN: the sentence; en: also the domain's detail)
    post(agent, "/agent/cases/DEMO-C-0010/approve-refund?lang=zh_CN", amount="100.50")
    html = page(agent, "/agent/cases/DEMO-C-0010?lang=zh_CN")
    assert "退款金额应为应退全额，只能扣除已公布规则中列明的扣减项目" in html
    catch_up(demo)
    assert status_of(demo, "DEMO-C-0010") == "awaiting_refund"
    with demo.app_context():
        assert get_service().get_case("DEMO-C-0010").version == before
    response = post(agent, "/agent/cases/DEMO-C-0010/approve-refund", amount="", reason="")
    assert response.status_code == 303
    catch_up(demo)
    with demo.app_context():
        summary = case_summary(get_db(), "DEMO-C-0010")
        case = get_service().get_case("DEMO-C-0010")
    assert summary is not None and summary.refund_total_fen == full.total_fen
    assert (
        case.refund is not None and sum(p.amount_fen for p in case.refund.split) == full.total_fen
    )
    assert "Approve the refund" not in page(agent, "/agent/cases/DEMO-C-0010?lang=en")


def test_a_ruled_refund_is_approved_at_the_ruled_amount(demo: Flask, agent: FlaskClient) -> None:
    from tests.web.test_arbitrator import escalate_demo_c_0011

    escalate_demo_c_0011(demo)
    arbiter = as_user(demo, "arbiter", "arbitrator")
    post(
        arbiter,
        "/arbitration/cases/DEMO-C-0011/rule",
        outcome="refund",
        refund_amount="69.90",
        reasoning="部分退款",
    )
    catch_up(demo)
    html = page(agent, "/agent/cases/DEMO-C-0011?lang=en")
    assert 'data-testid="ruled-banner"' in html
    assert "The ruling fixed the amount at ¥69.90 (R10)." in html
    assert 'name="amount"' not in html.split('id="refund"')[1].split("</section>")[0]
    # routing changes no outcome: the declaration keeps it open after a ruling (R10 carry-out)
    assert ("Triage and routing" in html) == (Move.ROUTE in CARRY_OUT.always)
    post(agent, "/agent/cases/DEMO-C-0011/approve-refund")
    catch_up(demo)
    with demo.app_context():
        summary = case_summary(get_db(), "DEMO-C-0011")
    assert summary is not None and summary.refund_total_fen == 6990


# --- triage (R20) ------------------------------------------------------------------------------


def test_new_cases_show_the_keyword_triage_and_an_override_routes_them(
    demo: Flask, agent: FlaskClient
) -> None:
    html = page(agent, "/agent/?lang=en")
    triage = html.split('id="triage-title"')[1]
    assert "DEMO-C-0011" in triage and "面膜有异味" in triage
    assert "Keyword triage:" in triage
    response = post(
        agent,
        "/agent/cases/DEMO-C-0011/route",
        queue="nowhere",
        classified_kind="return_refund",
        reason="x",
    )
    assert response.status_code == 303
    assert "Queue: choose one of the queues offered." in page(agent, "/agent/?lang=en")
    response = post(
        agent,
        "/agent/cases/DEMO-C-0011/route",
        queue="platform_supervisor",
        classified_kind="return_refund",
        reason="过敏投诉，需主管跟进",
        back="home",
    )
    assert response.status_code == 303 and response.location.endswith("/agent/#triage")
    catch_up(demo)
    with demo.app_context():
        routed = [s for s in timeline(get_db(), "DEMO-C-0011", include_internal=True)][-1]
    assert routed.step == "routed" and routed.internal
    assert routed.details == {
        "queue": "platform_supervisor",
        "classified_kind": "return_refund",
        "confidence_pct": 100,
    }
    html = page(agent, "/agent/?lang=en")
    assert "Routed: Return and refund, confidence 100%, queue Platform supervisors" in html
    html = page(agent, "/agent/?queue=platform_supervisor&lang=en")
    assert "DEMO-C-0011" in html.split('data-testid="other-queue"')[1].split("</table>")[0]


# --- monitoring (R15, R18, R22, R24) -------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_monitoring_renders_charts_and_lists_with_the_demo_data(
    agent: FlaskClient, lang: str
) -> None:
    html = page(agent, f"/agent/monitoring?lang={lang}")
    for merchant in ("m1001", "m1002"):
        assert f'data-chart="rates-{merchant}"' in html
        assert f'data-chart="response-{merchant}"' in html
    svgs = re.findall(r"<svg[^>]*>.*?</svg>", html, flags=re.S)
    assert len(svgs) == 4
    for svg in svgs:
        assert 'role="img"' in svg and "aria-labelledby=" in svg
        assert "<title id=" in svg and "<desc id=" in svg
        assert "style=" not in svg
    assert html.count("<details><summary>") >= 4  # every chart has its data table
    for table in ("merchant-overview", "badge-list", "satisfaction"):
        assert f'data-testid="{table}"' in html
    assert 'data-testid="no-flagged"' in html or 'data-testid="flagged-merchants"' in html
    assert 'data-testid="sku-rates"' in html
    if lang == "en":
        assert "Median time to accept: at most 1 h" in html
        assert "SLA breach rate: at most 2.0%" in html
        assert "Average rating: at least 4.5 of 5" in html
        assert "Gold after-sales badge (R22)" in html
        assert "Quarterly satisfaction (R18)" in html
    else:
        assert '<html lang="zh-CN"' in html


def test_monitoring_period_choice(agent: FlaskClient) -> None:
    html = page(agent, "/agent/monitoring?days=30&lang=en")
    assert re.search(r'days=30"\s+aria-current="page"', html)
    html = page(agent, "/agent/monitoring?days=7&lang=en")  # not offered: the default
    assert re.search(r'days=90"\s+aria-current="page"', html)


def test_line_chart_is_exact_accessible_and_shows_gaps() -> None:
    from flask import Flask as _Flask
    from flask_babel import Babel

    app = _Flask(__name__)
    Babel(app)
    with app.test_request_context():
        chart = line_chart(
            chart_id="c1",
            title="Refund rate",
            desc="Monthly",
            x_labels=["2026-01", "2026-02", "2026-03"],
            series=[Series("Rate", [Fraction(25, 2), None, Fraction(1, 3)])],
            unit="%",
        )
        html = chart.__html__()
    assert '<title id="c1-title">Refund rate</title>' in html
    assert html.count("<circle") == 2  # no point for the month without data
    assert html.count(" M") + html.count('"M') == 2  # the line restarts after the gap
    assert "12.5%" in html and "0.3%" in html and "—" in html
    assert not re.search(r"\d\.\d{2,}", html.split("<details>")[0])  # coordinates: 1 decimal
    assert nice_max(Fraction(37)) == (Fraction(40), Fraction(10))
    assert nice_max(Fraction(1, 8)) == (Fraction(3, 20), Fraction(1, 20))
    assert nice_max(Fraction(0)) == (Fraction(1), Fraction(1, 5))


def test_a_refund_case_with_a_complaint_is_listed_under_both(
    demo: Flask, agent: FlaskClient
) -> None:
    await_refund_demo_c_0010(demo)
    post(agent, "/agent/cases/DEMO-C-0010/complaint", reason="退款太慢")
    catch_up(demo)
    html = page(agent, "/agent/?lang=en")
    complaints = html.split('data-testid="complaint-queue"')[1].split("</table>")[0]
    refunds = html.split('data-testid="refund-queue"')[1].split("</table>")[0]
    assert "DEMO-C-0010" in complaints and "DEMO-C-0010" in refunds
    row = complaints.split("DEMO-C-0010", 1)[1].split("</tr>")[0]
    assert row.count("data-countdown") == 2


def test_moves_without_a_form_of_their_own_are_offered_by_their_generic_form(
    demo: Flask, agent: FlaskClient
) -> None:
    """Issue 7: every move the domain allows the platform on the case has a form; those the page
    has none of its own for are drawn from their declared inputs."""
    html = page(agent, "/agent/cases/DEMO-C-0011?lang=en")
    with demo.app_context():
        allowed = set(get_service().get_case("DEMO-C-0011").allowed_moves(AGENT_ACTOR))
    assert allowed - set(AGENT_FORMS)  # evidence, at least (R21)
    for move in sorted(allowed - set(AGENT_FORMS)):
        assert f"/agent/cases/DEMO-C-0011/moves/{move.value}" in html, move
    response = post(agent, "/agent/cases/DEMO-C-0011/moves/rate", score="5")
    assert response.status_code == 303  # not the platform's move: refused by the domain
    html = page(agent, "/agent/cases/DEMO-C-0011?lang=en")
    assert re.search(r"flash--error\">[^<]*(“评价”|“Rate”)[^<]*[（(]P2[）)]</p>", html), html
    assert "who may:" not in html  # never the developer's text
    catch_up(demo)
    assert status_of(demo, "DEMO-C-0011") == "requested"
