"""The JSON API (/api/v1) used on its own: a whole return-refund from the consumer's application to
finance's payment, idempotent repeats, scopes (own orders, cases, queues), evidence by SHA-256,
policies, the ledger, reconciliation and metrics.

``World`` (also used by the other API and finance tests) is an app whose service runs on a clock
the test moves, with a store policy, an order and one bearer token per role."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from domain.lines import OrderLine, Tender
from domain.service import AfterSales
from domain.values import Actor, Role, TenderKind
from projections.registry import make_runner
from tests.web.conftest import PASSWORD, ROLE_ACCOUNTS, make_app
from web import get_db
from web.common import accounts

PLATFORM = Actor(Role.SYSTEM, "commerce-platform")
MERCHANT_ID = ROLE_ACCOUNTS["merchant"].merchant_id or "M3001"
CONSUMER_ID = ROLE_ACCOUNTS["consumer"].party_id
#: A second consumer and a second store's staff: strangers to the world's cases.
STRANGERS = {
    "other_consumer": ("zhou.xun", "consumer", "周迅", "C7777", None),
    "other_merchant": ("other.shop", "merchant", "别家店", "S7777", "M7777"),
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@dataclass
class MovableClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class World:
    app: Flask
    client: FlaskClient
    clock: MovableClock
    tokens: dict[str, dict[str, str]] = field(default_factory=dict)
    orders: int = 0

    @property
    def service(self) -> AfterSales:
        service: AfterSales = self.app.config["SERVICE"]
        return service

    def settle(self) -> None:
        """What the background projection runner does: catch every read model up."""
        with self.app.app_context():
            make_runner(self.service, get_db()).catch_up()

    def get(self, who: str | None, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get(path, headers=self.tokens.get(who or "", {}), **kwargs)

    def post(self, who: str | None, path: str, body: Any = None, **kwargs: Any) -> TestResponse:
        headers = self.tokens.get(who or "", {})
        if body is None:
            return self.client.post(path, headers=headers, **kwargs)
        return self.client.post(path, json=body, headers=headers, **kwargs)

    def command(
        self, who: str, case_no: str, name: str, request_id: str | None = None, **body: Any
    ) -> TestResponse:
        payload = {"request_id": request_id or str(uuid.uuid4()), **body}
        return self.post(who, f"/api/v1/cases/{case_no}/{name}", payload)

    def ok(self, who: str, case_no: str, name: str, **body: Any) -> dict[str, Any]:
        response = self.command(who, case_no, name, **body)
        assert response.status_code == 200, (name, response.status_code, response.json)
        data: dict[str, Any] = response.json or {}
        return data

    def order(
        self,
        *,
        paid_fen: int = 199_900,
        tenders: tuple[Tender, ...] | None = None,
        category: str = "phone",
        delivered_days_ago: float | None = 2,
        consumer_id: str = CONSUMER_ID,
    ) -> str:
        """Record an order (as the commerce platform) placed 3 days ago, delivered days ago."""
        self.orders += 1
        order_no = f"O-{self.orders:04d}"
        tenders = tenders or (Tender(TenderKind.CARD, paid_fen),)
        now = self.clock.now
        with self.app.app_context():
            self.service.record_order(
                request_id=f"order:{order_no}",
                actor=PLATFORM,
                order_no=order_no,
                consumer_id=consumer_id,
                merchant_id=MERCHANT_ID,
                placed_at=now - timedelta(days=3),
                lines=[OrderLine(1, "SKU-1", "旗舰手机 X1", category, 1, paid_fen, tenders)],
                shipping_fee_fen=0,
            )
            if delivered_days_ago is not None:
                self.service.record_delivery(
                    request_id=f"delivery:{order_no}",
                    actor=PLATFORM,
                    order_no=order_no,
                    signed_at=now - timedelta(days=delivered_days_ago),
                )
        return order_no

    def open_case(
        self,
        order_no: str,
        *,
        kind: str = "return_refund",
        reason_code: str = "no_reason",
        who: str = "consumer",
        **extra: Any,
    ) -> str:
        body = {
            "request_id": str(uuid.uuid4()),
            "order_no": order_no,
            "kind": kind,
            "reason_code": reason_code,
            "lines": [{"line_no": 1, "quantity": 1}],
            **extra,
        }
        response = self.post(who, "/api/v1/cases", body)
        assert response.status_code == 201, response.json
        case_no: str = (response.json or {})["case_no"]
        return case_no

    def refund_approved(self, order_no: str | None = None, **inspect: Any) -> str:
        """A return-refund carried through to an approved refund, through the API."""
        case_no = self.open_case(order_no or self.order())
        self.ok("merchant", case_no, "accept")
        self.ok("consumer", case_no, "ship-return", carrier="顺丰速运", tracking_no="SF1001")
        self.ok("merchant", case_no, "return-delivered")
        self.ok("merchant", case_no, "confirm-receipt")
        self.ok(
            "merchant",
            case_no,
            "inspect",
            responsibility=inspect.get("responsibility", "no_fault"),
            findings="完好，可二次销售",
        )
        self.ok("platform_agent", case_no, "approve-refund")
        return case_no

    def upload_png(self, who: str = "consumer", data: bytes = PNG) -> str:
        response = self.post(
            who,
            "/api/v1/evidence",
            data={"file": (io.BytesIO(data), "photo.png")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 201, response.json
        sha: str = (response.json or {})["sha256"]
        return sha


def make_world(tmp_path: Path, *, policy: dict[str, Any] | None = None, **config: Any) -> World:
    """An app on a fresh database with one account per role (and two strangers), a store policy
    published through the API 30 days ago, and the clock at the real present."""
    start = datetime.now(UTC) - timedelta(days=30)
    clock = MovableClock(start)
    app = make_app(tmp_path, **config)
    app.config["SERVICE"] = AfterSales.from_url(app.config["DATABASE_URL"], clock=clock)
    world = World(app, app.test_client(), clock)
    specs = [
        (s.username, role, s.display_name, s.party_id, s.merchant_id)
        for role, s in ROLE_ACCOUNTS.items()
    ]
    with app.app_context():
        db = get_db()
        for username, role, display, party, merchant in specs:
            accounts.create_account(db, username, PASSWORD, role, display, party, merchant)
            world.tokens[role] = {"Authorization": f"Bearer {accounts.issue_token(db, username)}"}
        for key, (username, role, display, party, merchant) in STRANGERS.items():
            accounts.create_account(db, username, PASSWORD, role, display, party, merchant)
            world.tokens[key] = {"Authorization": f"Bearer {accounts.issue_token(db, username)}"}
    terms = policy or {"categories": ["phone", "fresh"]}
    response = world.post(
        "merchant",
        f"/api/v1/policies/{MERCHANT_ID}",
        {"request_id": "policy-v1", "terms": terms, "summary": "七天无理由退货"},
    )
    assert response.status_code == 201, response.json
    clock.now = datetime.now(UTC) - timedelta(seconds=30)
    return world


@pytest.fixture
def world(tmp_path: Path, clean_environ: None) -> Iterator[World]:
    built = make_world(tmp_path)
    yield built
    with built.app.app_context():
        get_db().close()


# --- the whole flow -----------------------------------------------------------------------------


def test_return_refund_from_application_to_payment_through_the_api_alone(world: World) -> None:
    order_no = world.order(
        paid_fen=199_900,
        tenders=(Tender(TenderKind.CARD, 150_000), Tender(TenderKind.POINTS, 49_900)),
    )
    # R16: the consumer asks first whether a no-reason return is still open.
    order = world.get("consumer", f"/api/v1/orders/{order_no}").json
    assert order is not None
    line = order["lines"][0]
    assert line["answer"]["code"] == "no_reason_open"
    assert line["answer"]["rule"] == "R1"
    assert line["answer"]["deadline"].endswith("Z")
    verdicts = {(v["kind"], v["reason_code"]): v for v in line["eligibility"]}
    assert verdicts[("return_refund", "no_reason")]["allowed"] is True
    assert verdicts[("refund_only", "not_delivered")]["allowed"] is False

    case_no = world.open_case(order_no, description="不想要了")
    steps = [
        ("merchant", "accept", {}),
        ("consumer", "ship-return", {"carrier": "顺丰速运", "tracking_no": "SF1234567890"}),
        ("merchant", "return-delivered", {}),
        ("merchant", "confirm-receipt", {}),
        ("merchant", "inspect", {"responsibility": "no_fault", "findings": "包装完好"}),
        ("platform_agent", "approve-refund", {}),
    ]
    versions = []
    for who, name, body in steps:
        result = world.ok(who, case_no, name, **body)
        assert result["case_no"] == case_no
        assert result["command"] == name
        assert result["replayed"] is False
        versions.append(result["version"])
    assert versions == sorted(versions)
    assert result["detail"] == {"total_fen": 199_900}  # R3.a: the whole line, no shipping (R2)

    world.settle()
    due = world.get("finance", "/api/v1/ledger/refunds-due").json
    assert due is not None
    (refund,) = due["items"]
    assert refund["case_no"] == case_no
    assert (refund["total_fen"], refund["money_fen"], refund["in_kind_fen"]) == (
        199_900,
        150_000,
        49_900,
    )
    assert refund["overdue"] is False and refund["due_at"].endswith("Z")

    paid = world.ok("finance", case_no, "refund-paid", psp_reference="WX-RF-0001")
    assert paid["replayed"] is False
    world.settle()

    detail = world.get("consumer", f"/api/v1/cases/{case_no}").json
    assert detail is not None
    assert detail["case"]["status"] == "closed"
    assert detail["case"]["refund_paid_fen"] == 199_900
    assert [s["step"] for s in detail["timeline"]] == [
        "opened",
        "accepted",
        "return_shipped",
        "return_delivered",
        "receipt_confirmed",
        "inspected",
        "refund_approved",
        "refund_paid",
        "closed",
    ]
    assert world.get("finance", "/api/v1/ledger/refunds-due").json == {"items": []}
    journal = world.get("finance", f"/api/v1/ledger/journal?case_no={case_no}").json
    assert journal is not None
    debits = sum(line["debit_fen"] for line in journal["items"])
    credits = sum(line["credit_fen"] for line in journal["items"])
    assert debits == credits == 199_900 + 150_000


def test_a_repeated_request_id_returns_the_first_result_marked_replayed(world: World) -> None:
    case_no = world.open_case(world.order())
    first = world.command("merchant", case_no, "accept", request_id="accept-once")
    again = world.command("merchant", case_no, "accept", request_id="accept-once")
    assert first.status_code == again.status_code == 200
    assert first.json is not None and again.json is not None
    assert first.json["replayed"] is False
    assert again.json["replayed"] is True
    # Issue 12: the first stored events at a notification id; the replay stored nothing.
    assert isinstance(first.json["notification_id"], int)
    assert again.json["notification_id"] is None
    same = ("replayed", "notification_id")
    assert {k: v for k, v in again.json.items() if k not in same} == {
        k: v for k, v in first.json.items() if k not in same
    }
    world.settle()
    steps = world.get("merchant", f"/api/v1/cases/{case_no}").json["timeline"]  # type: ignore[index]
    assert [s["step"] for s in steps].count("accepted") == 1


def test_opening_twice_with_one_request_id_opens_one_case(world: World) -> None:
    order_no = world.order()
    body = {
        "request_id": "open-1",
        "order_no": order_no,
        "kind": "return_refund",
        "reason_code": "no_reason",
        "lines": [{"line_no": 1, "quantity": 1}],
    }
    first = world.post("consumer", "/api/v1/cases", body)
    again = world.post("consumer", "/api/v1/cases", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json is not None and again.json is not None
    assert first.json["case_no"] == again.json["case_no"]
    assert again.json["replayed"] is True


def test_a_request_id_used_for_another_command_is_refused_naming_the_field(world: World) -> None:
    case_no = world.open_case(world.order())
    world.command("merchant", case_no, "accept", request_id="same-id")
    response = world.command("merchant", case_no, "note", request_id="same-id", text="备注")
    assert response.status_code == 400
    assert response.json is not None
    assert response.json["error"] == "invalid"
    assert "request_id" in response.json["fields"]


# --- scopes -------------------------------------------------------------------------------------


def test_consumers_list_their_own_orders_and_cases_only(world: World) -> None:
    mine = world.order()
    theirs = world.order(consumer_id="C7777")
    case_no = world.open_case(mine)
    world.settle()
    orders = world.get("consumer", "/api/v1/orders").json
    assert orders is not None
    assert [o["order_no"] for o in orders["items"]] == [mine]
    assert orders["items"][0]["lines"][0]["claimed_quantity"] == 1  # R3.a
    assert world.get("consumer", f"/api/v1/orders/{theirs}").status_code == 404
    assert world.get("other_merchant", f"/api/v1/orders/{mine}").status_code == 404
    assert world.get("merchant", f"/api/v1/orders/{mine}").status_code == 200

    cases = world.get("consumer", "/api/v1/cases").json
    assert cases is not None and [c["case_no"] for c in cases["items"]] == [case_no]
    assert world.get("other_consumer", "/api/v1/cases").json == {
        "items": [],
        "limit": 50,
        "offset": 0,
    }
    assert world.get("other_merchant", "/api/v1/cases").json["items"] == []  # type: ignore[index]
    merchant_cases = world.get("merchant", "/api/v1/cases?status=requested").json
    assert merchant_cases is not None
    assert [c["case_no"] for c in merchant_cases["items"]] == [case_no]
    assert world.get("platform_agent", "/api/v1/cases?kind=repair").json["items"] == []  # type: ignore[index]


def test_internal_steps_are_shown_to_staff_and_hidden_from_the_consumer(world: World) -> None:
    case_no = world.open_case(world.order())
    world.ok("platform_agent", case_no, "note", text="疑似恶意退货，留意", internal=True)
    world.ok("merchant", case_no, "note", text="已联系买家")
    world.settle()

    def notes(who: str) -> list[str]:
        steps = world.get(who, f"/api/v1/cases/{case_no}").json["timeline"]  # type: ignore[index]
        return [s["reason"] for s in steps if s["step"] == "note_added"]

    assert notes("consumer") == ["已联系买家"]
    assert notes("merchant") == ["已联系买家"]  # the platform's internal notes stay its own (P4)
    assert notes("platform_agent") == ["疑似恶意退货，留意", "已联系买家"]


def test_a_consumer_cannot_write_an_internal_note(world: World) -> None:
    case_no = world.open_case(world.order())
    response = world.command("consumer", case_no, "note", text="x", internal=True)
    assert response.status_code == 400
    assert response.json is not None and response.json["rule"] == "P4"


def test_evidence_is_uploaded_once_and_named_by_its_sha256(world: World) -> None:
    sha = world.upload_png()
    assert sha == __import__("hashlib").sha256(PNG).hexdigest()
    case_no = world.open_case(
        world.order(), reason_code="quality_defect", evidence=[sha], description="屏幕有坏点"
    )
    world.settle()
    steps = world.get("consumer", f"/api/v1/cases/{case_no}").json["timeline"]  # type: ignore[index]
    (item,) = steps[0]["evidence"]
    assert item["sha256"] == sha
    assert item["media_type"] == "image/png"
    assert item["size"] == len(PNG)

    unknown = "0" * 64
    response = world.command("consumer", case_no, "evidence", evidence=[sha, unknown])
    assert response.status_code == 400
    assert response.json is not None
    assert response.json["fields"] == {
        "evidence": {"1": [response.json["fields"]["evidence"]["1"][0]]}
    }
    assert "POST /api/v1/evidence" in response.json["fields"]["evidence"]["1"][0]  # upload first


def test_an_upload_that_is_not_a_photo_or_pdf_is_refused(world: World) -> None:
    response = world.post(
        "consumer",
        "/api/v1/evidence",
        data={"file": (io.BytesIO(b"MZ\x90\x00 not an image"), "x.exe")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert response.json is not None and "file" in response.json["fields"]


def test_queues_are_seen_by_their_owners_and_platform_roles(world: World) -> None:
    case_no = world.open_case(world.order())
    world.settle()
    own = world.get("merchant", f"/api/v1/queues/merchant:{MERCHANT_ID}").json
    assert own is not None
    assert [i["case_no"] for i in own["items"]] == [case_no]
    assert own["items"][0]["rule"] in ("R12", "R12.a")
    assert own["items"][0]["due_at"].endswith("Z")
    counts = world.get("merchant", f"/api/v1/queues/merchant:{MERCHANT_ID}/counts").json
    assert counts is not None and counts["cases"] == 1
    mine = world.get("merchant", "/api/v1/queues").json
    assert mine is not None and [q["queue"] for q in mine["items"]] == [f"merchant:{MERCHANT_ID}"]
    assert world.get("other_merchant", f"/api/v1/queues/merchant:{MERCHANT_ID}").status_code == 404
    assert world.get("consumer", f"/api/v1/queues/merchant:{MERCHANT_ID}").status_code == 404
    assert world.get("platform_agent", f"/api/v1/queues/merchant:{MERCHANT_ID}").status_code == 200


# --- policies -------------------------------------------------------------------------------


def test_a_merchant_publishes_a_policy_version_and_anyone_reads_it(world: World) -> None:
    response = world.post(
        "merchant",
        f"/api/v1/policies/{MERCHANT_ID}",
        {
            "request_id": "policy-v2",
            "summary": "延长至15天无理由",
            "terms": {
                "categories": ["phone", "fresh"],
                "return_window_days": 15,
                "exclusions": [{"category": "fresh", "kind": "fresh", "reason": "生鲜易腐"}],
            },
        },
    )
    assert response.status_code == 201, response.json
    assert response.json is not None and response.json["detail"] == {"version": 2}
    world.settle()
    current = world.get("consumer", f"/api/v1/policies/{MERCHANT_ID}").json
    assert current is not None
    assert current["number"] == 2
    assert current["terms"]["return_window_days"] == 15
    assert current["terms"]["exclusions"] == [
        {"category": "fresh", "kind": "fresh", "reason": "生鲜易腐"}
    ]
    versions = world.get("consumer", f"/api/v1/policies/{MERCHANT_ID}/versions").json
    assert versions is not None and [v["number"] for v in versions["items"]] == [2, 1]


def test_a_policy_below_the_platform_floor_is_refused_naming_the_rule(world: World) -> None:
    response = world.post(
        "merchant",
        f"/api/v1/policies/{MERCHANT_ID}",
        {"request_id": "too-short", "terms": {"categories": ["phone"], "return_window_days": 3}},
    )
    assert response.status_code == 400
    assert response.json is not None
    assert response.json["rule"] == "R19"
    assert response.json["field"] == "return_window_days"


def test_another_store_cannot_publish_this_stores_policy(world: World) -> None:
    response = world.post(
        "other_merchant",
        f"/api/v1/policies/{MERCHANT_ID}",
        {"request_id": "hijack", "terms": {"categories": ["phone"]}},
    )
    assert response.status_code == 404
    assert (
        world.post(
            "consumer",
            f"/api/v1/policies/{MERCHANT_ID}",
            {"request_id": "x", "terms": {"categories": ["phone"]}},
        ).status_code
        == 403
    )


# --- metrics ----------------------------------------------------------------------------------


def test_merchant_metrics_for_the_own_store_and_platform_roles_only(world: World) -> None:
    world.open_case(world.order())
    world.settle()
    own = world.get("merchant", f"/api/v1/metrics/merchants/{MERCHANT_ID}").json
    assert own is not None
    figures = own["figures"]
    assert figures["counts"]["cases_opened"] == 1
    assert figures["rates"]["after_sales"] == {
        "numerator": 1,
        "denominator": 1,
        "percent": "100.00",
    }
    assert figures["badge"]["awarded"] is False
    assert "closed_cases" in figures["badge"]["failed"]
    assert (
        world.get("platform_agent", f"/api/v1/metrics/merchants/{MERCHANT_ID}").status_code == 200
    )
    assert (
        world.get("other_merchant", f"/api/v1/metrics/merchants/{MERCHANT_ID}").status_code == 404
    )
    assert world.get("consumer", f"/api/v1/metrics/merchants/{MERCHANT_ID}").status_code == 403
    badges = world.get("consumer", "/api/v1/metrics/badges").json
    assert badges is not None
    assert [b["merchant_id"] for b in badges["items"]] == [MERCHANT_ID]


# --- ledger and reconciliation ----------------------------------------------------------------


def settlement_csv(rows: list[tuple[str, str, str, str]]) -> bytes:
    """A WeChat Pay refund bill with rows (reference, yuan amount, status, success time CST)."""
    header = (
        "交易时间,微信订单号,商户订单号,货币种类,退款申请时间,退款成功时间,微信退款单号,"
        "商户退款单号,退款金额,退款状态"
    )
    lines = [header]
    for n, (reference, amount, status, settled) in enumerate(rows, start=1):
        success = settled if status == "SUCCESS" else ""
        lines.append(
            f"`{settled},`42000{n:05d},`O-{n},`CNY,`{settled},`{success},"
            f"`5030{n:05d},`{reference},`{amount},`{status}"
        )
    lines.append("总交易单数,退款总金额")
    lines.append(f"`{len(rows)},`0.00")
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


def paid_refunds(world: World, amounts: dict[str, int]) -> dict[str, str]:
    """One refund per reference, approved and paid through the API; reference -> case number."""
    cases = {}
    for reference, fen in amounts.items():
        case_no = world.refund_approved(world.order(paid_fen=fen))
        world.ok("finance", case_no, "refund-paid", psp_reference=reference)
        cases[reference] = case_no
    world.settle()
    return cases


def cst_now_text(world: World) -> str:
    from domain.calendar import to_cst

    return to_cst(world.clock.now).strftime("%Y-%m-%d %H:%M:%S")


def test_a_settlement_report_is_reconciled_through_the_api(world: World) -> None:
    cases = paid_refunds(world, {"PSP-OK": 12_345, "PSP-DIFF": 50_000, "PSP-GONE": 8_800})
    when = cst_now_text(world)
    report = settlement_csv(
        [
            ("PSP-OK", "123.45", "SUCCESS", when),
            ("PSP-DIFF", "499.99", "SUCCESS", when),
            ("PSP-EXTRA", "66.00", "SUCCESS", when),
        ]
    )
    response = world.post(
        "finance",
        "/api/v1/reconciliation",
        data={"report": (io.BytesIO(report), "refund-bill.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert body is not None
    outcomes = {item["psp_reference"]: item["outcome"] for item in body["items"]}
    assert outcomes == {
        "PSP-OK": "matched",
        "PSP-DIFF": "amount_mismatch",
        "PSP-EXTRA": "missing_in_ledger",
        "PSP-GONE": "missing_in_report",
    }
    diff = next(i for i in body["items"] if i["psp_reference"] == "PSP-DIFF")
    assert (diff["report_amount_fen"], diff["ledger_amount_fen"]) == (49_999, 50_000)
    assert diff["case_no"] == cases["PSP-DIFF"]
    run_id = body["run"]["run_id"]
    assert body["run"]["file_name"] == "refund-bill.csv"
    listed = world.get("finance", "/api/v1/reconciliation").json
    assert listed is not None and [r["run_id"] for r in listed["items"]] == [run_id]
    again = world.get("finance", f"/api/v1/reconciliation/{run_id}").json
    assert again is not None and again["items"] == body["items"]
    assert world.get("finance", "/api/v1/reconciliation/nope").status_code == 404
    assert world.get("merchant", "/api/v1/reconciliation").status_code == 403


def test_a_malformed_settlement_report_names_line_and_column_and_stores_nothing(
    world: World,
) -> None:
    report = settlement_csv([("PSP-1", "12.3x", "SUCCESS", cst_now_text(world))])
    response = world.post(
        "finance",
        "/api/v1/reconciliation",
        data={"report": (io.BytesIO(report), "bad.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert response.json is not None
    (message,) = response.json["fields"]["report"]
    assert "line 2" in message and "退款金额" in message
    assert world.get("finance", "/api/v1/reconciliation").json == {"items": []}


def test_ledger_balances_group_by_merchant_and_day(world: World) -> None:
    paid_refunds(world, {"PSP-1": 10_001})
    by_merchant = world.get("finance", "/api/v1/ledger/balances?by=merchant").json
    assert by_merchant is not None
    assert {b["key"] for b in by_merchant["items"]} == {MERCHANT_ID}
    payable = next(
        b for b in by_merchant["items"] if b["account"] == f"merchant_payable:{MERCHANT_ID}"
    )
    assert payable["balance_fen"] == 10_001
    by_day = world.get("finance", "/api/v1/ledger/balances?by=day").json
    assert by_day is not None and by_day["items"]
    assert world.get("finance", "/api/v1/ledger/balances?by=week").status_code == 400


def test_the_api_works_with_the_site_session_and_then_needs_the_csrf_header(world: World) -> None:
    from tests.web.conftest import csrf_token_for, login_as

    case_no = world.open_case(world.order())
    browser = world.app.test_client()
    assert login_as(browser, ROLE_ACCOUNTS["merchant"].username).status_code == 302
    world.settle()
    assert browser.get(f"/api/v1/cases/{case_no}").status_code == 200
    body = {"request_id": "session-accept"}
    refused = browser.post(f"/api/v1/cases/{case_no}/accept", json=body)
    assert refused.status_code == 400
    assert refused.json is not None and refused.json["error"] == "csrf"
    accepted = browser.post(
        f"/api/v1/cases/{case_no}/accept",
        json=body,
        headers={"X-CSRF-Token": csrf_token_for(browser)},
    )
    assert accepted.status_code == 200
    assert accepted.json is not None and accepted.json["replayed"] is False


def test_the_actor_is_the_token_never_the_body(world: World) -> None:
    case_no = world.open_case(world.order())
    world.ok("merchant", case_no, "note", text="客服备注")
    world.settle()
    steps = world.get("merchant", f"/api/v1/cases/{case_no}").json["timeline"]  # type: ignore[index]
    note = steps[-1]
    assert (note["actor_role"], note["actor_id"]) == (
        "merchant",
        ROLE_ACCOUNTS["merchant"].party_id,
    )


def test_reconciliation_sees_a_payment_recorded_a_moment_ago(world: World) -> None:
    case_no = world.refund_approved(world.order(paid_fen=7_700))
    world.ok("finance", case_no, "refund-paid", psp_reference="PSP-JUST-NOW")
    # no settle(): the upload brings the ledger up to date itself
    report = settlement_csv([("PSP-JUST-NOW", "77.00", "SUCCESS", cst_now_text(world))])
    response = world.post(
        "finance",
        "/api/v1/reconciliation",
        data={"report": (io.BytesIO(report), "bill.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201
    assert response.json is not None
    assert [(i["outcome"], i["case_no"]) for i in response.json["items"]] == [("matched", case_no)]
