"""Consumer pages (/my) on the demo scenario: own orders and cases only (everything else 404),
eligibility per line (R1, R1.a, R1.c, R3.a, R16), opening a case with evidence end to end with
R20 triage, upload checks, every case action once and refused in the wrong state with its rule,
and the shared case view (R21)."""

from __future__ import annotations

import hashlib
import re
import struct
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from domain import rules
from domain.lines import OrderLine, Tender
from domain.values import TenderKind
from projections.registry import make_runner
from projections.timeline import case_summary, timeline
from tests.web.conftest import (
    DEMO_PASSWORDS,
    confirm_review,
    csrf_token_for,
    login_as,
    rule_link,
    settled,
)
from web import get_db
from web.common.amounts import AmountError, parse_yuan
from web.demo import DIGITAL_STAFF, PLATFORM, SHOP_DIGITAL, SHOP_FRESH, ZHANG
from web.pages.consumer.base import REASONS_BY_KIND
from web.services import get_service

CONSUMER_PW = DEMO_PASSWORDS["consumer"]
SHANGHAI = ZoneInfo("Asia/Shanghai")


def png(size: int = 200, seed: bytes = b"x") -> bytes:
    """A real (tiny) PNG, padded with a private chunk to ``size`` bytes or more."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    head = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    body = chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
    pad = max(size - len(head) - len(body) - 24, 0)
    return head + chunk(b"prVt", seed + b"\x00" * pad) + body + chunk(b"IEND", b"")


def names_rule(text: str, rule: str) -> bool:
    """``rule`` appears as a rule id of its own (``R1`` is not found in ``R1.c`` or ``R12``)."""
    return re.search(rf"(?<![\w.]){re.escape(rule)}(?![\w]|\.[a-z])", text) is not None


def catch_up(app: Flask) -> None:
    with app.app_context():
        make_runner(get_service(), get_db()).catch_up()


def login(client: FlaskClient, username: str, password: str = CONSUMER_PW) -> None:
    response = login_as(client, username, password)
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def zhang(demo_client: FlaskClient) -> FlaskClient:
    login(demo_client, "zhangsan")
    return demo_client


def new_order(
    app: Flask,
    order_no: str,
    *,
    consumer: str = ZHANG.id,
    merchant: str = SHOP_DIGITAL,
    category: str = "earphones",
    title: str = "山海 A2 降噪耳机",
    quantity: int = 1,
    paid_fen: int = 59_900,
    delivered_days_ago: float | None = 1,
) -> None:
    """An order handed over now (delivered ``delivered_days_ago`` days ago), projections caught
    up."""
    now = datetime.now(UTC)
    with app.app_context():
        service = get_service()
        service.record_order(
            request_id=f"test:{order_no}",
            actor=PLATFORM,
            order_no=order_no,
            consumer_id=consumer,
            merchant_id=merchant,
            placed_at=now - timedelta(days=(delivered_days_ago or 0) + 2),
            lines=[
                OrderLine(
                    1,
                    "SKU-" + category,
                    title,
                    category,
                    quantity,
                    paid_fen,
                    (Tender(TenderKind.CARD, paid_fen),),
                )
            ],
            shipping_fee_fen=0,
        )
        if delivered_days_ago is not None:
            service.record_delivery(
                request_id=f"test:{order_no}:delivered",
                actor=PLATFORM,
                order_no=order_no,
                signed_at=now - timedelta(days=delivered_days_ago),
            )
    catch_up(app)


def open_form(
    client: FlaskClient,
    order_no: str,
    *,
    kind: str = "return_refund",
    reason: str = "no_reason",
    quantity: str = "1",
    description: str = "不想要了，七天无理由退货",
    files: list[tuple[bytes, str]] | None = None,
    request_id: str | None = None,
    line_no: int = 1,
) -> TestResponse:
    data: dict[str, Any] = {
        "csrf_token": csrf_token_for(client),
        "kind": kind,
        "reason": reason,
        "quantity": quantity,
        "description": description,
    }
    if request_id:
        data["request_id"] = request_id
    if files:
        data["photos"] = [(_stream(content), name) for content, name in files]
    url = f"/my/orders/{order_no}/lines/{line_no}/open"
    review = client.post(url, data=data, content_type="multipart/form-data")
    return confirm_review(client, url, review)


def _stream(content: bytes) -> Any:
    import io

    return io.BytesIO(content)


def opened_case_no(response: TestResponse) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)
    match = re.search(r"/my/cases/([A-Z0-9-]+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def post_action(client: FlaskClient, case_no: str, action: str, **data: Any) -> TestResponse:
    form: dict[str, Any] = {"csrf_token": csrf_token_for(client), **data}
    return client.post(
        f"/my/cases/{case_no}/{action}",
        data=form,
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def evidence_files(app: Flask) -> list[Path]:
    root = Path(app.config["DATA_DIR"]) / "evidence"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def case_count(app: Flask, consumer_id: str = ZHANG.id) -> int:
    with app.app_context(), get_db().connect() as conn:
        row = conn.execute(
            "SELECT COUNT(*) AS n FROM case_summary WHERE consumer_id = ?", (consumer_id,)
        ).fetchone()
    return int(row["n"])


def service_call(app: Flask, command: str, **kwargs: Any) -> None:
    with app.app_context():
        getattr(get_service(), command)(request_id=f"test:{command}:{kwargs}", **kwargs)
    catch_up(app)


# --- access ---------------------------------------------------------------------------------


def test_orders_list_only_the_consumers_own_orders(zhang: FlaskClient) -> None:
    page = zhang.get("/my/orders?lang=en").get_data(as_text=True)
    for own in ("DEMO-O-1001", "DEMO-O-1004", "DEMO-O-1007"):
        assert own in page
    for other in ("DEMO-O-1002", "DEMO-O-1003", "DEMO-O-1005", "DEMO-O-1006", "DEMO-O-1008"):
        assert other not in page
    assert "山海 X1 手机 256G" in page and "¥3,999.00" in page


def test_cases_list_only_the_consumers_own_cases(zhang: FlaskClient) -> None:
    page = zhang.get("/my/cases?lang=en").get_data(as_text=True)
    for own in ("DEMO-C-0001", "DEMO-C-0002", "DEMO-C-0005", "DEMO-C-0010"):
        assert own in page
    for other in ("DEMO-C-0003", "DEMO-C-0004", "DEMO-C-0006", "DEMO-C-0008", "DEMO-C-0011"):
        assert other not in page
    # DEMO-C-0010 waits for the merchant's receipt confirmation: a live countdown (R3)
    assert "data-countdown" in page


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/my/orders/DEMO-O-1002"),
        ("get", "/my/orders/DEMO-O-1002?line=1"),
        ("get", "/my/orders/DEMO-O-1002/lines/1/open"),
        ("post", "/my/orders/DEMO-O-1002/lines/1/open"),
        ("get", "/my/orders/NO-SUCH-ORDER"),
        ("get", "/my/orders/DEMO-O-1001/lines/9/open"),
        ("get", "/my/cases/DEMO-C-0003"),
        ("get", "/my/cases/DEMO-C-0008"),
        ("get", "/my/cases/NO-SUCH-CASE"),
        ("post", "/my/cases/DEMO-C-0003/withdraw"),
        ("post", "/my/cases/DEMO-C-0003/rate"),
        ("post", "/my/cases/DEMO-C-0006/quote"),
        ("post", "/my/cases/DEMO-C-0008/evidence"),
        ("post", "/my/cases/DEMO-C-0001/no-such-action"),
    ],
)
def test_anything_of_another_consumer_is_404(zhang: FlaskClient, method: str, path: str) -> None:
    data = {"csrf_token": csrf_token_for(zhang), "score": "5", "answer": "accept"}
    response = zhang.post(path, data=data) if method == "post" else zhang.get(path)
    assert response.status_code == 404


def test_other_roles_cannot_use_consumer_pages(demo_client: FlaskClient) -> None:
    login(demo_client, "shanhai", DEMO_PASSWORDS["merchant"])
    assert demo_client.get("/my/orders").status_code == 403
    assert demo_client.get("/my/cases/DEMO-C-0001").status_code == 403
    demo_client.post("/logout", data={"csrf_token": csrf_token_for(demo_client)})
    anonymous = demo_client.get("/my/orders")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_consumers_home_is_their_orders(zhang: FlaskClient) -> None:
    response = zhang.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/my/orders")


# --- eligibility (R1, R1.a, R1.c, R3.a, R16) ------------------------------------------------


def test_each_line_says_whether_it_can_still_be_returned_and_why(
    demo_app: Flask, zhang: FlaskClient
) -> None:
    new_order(demo_app, "T-OPEN-1")
    page = zhang.get("/my/orders?lang=en").get_data(as_text=True)
    # inside the window: open until a date, with a countdown
    assert "Yes, you can return it without giving a reason." in page
    # DEMO-O-1007 was delivered weeks ago: window closed (R1), quality still covered (R1.c)
    assert "window closed at" in page and rule_link("R1.c", "R5", lang="en") in page
    # DEMO-O-1004's only unit is under DEMO-C-0010 (R3.a)
    assert rule_link("R3.a", lang="en") in page


def test_an_excluded_category_names_r1a_and_the_stores_reason(
    demo_app: Flask, demo_client: FlaskClient
) -> None:
    new_order(
        demo_app,
        "T-FRUIT-1",
        consumer="c2003",
        merchant=SHOP_FRESH,
        category="fruit",
        title="徐香猕猴桃 5斤装",
        paid_fen=6_990,
    )
    login(demo_client, "wangwu")
    order = demo_client.get("/my/orders/T-FRUIT-1?lang=en&line=1").get_data(as_text=True)
    assert (
        rule_link("R1.a", lang="en")
    ) in order and "生鲜易腐，签收后不支持七天无理由退货" in order
    before = case_count(demo_app, "c2003")
    refused = open_form(demo_client, "T-FRUIT-1", description="不想要了")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert names_rule(text, "R1.a") and "生鲜易腐，签收后不支持七天无理由退货" in text
    assert case_count(demo_app, "c2003") == before


def test_outside_the_window_the_form_refuses_naming_r1_and_the_deadline(
    demo_app: Flask, zhang: FlaskClient
) -> None:
    with demo_app.app_context():
        service = get_service()
        order = service.get_order("DEMO-O-1007")
        _version, terms = service.get_policy(order.merchant_id).applicable(
            order.placed_at, datetime.now(UTC)
        )
        assert order.delivered_at is not None
        window_end = rules.no_reason_window_end(order.delivered_at, terms)
    before = case_count(demo_app)
    response = open_form(zhang, "DEMO-O-1007", description="不想要了")
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert names_rule(text, "R1")
    # the window ends at 24:00 of its last day (policy.md "Clocks"), never the next day's 00:00
    last_day = (window_end.astimezone(SHANGHAI) - timedelta(days=1)).date().isoformat()
    assert f"{last_day} 24:00" in text
    assert window_end.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") not in text
    assert case_count(demo_app) == before


def test_the_answer_box_answers_for_the_chosen_line(demo_app: Flask, zhang: FlaskClient) -> None:
    new_order(demo_app, "T-ASK-1")
    page = zhang.get("/my/orders/T-ASK-1?line=1&lang=en").get_data(as_text=True)
    assert "Can I still return this?" in page
    assert 'id="ask-answer"' in page
    answer = page.split('id="ask-answer"', 1)[1]
    assert "Yes, you can return it without giving a reason." in answer
    assert names_rule(answer, "R1") and "data-countdown" in answer
    missing = zhang.get("/my/orders/T-ASK-1?line=7&lang=en").get_data(as_text=True)
    assert "this order has no such line" in missing


def test_the_forms_reasons_agree_with_the_domain() -> None:
    from domain.rules import _COMPATIBLE

    for kind, reasons in REASONS_BY_KIND.items():
        allowed = {r.value for r in _COMPATIBLE[kind]}  # type: ignore[index]
        assert set(reasons) <= allowed, kind


def test_parse_yuan_never_uses_floats() -> None:
    assert parse_yuan("12") == 1200
    assert parse_yuan("12.5") == 1250
    assert parse_yuan("¥0.07") == 7
    assert parse_yuan("19.99") == 1999
    for bad in ("", "-1", "1.234", "abc", "1e3"):
        with pytest.raises(AmountError):
            parse_yuan(bad)


# --- opening a case end to end --------------------------------------------------------------


def test_opening_a_no_reason_return_inside_the_window_works_end_to_end(
    demo_app: Flask, zhang: FlaskClient
) -> None:
    new_order(demo_app, "T-OPEN-2")
    form = zhang.get("/my/orders/T-OPEN-2/lines/1/open")
    assert form.status_code == 200
    assert 'enctype="multipart/form-data"' in form.get_data(as_text=True)

    photo = png(600, b"scratch")
    response = open_form(
        zhang, "T-OPEN-2", description="不想要了，七天无理由退货", files=[(photo, "开箱.png")]
    )
    case_no = opened_case_no(response)

    # stored by content hash, the hash recorded in the event
    digest = hashlib.sha256(photo).hexdigest()
    stored = Path(demo_app.config["DATA_DIR"]) / "evidence" / digest[:2] / digest
    assert stored.read_bytes() == photo
    settled(demo_app)  # the worker projects it (issue 12)
    with demo_app.app_context():
        steps = timeline(get_db(), case_no, include_internal=True)
        summary = case_summary(get_db(), case_no)
    assert summary is not None and summary.status == "requested"
    assert steps[0].step == "opened"
    assert steps[0].evidence == [
        {"sha256": digest, "name": "开箱.png", "media_type": "image/png", "size": len(photo)}
    ]
    # R20 triage recorded as an internal step by the system
    routed = [s for s in steps if s.step == "routed"]
    assert routed and routed[0].actor_role == "system" and routed[0].internal
    assert routed[0].details["classified_kind"] == "return_refund"
    assert "七天无理由" in routed[0].reason

    # the case page: Chinese by default, every step, the evidence with its hash, no triage
    zh = zhang.get(f"/my/cases/{case_no}")
    assert zh.status_code == 200
    zh_text = zh.get_data(as_text=True)
    assert 'lang="zh-CN"' in zh_text
    assert 'data-step="opened"' in zh_text
    assert 'data-step="routed"' not in zh_text  # P4: internal steps hidden from consumers
    with demo_app.test_request_context("/?lang=zh_CN"):
        from flask_babel import gettext

        assert gettext("Application submitted") in zh_text
    assert "开箱.png" in zh_text and digest[:12] in zh_text and digest in zh_text
    assert f"/my/evidence/{digest}" in zh_text
    assert "<ol" in zh_text and "data-countdown" in zh_text  # R12 decision clock

    en = zhang.get(f"/my/cases/{case_no}?lang=en").get_data(as_text=True)
    assert 'lang="en"' in en and "Application submitted" in en
    assert "Waiting for the merchant&#39;s decision" in en or "Waiting for the merchant's" in en
    assert "Merchant accepts or rejects" in en and "R12" in en

    # the download serves the same bytes to the owner
    download = zhang.get(f"/my/evidence/{digest}")
    assert download.status_code == 200 and download.data == photo
    assert download.mimetype == "image/png"

    # the order now counts the claimed unit (R3.a)
    order_page = zhang.get("/my/orders/T-OPEN-2?lang=en").get_data(as_text=True)
    assert case_no in order_page and rule_link("R3.a", lang="en") in order_page


def test_the_same_form_submitted_twice_opens_one_case(demo_app: Flask, zhang: FlaskClient) -> None:
    new_order(demo_app, "T-TWICE", quantity=2, paid_fen=119_800)
    before = case_count(demo_app)
    first = opened_case_no(open_form(zhang, "T-TWICE", request_id="rid-twice"))
    second = opened_case_no(open_form(zhang, "T-TWICE", request_id="rid-twice"))
    assert first == second
    assert case_count(demo_app) == before + 1


def test_staff_see_the_triage_on_the_case_page(demo_app: Flask, demo_client: FlaskClient) -> None:
    new_order(demo_app, "T-TRIAGE")
    login(demo_client, "zhangsan")
    case_no = opened_case_no(open_form(demo_client, "T-TRIAGE", description="耳机坏了，要维修"))
    settled(demo_app)
    from web.common.accounts import get_account
    from web.common.casepage import load_case_view

    with demo_app.test_request_context("/?lang=en"):
        from flask import g, render_template_string

        g.account = get_account(get_db(), "agent")
        g.auth_method = "session"
        view = load_case_view(case_no, include_internal=True)
        assert view.triage is not None and view.triage.kind == "repair"
        html = render_template_string(
            '{% include "case/_header.html" %}{% include "case/_timeline.html" %}', view=view
        )
    assert "Automatic triage (R20)" in html and "维修" in html
    assert "{merchant_id}" not in html and "山海数码旗舰店" in html  # its name (issue 11 item 4)
    assert 'data-step="routed"' in html


def test_bad_form_input_names_the_field_and_stores_nothing(
    demo_app: Flask, zhang: FlaskClient
) -> None:
    new_order(demo_app, "T-BAD")
    before = case_count(demo_app)
    for data, field_text in (
        ({"kind": "teleport"}, "Type:"),
        ({"reason": "user_damage"}, "Reason:"),  # not a reason for a return
        ({"quantity": "2"}, "Quantity:"),
        ({"quantity": "zero"}, "Quantity:"),
        ({"description": "x" * 2001}, "Description:"),
    ):
        response = zhang.post(
            "/my/orders/T-BAD/lines/1/open?lang=en",
            data={
                "csrf_token": csrf_token_for(zhang),
                "kind": "return_refund",
                "reason": "no_reason",
                "quantity": "1",
                "description": "ok",
                **data,
            },
        )
        assert response.status_code == 400, data
        assert field_text in response.get_data(as_text=True), data
    assert case_count(demo_app) == before
    assert evidence_files(demo_app) == []


# --- uploads --------------------------------------------------------------------------------


def test_a_file_that_is_not_an_image_or_pdf_is_refused_naming_the_field(
    demo_app: Flask, zhang: FlaskClient
) -> None:
    new_order(demo_app, "T-UP-1")
    before = case_count(demo_app)
    response = zhang.post(
        "/my/orders/T-UP-1/lines/1/open?lang=en",
        data={
            "csrf_token": csrf_token_for(zhang),
            "kind": "return_refund",
            "reason": "no_reason",
            "quantity": "1",
            "description": "不想要了",
            "photos": [
                (_stream(png(100)), "good.png"),
                (_stream(b"MZ\x90\x00 not a picture at all"), "photo.jpg"),
            ],
        },
        content_type="multipart/form-data",
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Photos and documents" in text and "photo.jpg" in text
    assert "not a JPEG, PNG, WebP or PDF" in text
    assert evidence_files(demo_app) == []  # not even the good one
    assert case_count(demo_app) == before


def test_jpeg_webp_and_pdf_are_accepted_by_their_first_bytes(
    demo_app: Flask, zhang: FlaskClient
) -> None:
    new_order(demo_app, "T-UP-2")
    files = [
        (b"\xff\xd8\xff\xe0" + b"\x00" * 50, "a.bin"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 20, "b"),
        (b"%PDF-1.7\n%\xe2\xe3\n" + b"0" * 30, "发票.pdf"),
    ]
    case_no = opened_case_no(open_form(zhang, "T-UP-2", files=files))
    settled(demo_app)
    with demo_app.app_context():
        (opened,) = [s for s in timeline(get_db(), case_no) if s.step == "opened"]
    assert [e["media_type"] for e in opened.evidence] == [
        "image/jpeg",
        "image/webp",
        "application/pdf",
    ]
    assert len(evidence_files(demo_app)) == 3


def test_a_file_over_the_per_file_limit_is_a_form_error(
    demo_app: Flask, zhang: FlaskClient
) -> None:
    new_order(demo_app, "T-UP-3")
    demo_app.config["EVIDENCE_MAX_BYTES"] = 1024 * 1024
    before = case_count(demo_app)
    response = open_form(zhang, "T-UP-3", files=[(png(1024 * 1024 + 1), "big.png")])
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "big.png" in text and "1 MB" in text
    assert evidence_files(demo_app) == [] and case_count(demo_app) == before


def test_a_request_over_the_apps_limit_is_413(demo_app: Flask, zhang: FlaskClient) -> None:
    new_order(demo_app, "T-UP-4")
    demo_app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    before = case_count(demo_app)
    response = open_form(zhang, "T-UP-4", files=[(png(100 * 1024), "huge.png")])
    assert response.status_code == 413
    assert evidence_files(demo_app) == [] and case_count(demo_app) == before


def test_evidence_downloads_only_for_people_who_may_see_a_case_carrying_it(
    demo_app: Flask, demo_client: FlaskClient
) -> None:
    new_order(demo_app, "T-UP-5")
    login(demo_client, "zhangsan")
    photo = png(300, b"proof")
    digest = hashlib.sha256(photo).hexdigest()
    opened_case_no(open_form(demo_client, "T-UP-5", files=[(photo, "proof.png")]))
    assert demo_client.get(f"/my/evidence/{digest}").status_code == 200
    assert demo_client.get(f"/evidence/{digest}").status_code == 200

    for username, password, allowed in (
        ("lisi", CONSUMER_PW, False),
        ("xianguo", DEMO_PASSWORDS["merchant"], False),  # another store
        ("shanhai", DEMO_PASSWORDS["merchant"], True),  # the case's store
        ("agent", DEMO_PASSWORDS["platform_agent"], True),
    ):
        other = demo_app.test_client()
        login(other, username, password)
        response = other.get(f"/evidence/{digest}")
        assert response.status_code == (200 if allowed else 404), username
        if allowed:
            assert response.data == photo
        if username == "lisi":
            assert other.get(f"/my/evidence/{digest}").status_code == 404
    # unknown and malformed hashes
    assert demo_client.get("/my/evidence/" + "0" * 64).status_code == 404
    assert demo_client.get("/my/evidence/../../etc/passwd").status_code == 404
    assert demo_client.get("/my/evidence/ABC").status_code == 404


# --- case actions ---------------------------------------------------------------------------


@pytest.fixture
def fresh_case(demo_app: Flask, zhang: FlaskClient) -> Iterator[str]:
    new_order(demo_app, "T-ACT")
    yield opened_case_no(open_form(zhang, "T-ACT"))


def flashes(page: str) -> list[str]:
    return re.findall(r'<p class="flash flash--(\w+)">(.*?)</p>', page, flags=re.S)  # type: ignore[return-value]


def status_of(app: Flask, case_no: str) -> str:
    settled(app)  # the worker projects what the test just did (issue 12)
    with app.app_context():
        summary = case_summary(get_db(), case_no)
    assert summary is not None
    return summary.status


def test_ship_the_return_once_then_refused_with_r13(
    demo_app: Flask, zhang: FlaskClient, fresh_case: str
) -> None:
    page = zhang.get(f"/my/cases/{fresh_case}?lang=en").get_data(as_text=True)
    assert 'data-action="ship"' not in page  # not accepted yet
    service_call(demo_app, "accept", actor=DIGITAL_STAFF, case_no=fresh_case)
    page = zhang.get(f"/my/cases/{fresh_case}?lang=en").get_data(as_text=True)
    assert 'data-action="ship"' in page
    assert "顺丰速运 售后专线" in page  # the store's after-sales carrier (R25)

    bad = post_action(zhang, fresh_case, "ship", carrier="顺丰速运", tracking_no="", fee="8")
    assert "Tracking number" in bad.get_data(as_text=True) or "运单" in bad.get_data(as_text=True)
    bad_fee = post_action(
        zhang, fresh_case, "ship", carrier="顺丰速运", tracking_no="SF1", fee="8.999"
    )
    assert status_of(demo_app, fresh_case) == "awaiting_return"
    assert bad_fee.status_code == 200

    done = post_action(
        zhang,
        fresh_case,
        "ship",
        carrier="顺丰速运",
        tracking_no="SF1234567890",
        fee="12.50",
        request_id="ship-1",
    )
    assert status_of(demo_app, fresh_case) == "return_in_transit"
    text = zhang.get(f"/my/cases/{fresh_case}?lang=en").get_data(as_text=True)
    assert "SF1234567890" in text and "¥12.50" in text
    assert [k for k, _ in flashes(done.get_data(as_text=True))] == ["success"]

    again = post_action(zhang, fresh_case, "ship", carrier="顺丰速运", tracking_no="SF999", fee="0")
    kinds = flashes(again.get_data(as_text=True))
    assert kinds and kinds[-1][0] == "error" and "R13" in kinds[-1][1]


def test_withdraw_once_then_refused_naming_the_rule(
    demo_app: Flask, zhang: FlaskClient, fresh_case: str
) -> None:
    post_action(zhang, fresh_case, "withdraw", reason="决定留下")
    assert status_of(demo_app, fresh_case) == "withdrawn"
    again = flashes(post_action(zhang, fresh_case, "withdraw").get_data(as_text=True))
    assert again[-1][0] == "error" and "R21" in again[-1][1]
    page = zhang.get(f"/my/cases/{fresh_case}?lang=en").get_data(as_text=True)
    assert 'data-action="withdraw"' not in page and 'data-action="evidence"' not in page
    # evidence on a withdrawn case: refused (R21), nothing stored
    files = len(evidence_files(demo_app))
    refused = post_action(zhang, fresh_case, "evidence", photos=[(_stream(png(120)), "x.png")])
    messages = flashes(refused.get_data(as_text=True))
    assert messages[-1][0] == "error" and "R21" in messages[-1][1]
    assert len(evidence_files(demo_app)) == files


def test_add_evidence_then_complain_once(
    demo_app: Flask, zhang: FlaskClient, fresh_case: str
) -> None:
    photo = png(150, b"later")
    added = post_action(
        zhang, fresh_case, "evidence", photos=[(_stream(photo), "later.png")], reason="补充"
    )
    assert flashes(added.get_data(as_text=True))[-1][0] == "success"
    page = zhang.get(f"/my/cases/{fresh_case}?lang=en").get_data(as_text=True)
    assert 'data-step="evidence_submitted"' in page and "later.png" in page

    empty = post_action(zhang, fresh_case, "complain", reason="")
    assert flashes(empty.get_data(as_text=True))[-1][0] == "error"
    post_action(zhang, fresh_case, "complain", reason="商家一直不处理")
    page = zhang.get(f"/my/cases/{fresh_case}?lang=en").get_data(as_text=True)
    assert 'data-step="complaint_filed"' in page
    assert 'data-action="complain"' not in page
    again = flashes(post_action(zhang, fresh_case, "complain", reason="再投诉").get_data(True))
    assert again[-1][0] == "error" and "R9" in again[-1][1]


def test_arbitration_after_a_rejection_once_then_refused_with_r10(
    demo_app: Flask, zhang: FlaskClient, fresh_case: str
) -> None:
    early = flashes(post_action(zhang, fresh_case, "escalate", reason="x").get_data(True))
    assert early[-1][0] == "error" and "R10" in early[-1][1]  # the merchant has not answered yet
    service_call(demo_app, "reject", actor=DIGITAL_STAFF, case_no=fresh_case, reason="影响二次销售")
    page = zhang.get(f"/my/cases/{fresh_case}?lang=en").get_data(as_text=True)
    assert 'data-action="escalate"' in page and "影响二次销售" in page
    post_action(zhang, fresh_case, "escalate", reason="包装完好，商家无理拒绝")
    assert status_of(demo_app, fresh_case) == "in_arbitration"
    again = flashes(post_action(zhang, fresh_case, "escalate", reason="再次").get_data(True))
    assert again[-1][0] == "error" and "R10" in again[-1][1]


def test_rate_a_closed_case_once_then_refused_with_r18(demo_app: Flask, zhang: FlaskClient) -> None:
    assert status_of(demo_app, "DEMO-C-0002") == "closed"
    page = zhang.get("/my/cases/DEMO-C-0002?lang=en").get_data(as_text=True)
    assert 'data-action="rate"' in page
    bad = flashes(post_action(zhang, "DEMO-C-0002", "rate", score="9").get_data(True))
    assert bad[-1][0] == "error" and "R18" in bad[-1][1]
    post_action(zhang, "DEMO-C-0002", "rate", score="4", comment="还行")
    with demo_app.app_context():
        summary = case_summary(get_db(), "DEMO-C-0002")
    assert summary is not None and summary.rating == 4
    again = flashes(post_action(zhang, "DEMO-C-0002", "rate", score="5").get_data(True))
    assert again[-1][0] == "error" and "R18" in again[-1][1]
    # an open case cannot be rated either
    early = flashes(post_action(zhang, "DEMO-C-0010", "rate", score="5").get_data(True))
    assert early[-1][0] == "error" and "R18" in early[-1][1]


def test_answer_a_repair_quote_once_then_refused_with_r6(
    demo_app: Flask, zhang: FlaskClient
) -> None:
    new_order(demo_app, "T-REPAIR", delivered_days_ago=20)
    case_no = opened_case_no(
        open_form(
            zhang, "T-REPAIR", kind="repair", reason="user_damage", description="摔坏了，维修"
        )
    )
    early = flashes(post_action(zhang, case_no, "quote", answer="accept").get_data(True))
    assert early[-1][0] == "error" and "R6" in early[-1][1]
    service_call(demo_app, "accept", actor=DIGITAL_STAFF, case_no=case_no)
    service_call(
        demo_app, "ship_return", actor=ZHANG, case_no=case_no, carrier="顺丰", tracking_no="SF1"
    )
    service_call(demo_app, "record_return_delivered", actor=PLATFORM, case_no=case_no)
    service_call(demo_app, "confirm_receipt", actor=DIGITAL_STAFF, case_no=case_no)
    service_call(
        demo_app,
        "inspect",
        actor=DIGITAL_STAFF,
        case_no=case_no,
        responsibility="user_damage",
        findings="外壳摔裂",
    )
    service_call(
        demo_app, "quote_repair", actor=DIGITAL_STAFF, case_no=case_no, fee_fen=8_800, reason="换壳"
    )
    page = zhang.get(f"/my/cases/{case_no}?lang=en").get_data(as_text=True)
    assert 'data-action="quote"' in page and "¥88.00" in page
    post_action(zhang, case_no, "quote", answer="decline", reason="太贵")
    assert status_of(demo_app, case_no) == "returning_unrepaired"
    again = flashes(post_action(zhang, case_no, "quote", answer="accept").get_data(True))
    assert again[-1][0] == "error" and "R6" in again[-1][1]


def test_actions_refuse_without_a_csrf_token(zhang: FlaskClient) -> None:
    response = zhang.post("/my/cases/DEMO-C-0010/withdraw", data={"reason": "x"})
    assert response.status_code == 400


def test_the_case_page_shows_every_step_with_amounts_and_deadlines(
    zhang: FlaskClient,
) -> None:
    page = zhang.get("/my/cases/DEMO-C-0002?lang=en").get_data(as_text=True)
    for step in (
        "opened",
        "accepted",
        "return_shipped",
        "return_delivered",
        "receipt_confirmed",
        "inspected",
        "compensation_granted",
        "refund_approved",
        "compensation_paid",
        "refund_paid",
        "closed",
    ):
        assert f'data-step="{step}"' in page, step
    assert "¥50.00" in page  # compensation, from 5000 fen
    assert "deadline met" in page
    assert "屏幕绿线.jpg" in page
    assert "山海数码 · 客服小周" in page  # staff display names


def test_the_shared_evidence_route_needs_a_log_in(
    demo_app: Flask,
) -> None:
    # The shared /evidence route needs a log-in.
    client = demo_app.test_client()
    response = client.get("/evidence/" + "a" * 64)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
