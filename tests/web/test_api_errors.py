"""Every error class of the JSON API: 400 with field messages (nothing stored), 401 without
credentials on every route, 403 for the wrong role, 404 for another party's case on every case
route, 409 naming the rule (refund twice R3.a, acting after a ruling R10, a lost race R12), 413 for
oversized uploads, and never a stack trace."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.test_api import PNG, World, make_world, settlement_csv
from web import get_db
from web.api.cases import COMMANDS
from web.api.core import OPERATIONS

LIMIT = 4096


@pytest.fixture
def world(tmp_path: Path, clean_environ: None) -> Iterator[World]:
    built = make_world(
        tmp_path,
        MAX_CONTENT_LENGTH=LIMIT,
        EVIDENCE_MAX_BYTES=1024,
        SETTLEMENT_MAX_BYTES=1024,
        PROPAGATE_EXCEPTIONS=False,
    )
    built.app.logger.disabled = True
    yield built
    with built.app.app_context():
        get_db().close()


def _url(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?(\w+)>", lambda m: f"X-{m.group(1)}", rule)


def _status(world: World, case_no: str) -> str:
    world.settle()
    body = world.get("platform_agent", f"/api/v1/cases/{case_no}").json
    assert body is not None
    return str(body["case"]["status"])


# --- 401 --------------------------------------------------------------------------------------


def test_every_api_route_but_the_document_needs_credentials(world: World) -> None:
    checked = 0
    for op in OPERATIONS:
        response = world.client.open(_url(op.path), method=op.method, json={})
        if op.public:
            assert response.status_code == 200, op.path
            continue
        assert response.status_code == 401, (op.method, op.path, response.status_code)
        assert response.json is not None and response.json["error"] == "unauthorized"
        assert response.headers["WWW-Authenticate"] == "Bearer"
        checked += 1
    assert checked >= 40


def test_an_unknown_or_revoked_token_is_401(world: World) -> None:
    response = world.client.get("/api/v1/cases", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401
    assert response.json is not None and response.json["error"] == "unauthorized"


# --- 400 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "body", "field"),
    [
        ("accept", {}, "request_id"),
        ("accept", {"request_id": "  "}, "request_id"),
        ("reject", {"request_id": "r"}, "reason"),
        ("reject", {"request_id": "r", "reason": "   "}, "reason"),
        ("ship-return", {"request_id": "r", "carrier": "SF"}, "tracking_no"),
        (
            "ship-return",
            {"request_id": "r", "carrier": "SF", "tracking_no": "1", "fee_fen": "8.00"},
            "fee_fen",
        ),
        (
            "ship-return",
            {"request_id": "r", "carrier": "SF", "tracking_no": "1", "fee_fen": -1},
            "fee_fen",
        ),
        (
            "inspect",
            {"request_id": "r", "responsibility": "aliens", "findings": "x"},
            "responsibility",
        ),
        ("approve-refund", {"request_id": "r", "amount_fen": 12.5}, "amount_fen"),
        ("rate", {"request_id": "r", "score": 9}, "score"),
        ("answer-quote", {"request_id": "r", "accepted": "yes"}, "accepted"),
        ("rule", {"request_id": "r", "reasoning": "x", "ruling": {"outcome": "refund"}}, "ruling"),
        (
            "return-delivered",
            {"request_id": "r", "delivered_at": "2026-03-01 10:00"},
            "delivered_at",
        ),
        ("accept", {"request_id": "r", "actor": "merchant:S1"}, "actor"),
    ],
)
def test_invalid_bodies_are_400_naming_the_field_and_store_nothing(
    world: World, command: str, body: dict[str, Any], field: str
) -> None:
    case_no = world.open_case(world.order())
    who = next(c.roles[0] for c in COMMANDS if c.name == command)
    who = {"merchant": "merchant", "consumer": "consumer"}.get(who, who)
    response = world.post(who, f"/api/v1/cases/{case_no}/{command}", body)
    assert response.status_code == 400, response.json
    assert response.json is not None
    assert response.json["error"] == "invalid"
    assert field in response.json["fields"], response.json
    assert _status(world, case_no) == "requested"


def test_a_body_that_is_not_a_json_object_is_400(world: World) -> None:
    case_no = world.open_case(world.order())
    for data, content_type in (
        ("request_id=1", "application/x-www-form-urlencoded"),
        ("[1]", "application/json"),
        ("{", "application/json"),
    ):
        response = world.client.post(
            f"/api/v1/cases/{case_no}/accept",
            data=data,
            content_type=content_type,
            headers=world.tokens["merchant"],
        )
        assert response.status_code == 400
        assert response.json is not None and "_schema" in response.json["fields"]


def test_opening_a_case_validates_kind_reason_and_lines(world: World) -> None:
    order_no = world.order()
    response = world.post(
        "consumer",
        "/api/v1/cases",
        {"request_id": "o", "order_no": order_no, "kind": "refund", "reason_code": "no_reason"},
    )
    assert response.status_code == 400
    assert response.json is not None and "kind" in response.json["fields"]
    response = world.post(
        "consumer",
        "/api/v1/cases",
        {
            "request_id": "o",
            "order_no": order_no,
            "kind": "return_refund",
            "reason_code": "no_reason",
        },
    )
    assert response.status_code == 400
    assert response.json is not None and "lines" in response.json["fields"]


def test_an_ineligible_application_is_refused_naming_the_rule_and_the_deadline(
    world: World,
) -> None:
    late = world.order(delivered_days_ago=2.9)
    world.clock.advance(days=8)
    response = world.post(
        "consumer",
        "/api/v1/cases",
        {
            "request_id": "late",
            "order_no": late,
            "kind": "return_refund",
            "reason_code": "no_reason",
            "lines": [{"line_no": 1, "quantity": 1}],
        },
    )
    assert response.status_code == 409
    assert response.json is not None
    assert response.json["rule"] == "R1"
    assert "CST" in response.json["message"]  # the deadline that decided


# --- 403 --------------------------------------------------------------------------------------


def test_the_wrong_role_is_403_on_its_own_case(world: World) -> None:
    case_no = world.open_case(world.order())
    world.settle()
    for who, command, body in (
        ("consumer", "approve-refund", {}),
        ("consumer", "accept", {}),
        ("merchant", "refund-paid", {"psp_reference": "X"}),
        ("merchant", "rule", {"ruling": {"outcome": "dismissed"}, "reasoning": "x"}),
        ("finance", "accept", {}),
        ("platform_agent", "ship-return", {"carrier": "SF", "tracking_no": "1"}),
    ):
        response = world.command(who, case_no, command, **body)
        assert response.status_code == 403, (who, command, response.json)
        assert response.json is not None and response.json["error"] == "forbidden"
    for who, path in (
        ("consumer", "/api/v1/ledger/journal"),
        ("merchant", "/api/v1/ledger/balances"),
        ("merchant", "/api/v1/reconciliation"),
        ("merchant", "/api/v1/orders"),
    ):
        assert world.get(who, path).status_code == 403, path
    assert world.post("arbitrator", "/api/v1/cases", {"request_id": "x"}).status_code == 403
    assert _status(world, case_no) == "requested"


# --- 404 --------------------------------------------------------------------------------------


@pytest.mark.parametrize("stranger", ["other_consumer", "other_merchant"])
def test_another_partys_case_is_404_on_every_case_route(world: World, stranger: str) -> None:
    case_no = world.open_case(world.order())
    world.settle()
    case_ops = [op for op in OPERATIONS if op.case_route]
    # the moves, the case itself, and issue 8's fee commands (return-receipt R2, waive R6)
    assert len(case_ops) == len(COMMANDS) + 3
    for op in case_ops:
        path = op.path.replace("<case_no>", case_no)
        if op.method == "GET":
            response = world.get(stranger, path)
        else:
            response = world.post(stranger, path, {"request_id": f"{stranger}-{op.endpoint}"})
        assert response.status_code == 404, (stranger, op.path, response.json)
        assert response.json is not None and response.json["error"] == "not_found"
        assert case_no not in response.get_data(as_text=True)
    assert _status(world, case_no) == "requested"


def test_an_unknown_case_is_404(world: World) -> None:
    assert world.get("platform_agent", "/api/v1/cases/AS-NOPE").status_code == 404
    response = world.command("merchant", "AS-NOPE", "accept")
    assert response.status_code == 404


def test_a_case_not_yet_projected_is_still_404_for_a_stranger(world: World) -> None:
    case_no = world.open_case(world.order())  # no settle(): the read model does not know it yet
    response = world.command("other_merchant", case_no, "accept")
    assert response.status_code == 404


# --- 409 --------------------------------------------------------------------------------------


def test_approving_a_refund_twice_is_409_naming_r3a(world: World) -> None:
    case_no = world.refund_approved()
    response = world.command("platform_agent", case_no, "approve-refund")
    assert response.status_code == 409
    assert response.json is not None
    assert response.json["error"] == "conflict"
    assert response.json["rule"] == "R3.a"
    assert "refunded once" in response.json["message"]


def test_paying_a_refund_twice_is_refused(world: World) -> None:
    case_no = world.refund_approved()
    world.ok("finance", case_no, "refund-paid", psp_reference="PSP-1")
    response = world.command("finance", case_no, "refund-paid", psp_reference="PSP-2")
    assert response.status_code == 409
    assert response.json is not None and response.json["rule"]


def test_after_a_final_ruling_nothing_may_change_the_outcome_r10(world: World) -> None:
    case_no = world.open_case(world.order(paid_fen=19_990))
    world.ok("merchant", case_no, "reject", reason="商品已拆封")
    world.ok("consumer", case_no, "escalate", reason="商品未拆封，商家拒绝无理")
    world.ok(
        "arbitrator",
        case_no,
        "rule",
        ruling={"outcome": "refund", "refund_fen": 19_990},
        reasoning="证据显示商品完好",
    )
    sha = world.upload_png()
    for who, command, body in (
        ("consumer", "evidence", {"evidence": [sha]}),
        ("platform_agent", "approve-refund", {"amount_fen": 10_000}),
        ("arbitrator", "rule", {"ruling": {"outcome": "dismissed"}, "reasoning": "改判"}),
    ):
        response = world.command(who, case_no, command, **body)
        assert response.status_code == 409, (command, response.json)
        assert response.json is not None and response.json["rule"] == "R10", response.json
    carried_out = world.ok("platform_agent", case_no, "approve-refund")
    assert carried_out["detail"] == {"total_fen": 19_990}


def test_the_loser_of_a_race_gets_409_naming_the_rule(world: World) -> None:
    case_no = world.open_case(world.order())
    assert world.command("merchant", case_no, "accept").status_code == 200
    late = world.command("platform_agent", case_no, "reject", reason="超时")
    assert late.status_code == 409
    assert late.json is not None and late.json["rule"] == "R12"


# --- 413 --------------------------------------------------------------------------------------


def test_a_body_over_the_request_limit_is_413(world: World) -> None:
    response = world.post(
        "consumer",
        "/api/v1/evidence",
        data={"file": (io.BytesIO(PNG + b"\x00" * LIMIT), "big.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert response.json is not None and response.json["error"] == "too_large"


def test_an_evidence_file_over_its_own_limit_is_413(world: World) -> None:
    response = world.post(
        "consumer",
        "/api/v1/evidence?lang=en",
        data={"file": (io.BytesIO(PNG + b"\x00" * 2000), "big.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert response.json is not None
    assert response.json["error"] == "too_large"
    assert response.json["message"] == "The file is larger than the limit of 1.0 KB."


def test_a_settlement_report_over_its_limit_is_413_and_stores_nothing(world: World) -> None:
    rows = [(f"PSP-{n}", "1.00", "SUCCESS", "2026-03-01 10:00:00") for n in range(20)]
    report = settlement_csv(rows)
    assert 1024 < len(report) < LIMIT
    response = world.post(
        "finance",
        "/api/v1/reconciliation",
        data={"report": (io.BytesIO(report), "big.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert response.json is not None and response.json["error"] == "too_large"
    assert world.get("finance", "/api/v1/reconciliation").json == {"items": []}


# --- never a stack trace ----------------------------------------------------------------------


def test_an_unexpected_failure_is_a_plain_500_without_a_traceback(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_no = world.open_case(world.order())

    def boom(**_: Any) -> None:
        raise RuntimeError("secret connection string postgres://u:pw@db")

    monkeypatch.setattr(world.service, "accept", boom)
    response = world.command("merchant", case_no, "accept")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "secret" not in text
    assert response.json is not None and response.json["error"] == "server_error"


@pytest.mark.parametrize("offset", ["9223372036854775808", "99999999999999999999", "-1"])
def test_a_paging_offset_out_of_bounds_is_400_naming_the_field(world: World, offset: str) -> None:
    """Issue 10 (input at the door): offsets of 2^63 and above reached the database and came
    back as a 500; now every list refuses them by the shared bound, naming the field."""
    for role, path in (
        ("platform_agent", "/api/v1/cases"),
        ("finance", "/api/v1/ledger/journal"),
        ("consumer", "/api/v1/orders"),
    ):
        response = world.get(role, f"{path}?offset={offset}")
        assert response.status_code == 400, (path, response.get_data(as_text=True))
        assert "offset" in response.get_data(as_text=True)
