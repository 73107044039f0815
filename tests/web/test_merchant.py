"""Merchant staff pages (web/merchant.py): the store's queue sorted by deadline with counts, paging
and bulk accept (R12, R17); the case page with the moves policy allows now, each done once through
its form (R3, R6, R7, R8, R10, R12, R14, R21); the policy form with the platform floor (R11, R19);
and another store's case a 404 on every route."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from domain.case_values import Evidence, Status
from domain.lines import OrderLine, Tender
from domain.service import AfterSales, LineRequest
from domain.terms import PLATFORM_FLOOR, Exclusion, PolicyTerms
from domain.values import Actor, ExclusionKind, Role, TenderKind
from projections.policies import current_policy, policy_history
from projections.registry import make_runner
from tests.web.conftest import PASSWORD, csrf_token_for, login_as, make_app
from web import get_db, projection_worker
from web.common import accounts
from web.pages.merchant import queue as merchant_queue

STORE, OTHER_STORE = "M3001", "M3002"
STAFF = Actor(Role.MERCHANT, "S2001", merchant_id=STORE)
OTHER_STAFF = Actor(Role.MERCHANT, "S2002", merchant_id=OTHER_STORE)
CONSUMER = Actor(Role.CONSUMER, "C1001")
PLATFORM = Actor(Role.SYSTEM, "commerce-platform")
AGENT = Actor(Role.PLATFORM_AGENT, "A4001")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class ManualClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


class Shop:
    """One test's app, service on a hand-moved clock (starting three days ago), and helpers."""

    def __init__(self, app: Flask, service: AfterSales, clock: ManualClock) -> None:
        self.app, self.service, self.clock = app, service, clock
        self._ids = itertools.count(1)
        for merchant_id in (STORE, OTHER_STORE):
            self.publish(merchant_id)

    def rid(self) -> str:
        return f"t-{next(self._ids)}"

    def publish(self, merchant_id: str, **terms: Any) -> None:
        self.service.publish_policy(
            request_id=self.rid(),
            actor=PLATFORM,
            merchant_id=merchant_id,
            terms=PolicyTerms(
                categories=("phone", "fruit"),
                exclusions=(Exclusion("fruit", ExclusionKind.FRESH, "生鲜易腐"),),
                **terms,
            ),
            summary="首发",
        )

    def open(
        self, kind: str = "return_refund", reason: str = "no_reason", merchant_id: str = STORE
    ) -> str:
        order_no = f"O-{self.rid()}"
        self.clock.advance(minutes=1)
        self.service.record_order(
            request_id=self.rid(),
            actor=PLATFORM,
            order_no=order_no,
            consumer_id=CONSUMER.id,
            merchant_id=merchant_id,
            placed_at=self.clock(),
            lines=[
                OrderLine(
                    1,
                    "PH-1",
                    "手机",
                    "phone",
                    1,
                    10_000,
                    (Tender(TenderKind.CARD, 9_000), Tender(TenderKind.POINTS, 1_000)),
                )
            ],
            shipping_fee_fen=1_000,
        )
        self.clock.advance(minutes=1)
        self.service.record_delivery(
            request_id=self.rid(), actor=PLATFORM, order_no=order_no, signed_at=self.clock()
        )
        self.clock.advance(minutes=1)
        result = self.service.open_case(
            request_id=self.rid(),
            actor=CONSUMER,
            order_no=order_no,
            kind=kind,
            reason_code=reason,
            lines=[] if kind == "complaint" else [LineRequest(1, 1)],
            description="测试",
        )
        return str(result.key)

    def do(self, command: str, actor: Actor, **kwargs: Any) -> None:
        self.clock.advance(minutes=1)
        getattr(self.service, command)(request_id=self.rid(), actor=actor, **kwargs)

    def catch_up(self) -> None:
        with self.app.app_context():
            make_runner(self.service, get_db()).catch_up()

    def status(self, case_no: str) -> Status:
        return self.service.get_case(case_no).status


@pytest.fixture
def shop(tmp_path: Path, clean_environ: None) -> Iterator[Shop]:
    app = make_app(tmp_path)
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0) - timedelta(days=3))
    service = AfterSales.from_url(app.config["DATABASE_URL"], clock=clock)
    app.config["SERVICE"] = service
    with app.app_context():
        db = get_db()
        for username, role, party, store in (
            ("han.meimei", "merchant", STAFF.id, STORE),
            ("other.staff", "merchant", OTHER_STAFF.id, OTHER_STORE),
            ("li.lei", "consumer", CONSUMER.id, None),
        ):
            accounts.create_account(db, username, PASSWORD, role, username, party, store)
    yield Shop(app, service, clock)
    projection_worker.stop(app)  # before the stores it reads are closed
    service.close()
    with app.app_context():
        get_db().close()


@pytest.fixture
def staff(shop: Shop) -> FlaskClient:
    client = shop.app.test_client()
    assert login_as(client, "han.meimei").status_code == 302
    client.get("/merchant/queue?lang=en")  # the texts below are the English ones
    return client


def post(client: FlaskClient, url: str, **data: Any) -> TestResponse:
    form = {"csrf_token": csrf_token_for(client), "request_id": f"form-{url}-{id(data)}"}
    form.update(data)
    return client.post(url, data=form, content_type="multipart/form-data")


def follow(client: FlaskClient, response: TestResponse) -> str:
    assert response.status_code == 303, response.data[:500]
    return client.get(response.headers["Location"]).get_data(as_text=True)


def queue_cases(html: str) -> list[str]:
    return re.findall(r'data-case="([^"]+)"', html)


# -- access --------------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in_and_other_roles_are_refused(shop: Shop) -> None:
    client = shop.app.test_client()
    response = client.get("/merchant/queue")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login_as(client, "li.lei")
    assert client.get("/merchant/queue").status_code == 403
    assert client.get("/merchant/policy").status_code == 403


def test_another_stores_case_is_404_on_every_merchant_route(shop: Shop) -> None:
    theirs = shop.open(merchant_id=OTHER_STORE)
    shop.catch_up()
    client = shop.app.test_client()
    login_as(client, "han.meimei")

    assert client.get(f"/merchant/cases/{theirs}").status_code == 404
    assert client.get("/merchant/cases/NO-SUCH-CASE").status_code == 404
    for action in (
        "accept",
        "reject",
        "return-delivered",
        "confirm-receipt",
        "inspect",
        "quote",
        "complete-repair",
        "ship-exchange",
        "compensate",
        "escalate",
        "evidence",
        "note",
    ):
        response = post(
            client, f"/merchant/cases/{theirs}/{action}", reason="x", text="x", notes="x"
        )
        assert response.status_code == 404, action
    assert post(client, "/merchant/queue/accept", case_no=[theirs]).status_code == 404
    assert shop.status(theirs) is Status.REQUESTED
    assert len(shop.service.get_case(theirs).pending_events) == 0


# -- the queue (R12, R17) -----------------------------------------------------------------------


def test_queue_shows_only_this_store_sorted_by_due_time_with_counts(
    shop: Shop, staff: FlaskClient
) -> None:
    first = shop.open()  # R12: decide within 2 hours
    repair = shop.open("repair", "quality_defect")  # R5.a: respond within 48 hours
    second = shop.open()  # opened later: due later than the first
    other = shop.open(merchant_id=OTHER_STORE)
    shop.catch_up()

    html = staff.get("/merchant/queue").get_data(as_text=True)

    assert queue_cases(html) == [first, second, repair]
    assert other not in html
    assert 'data-testid="count-cases">3<' in html
    assert 'data-testid="count-requested">3<' in html
    assert 'data-testid="count-breached">0<' in html
    assert html.count('name="case_no"') == 3  # all three wait for the store's decision
    assert "(R12)" in html and "(R12.a)" in html  # the repair's first response is due first


def test_queue_pages_fifty_at_a_time(
    shop: Shop, staff: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(merchant_queue, "PAGE_SIZE", 2)
    cases = [shop.open() for _ in range(3)]
    shop.catch_up()

    page1 = staff.get("/merchant/queue").get_data(as_text=True)
    page2 = staff.get("/merchant/queue?page=2").get_data(as_text=True)

    assert queue_cases(page1) == cases[:2]
    assert queue_cases(page2) == cases[2:]
    assert "Page 1 of 2" in page1 and 'rel="next"' in page1 and 'rel="prev"' not in page1
    assert "Page 2 of 2" in page2 and 'rel="prev"' in page2
    assert staff.get("/merchant/queue?page=x").status_code == 200  # bad page: the first


def test_queue_marks_overdue_and_breached_deadlines_with_their_rule(
    shop: Shop, staff: FlaskClient
) -> None:
    overdue = shop.open("return_refund", "quality_defect")
    breached = shop.open("repair", "quality_defect")  # repaired on site, then late (R7)
    shop.do("accept", STAFF, case_no=breached)
    shop.do(
        "inspect",
        STAFF,
        case_no=breached,
        responsibility="product_defect",
        findings="主板故障",
        on_site=True,
    )
    shop.clock.advance(days=8)
    shop.service.expire(case_no=breached, clock="repair_work")  # escalated, still the store's
    shop.catch_up()

    html = staff.get("/merchant/queue").get_data(as_text=True)

    rows = {no: html.split(f'data-case="{no}"', 1)[1].split("</tr>", 1)[0] for no in (overdue,)}
    assert "Overdue (R12)" in rows[overdue]
    tail = html.split(f'data-case="{breached}"', 1)[1].split("</tr>", 1)[0]
    assert "SLA breached (R7)" in tail
    assert 'data-testid="count-breached">1<' in html


def test_bulk_accept_reports_a_partial_success_case_by_case(shop: Shop, staff: FlaskClient) -> None:
    one, two, gone = shop.open(), shop.open(), shop.open()
    shop.catch_up()
    shop.do("reject", STAFF, case_no=gone, reason="缺货")  # no longer acceptable (R12)

    response = post(staff, "/merchant/queue/accept", case_no=[one, two, gone])
    html = follow(staff, response)

    assert shop.status(one) is Status.AWAITING_RETURN
    assert shop.status(two) is Status.AWAITING_RETURN
    assert shop.status(gone) is Status.REJECTED
    assert "Partly done: 2 of 3 cases accepted, 1 refused." in html
    assert f"Accepted (R12): {one}, {two}." in html
    refusal = re.search(rf"{gone} not accepted\. [^<]*? \((R\d+[.a-z]*)\)</p>", html)
    assert refusal is not None and refusal.group(1) == "R12"


def test_bulk_accept_resubmitted_records_each_case_once(shop: Shop, staff: FlaskClient) -> None:
    one = shop.open()
    shop.catch_up()
    data = {"csrf_token": csrf_token_for(staff), "request_id": "same-form", "case_no": [one]}
    staff.post("/merchant/queue/accept", data=data)
    version = shop.service.get_case(one).version
    again = staff.post("/merchant/queue/accept", data=data)
    html = follow(staff, again)
    assert shop.service.get_case(one).version == version
    assert f"Accepted (R12): {one}." in html


def test_bulk_accept_without_a_selection_is_refused(shop: Shop, staff: FlaskClient) -> None:
    html = follow(staff, post(staff, "/merchant/queue/accept"))
    assert "Select at least one case to accept." in html


def test_all_cases_lists_the_stores_cases_open_or_ended_and_finds_one(
    shop: Shop, staff: FlaskClient
) -> None:
    waiting = shop.open()
    ended = shop.open()
    theirs = shop.open(merchant_id=OTHER_STORE)
    shop.do("accept", STAFF, case_no=waiting)  # now with the consumer: not in the queue
    shop.do("reject", STAFF, case_no=ended, reason="缺货")
    shop.do("withdraw", CONSUMER, case_no=ended)
    shop.catch_up()

    assert queue_cases(staff.get("/merchant/queue").get_data(as_text=True)) == []
    assert queue_cases(staff.get("/merchant/cases").get_data(as_text=True)) == [waiting]
    assert queue_cases(staff.get("/merchant/cases?show=closed").get_data(as_text=True)) == [ended]
    listed = queue_cases(staff.get("/merchant/cases?show=all").get_data(as_text=True))
    assert sorted(listed) == sorted([waiting, ended]) and theirs not in listed
    found = staff.get(f"/merchant/cases?show=all&q={ended}").get_data(as_text=True)
    assert queue_cases(found) == [ended]
    assert queue_cases(staff.get(f"/merchant/cases?q={theirs}").get_data(as_text=True)) == []


# -- the case page ---------------------------------------------------------------------------


def test_case_page_shows_the_shared_header_internal_steps_and_the_decision(
    shop: Shop, staff: FlaskClient
) -> None:
    case_no = shop.open()
    shop.do("add_note", AGENT, case_no=case_no, text="平台内部备注", internal=True)
    shop.do("add_note", STAFF, case_no=case_no, text="店铺内部备注", internal=True)
    shop.catch_up()

    html = staff.get(f"/merchant/cases/{case_no}").get_data(as_text=True)

    assert 'id="case-title"' in html and 'data-testid="case-status"' in html  # shared header
    assert "店铺内部备注" in html  # the store's own internal notes are shown to its staff (P4)
    assert "平台内部备注" not in html  # the platform's stay the platform's
    assert "merchant.accept" not in html
    assert f"/merchant/cases/{case_no}/accept" in html
    assert f"/merchant/cases/{case_no}/reject" in html
    assert "data-countdown" in html  # the R12 deadline counts down
    assert f"/merchant/cases/{case_no}/confirm-receipt" not in html


def test_reject_without_a_reason_is_refused_naming_r12(shop: Shop, staff: FlaskClient) -> None:
    case_no = shop.open()
    shop.catch_up()
    html = follow(staff, post(staff, f"/merchant/cases/{case_no}/reject", reason="  "))
    assert "Reason: please fill this in (R12)." in html  # the declared input, named with its rule
    assert shop.status(case_no) is Status.REQUESTED

    html = follow(staff, post(staff, f"/merchant/cases/{case_no}/reject", reason="已售罄"))
    assert "(R12)" in html
    assert shop.status(case_no) is Status.REJECTED
    assert 'data-testid="case-status">Rejected<' in html  # the page after it shows the move
    assert "已售罄" in html


def test_a_return_walked_through_its_forms(shop: Shop, staff: FlaskClient) -> None:
    case_no = shop.open()
    shop.catch_up()
    base = f"/merchant/cases/{case_no}"

    follow(staff, post(staff, f"{base}/accept", reason="同意退货"))
    assert shop.status(case_no) is Status.AWAITING_RETURN
    shop.do("ship_return", CONSUMER, case_no=case_no, carrier="顺丰", tracking_no="SF1")
    shop.catch_up()
    assert f"{base}/return-delivered" in staff.get(base).get_data(as_text=True)

    delivered = (shop.clock() + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M")  # CST → UTC
    shop.clock.advance(minutes=5)
    follow(staff, post(staff, f"{base}/return-delivered", delivered_at=delivered))
    assert shop.status(case_no) is Status.RETURN_DELIVERED
    shop.catch_up()
    page = staff.get(base).get_data(as_text=True)
    assert "Confirm receipt of the returned goods (R3)" in page
    assert 'data-testid="refund-preview"' in page and "¥100.00" in page  # R3.a, read-only
    assert "/approve" not in page  # approving is the platform's move (R3)

    follow(staff, post(staff, f"{base}/confirm-receipt"))
    assert shop.status(case_no) is Status.RECEIVED
    html = follow(
        staff,
        post(
            staff,
            f"{base}/inspect",
            responsibility="no_fault",
            findings="包装完好",
            photos=(BytesIO(PNG), "box.png"),
        ),
    )
    assert "Inspection result recorded (R14)." in html
    case = shop.service.get_case(case_no)
    assert case.status is Status.AWAITING_REFUND
    assert [e.name for e in case.evidence] == ["box.png"]

    # the "visible to the consumer" box left unticked: an internal note (P4)
    follow(staff, post(staff, f"{base}/note", text="仅内部可见"))
    follow(staff, post(staff, f"{base}/escalate", reason="消费者不同意扣款"))
    assert shop.status(case_no) is Status.IN_ARBITRATION
    html = follow(
        staff, post(staff, f"{base}/evidence", reason="质检照片", photos=(BytesIO(PNG), "qc.png"))
    )
    assert "Evidence added to the case (R21)." in html
    shop.catch_up()
    page = staff.get(base).get_data(as_text=True)
    assert "仅内部可见" in page and "timeline__step--internal" in page


def test_an_exchange_with_compensation_walked_through_its_forms(
    shop: Shop, staff: FlaskClient
) -> None:
    case_no = shop.open("exchange", "wrong_item")
    base = f"/merchant/cases/{case_no}"
    shop.do("accept", STAFF, case_no=case_no)
    shop.do("ship_return", CONSUMER, case_no=case_no, carrier="中通", tracking_no="ZT1")
    shop.do("record_return_delivered", PLATFORM, case_no=case_no)
    shop.do("confirm_receipt", STAFF, case_no=case_no)
    shop.catch_up()
    follow(
        staff,
        post(staff, f"{base}/inspect", responsibility="product_defect", findings="发错货"),
    )
    shop.catch_up()
    page = staff.get(base).get_data(as_text=True)
    assert f"{base}/compensate" in page and f"{base}/ship-exchange" in page

    bad = follow(staff, post(staff, f"{base}/compensate", amount="abc", reason="补偿"))
    assert "(R14)" in bad and shop.service.get_case(case_no).compensation_fen == 0
    follow(staff, post(staff, f"{base}/compensate", amount="20.50", reason="发错货补偿"))
    assert shop.service.get_case(case_no).compensation_fen == 2_050

    refused = follow(staff, post(staff, f"{base}/ship-exchange", carrier="中通", tracking_no=""))
    assert "Carrier and tracking number: please fill this in (R8)." in refused
    follow(staff, post(staff, f"{base}/ship-exchange", carrier="中通", tracking_no="ZT2"))
    assert shop.status(case_no) is Status.GOODS_RETURNING  # R8 (issue 7): not on dispatch
    shop.do("confirm_goods_received", CONSUMER, case_no=case_no)
    case = shop.service.get_case(case_no)
    assert case.status is Status.CLOSED and case.outcome == "exchanged"


def test_a_paid_repair_walked_through_its_forms(shop: Shop, staff: FlaskClient) -> None:
    case_no = shop.open("repair", "user_damage")
    base = f"/merchant/cases/{case_no}"
    shop.do("accept", STAFF, case_no=case_no)
    shop.do("ship_return", CONSUMER, case_no=case_no, carrier="京东", tracking_no="JD1")
    shop.do("record_return_delivered", PLATFORM, case_no=case_no)
    shop.do("confirm_receipt", STAFF, case_no=case_no)
    shop.catch_up()
    follow(staff, post(staff, f"{base}/inspect", responsibility="user_damage", findings="摔裂"))
    shop.catch_up()
    page = staff.get(base).get_data(as_text=True)
    assert 'data-testid="warranty"' in page and "In warranty" in page
    assert f"{base}/quote" in page
    assert f"{base}/complete-repair" not in page  # R6: quote and consent first

    follow(staff, post(staff, f"{base}/quote", fee="88.00", reason="更换外壳"))
    assert shop.status(case_no) is Status.AWAITING_QUOTE_ANSWER
    shop.do("answer_quote", CONSUMER, case_no=case_no, accepted=True)
    shop.catch_up()
    assert f"{base}/complete-repair" in staff.get(base).get_data(as_text=True)

    follow(
        staff,
        post(
            staff,
            f"{base}/complete-repair",
            notes="已更换外壳",
            carrier="京东",
            tracking_no="JD2",
        ),
    )
    shop.do("confirm_goods_received", CONSUMER, case_no=case_no)  # R7 (issue 7)
    case = shop.service.get_case(case_no)
    assert case.status is Status.CLOSED and case.outcome == "repaired"


def test_a_free_repair_offers_no_quote(shop: Shop, staff: FlaskClient) -> None:
    case_no = shop.open("repair", "quality_defect")
    base = f"/merchant/cases/{case_no}"
    shop.do("accept", STAFF, case_no=case_no)
    shop.catch_up()
    follow(
        staff,
        post(
            staff,
            f"{base}/inspect",
            responsibility="product_defect",
            findings="上门检测：主板故障",
            on_site="1",
        ),
    )
    assert shop.status(case_no) is Status.REPAIRING
    shop.catch_up()
    page = staff.get(base).get_data(as_text=True)
    assert f"{base}/quote" not in page and f"{base}/complete-repair" in page
    follow(staff, post(staff, f"{base}/complete-repair", notes="上门更换主板"))
    assert shop.status(case_no) is Status.GOODS_RETURNING  # R7: the consumer confirms
    shop.do("confirm_goods_received", CONSUMER, case_no=case_no)
    assert shop.service.get_case(case_no).outcome == "repaired"


def test_a_refused_move_is_flashed_with_its_rule(shop: Shop, staff: FlaskClient) -> None:
    case_no = shop.open()
    shop.catch_up()
    html = follow(staff, post(staff, f"/merchant/cases/{case_no}/confirm-receipt"))
    assert "(R3)" in html and "is not possible while the case is at this step" in html
    assert "while it is" not in html and "case AS" not in html  # never the developer's text
    assert shop.status(case_no) is Status.REQUESTED


def test_a_bad_upload_stores_nothing(shop: Shop, staff: FlaskClient) -> None:
    case_no = shop.open()
    shop.catch_up()
    html = follow(
        staff,
        post(
            staff,
            f"/merchant/cases/{case_no}/evidence",
            photos=(BytesIO(b"not an image"), "x.exe"),
        ),
    )
    assert "x.exe" in html
    assert shop.service.get_case(case_no).evidence == []


# -- the policy (R11, R19, R23) ----------------------------------------------------------------


PROCESS_TERMS = (
    "return_transit_days",
    "inspection_hours",
    "refund_review_hours",
    "replacement_ship_hours",
    "repair_days",
    "quote_answer_days",
    "ship_back_hours",
    "confirm_goods_days",
    "dispute_days",
    "post_close_days",
)


def policy_form(**changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "categories": "phone\nfruit",
        "return_window_days": "7",
        "consumer_ship_days": "7",
        "warranty_months": "12",
        "parts_warranty_months": "3",
        "warranty_parts": "battery",
        "accept_hours": "2",
        "repair_response_hours": "48",
        "first_response_hours": "24",
        "confirm_receipt_hours": "24",
        "refund_working_days": "7",
        "repair_fee_cap": "300",
        "after_sales_carrier": "顺丰速运 售后专线",
        "exclusion_category": ["fruit", ""],
        "exclusion_kind": ["fresh", ""],
        "exclusion_reason": ["生鲜易腐", ""],
        "note_category": ["phone", ""],
        "note_text": ["进水不保修", ""],
        "summary": "延长退货期",
        # the complete process (issue 7): the platform's defaults
        **{name: str(getattr(PLATFORM_FLOOR, name)) for name in PROCESS_TERMS},
    }
    form.update(changes)
    return form


def test_policy_page_is_prefilled_with_the_current_version(shop: Shop, staff: FlaskClient) -> None:
    shop.catch_up()
    html = staff.get("/merchant/policy").get_data(as_text=True)
    assert "In force now: version 1" in html
    assert 'name="return_window_days" type="number"' in html
    assert re.search(r'name="exclusion_reason" value="生鲜易腐"', html)
    assert 'data-testid="policy-history"' in html


def test_publishing_a_new_version_shows_it_and_its_history(shop: Shop, staff: FlaskClient) -> None:
    shop.catch_up()
    response = post(staff, "/merchant/policy", **policy_form(return_window_days="15"))
    html = follow(staff, response)
    assert "Version 2 of your after-sales policy is published" in html
    assert "In force now: version 2" in html
    with shop.app.app_context():
        current = current_policy(get_db(), STORE)
    assert current is not None
    assert current.terms.return_window_days == 15
    assert current.terms.repair_fee_cap_fen == 30_000
    assert current.terms.warranty_parts == ("battery",)
    assert [n.text for n in current.terms.notes] == ["进水不保修"]
    assert current.summary == "延长退货期"
    assert (current.actor_role, current.actor_id) == ("merchant", STAFF.id)


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("return_window_days", "3", "R1"),
        ("warranty_months", "6", "R5"),
        ("accept_hours", "5", "R12"),
        ("confirm_receipt_hours", "48", "R3"),
    ],
)
def test_a_version_below_the_platform_floor_is_refused_next_to_its_field(
    shop: Shop, staff: FlaskClient, field: str, value: str, rule: str
) -> None:
    shop.catch_up()
    response = post(staff, "/merchant/policy", **policy_form(**{field: value}))
    html = response.get_data(as_text=True)

    assert response.status_code == 400
    error = re.search(rf'data-field-error="{field}">([^<]*)<', html)
    assert error is not None, html
    assert f"({rule}, R19)" in error.group(1)
    assert f'id="f-{field}" name="{field}" type="number" min="1" step="1"' in html
    assert re.search(rf'name="{field}"[^>]*value="{value}"', html)  # what was typed stays
    assert 'value="顺丰速运 售后专线"' in html and "延长退货期" in html
    with shop.app.app_context():
        assert [v.number for v in policy_history(get_db(), STORE)] == [1]


def test_unreadable_policy_input_names_the_field(shop: Shop, staff: FlaskClient) -> None:
    shop.catch_up()
    response = post(
        staff,
        "/merchant/policy",
        **policy_form(
            warranty_months="twelve",
            repair_fee_cap="3oo",
            exclusion_category=["cosmetics"],
            exclusion_kind=["consumable"],
            exclusion_reason=["拆封不退"],
        ),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for field in ("warranty_months", "repair_fee_cap", "exclusions"):
        assert f'data-field-error="{field}"' in html, field
    assert "(R1.a)" in html and "(R6)" in html
    with shop.app.app_context():
        assert [v.number for v in policy_history(get_db(), STORE)] == [1]


def test_a_move_without_a_form_of_its_own_is_offered_by_its_generic_form(
    shop: Shop, staff: FlaskClient
) -> None:
    """Issue 7: the page shows every move the domain allows the store; sending goods back after a
    failed inspection (R14) has no form of its own, so its declared inputs make one."""
    case_no = shop.open()
    base = f"/merchant/cases/{case_no}"
    shop.do("accept", STAFF, case_no=case_no)
    shop.do("ship_return", CONSUMER, case_no=case_no, carrier="顺丰", tracking_no="SF1")
    shop.do("record_return_delivered", PLATFORM, case_no=case_no)
    shop.do("confirm_receipt", STAFF, case_no=case_no)
    photo = Evidence("ab" * 32, "crack.jpg", "image/jpeg", 1_000)
    shop.do(
        "inspect",
        STAFF,
        case_no=case_no,
        responsibility="user_damage",
        findings="屏幕碎裂",
        evidence=(photo,),
    )
    shop.catch_up()
    assert shop.status(case_no) is Status.INSPECTION_FAILED
    page = staff.get(f"{base}?lang=en").get_data(as_text=True)
    assert f"{base}/moves/ship_back" in page and "Send the goods back (R14)" in page
    assert 'name="carrier"' in page.split('data-action="ship_back"')[1].split("</form>")[0]

    refused = follow(staff, post(staff, f"{base}/moves/ship_back", carrier="顺丰"))
    assert "(R14)" in refused and shop.status(case_no) is Status.INSPECTION_FAILED
    follow(staff, post(staff, f"{base}/moves/ship_back", carrier="顺丰", tracking_no="SF9"))
    assert shop.status(case_no) is Status.GOODS_RETURNING
    assert post(staff, f"{base}/moves/no_such_move").status_code == 404
