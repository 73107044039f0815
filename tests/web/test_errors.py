"""Error answers (web/errors.py): JSON under /api/, friendly translated pages elsewhere, and never
a traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Blueprint, Flask, abort, request
from flask.testing import FlaskClient
from marshmallow import ValidationError

from domain.errors import (
    CaseRuledFinal,
    DomainError,
    IllegalTransition,
    InvalidInput,
    NotAllowed,
    NotFound,
)
from tests.web.conftest import make_app
from web.common.accounts import Account
from web.common.auth import login_required

SECRET = "db password is hunter2"


def _failing_blueprint() -> Blueprint:
    """Test-only routes that fail on purpose, under /api/ and as pages."""
    bp = Blueprint("failing", __name__)
    errors: dict[str, Callable[[], DomainError]] = {
        "conflict": lambda: CaseRuledFinal("the arbitration ruling is final"),
        "transition": lambda: IllegalTransition("already refunded", field="amount"),
        "invalid": lambda: InvalidInput("amount must be positive", field="amount"),
        "not_found": lambda: NotFound("no case CASE-1", rule="input"),
        "forbidden": lambda: NotAllowed("case CASE-1 belongs to another merchant"),
    }

    for prefix in ("/api/fail", "/fail"):
        name = prefix.strip("/").replace("/", "_")

        def validation() -> Any:
            raise ValidationError({"amount": ["Must be greater than 0."], "reason": ["Missing."]})

        def domain(kind: str) -> Any:
            raise errors[kind]()

        def boom() -> Any:
            raise RuntimeError(SECRET)

        def upload() -> Any:
            return {"size": len(request.get_data())}

        bp.add_url_rule(f"{prefix}/validation", f"{name}_validation", validation)
        bp.add_url_rule(f"{prefix}/domain/<kind>", f"{name}_domain", domain)
        bp.add_url_rule(f"{prefix}/boom", f"{name}_boom", boom)
        bp.add_url_rule(f"{prefix}/upload", f"{name}_upload", upload, methods=["POST"])

    @bp.route("/fail/private")
    def private() -> Any:
        abort(401)

    @bp.route("/api/fail/finance-only")
    @login_required("finance")
    def finance_only() -> Any:
        return {"ok": True}

    return bp


@pytest.fixture
def app(tmp_path: Path, clean_environ: None) -> Flask:
    app = make_app(tmp_path, MAX_CONTENT_LENGTH=1024, PROPAGATE_EXCEPTIONS=False)
    app.register_blueprint(_failing_blueprint())
    app.logger.disabled = True  # the 500 tests log a traceback on purpose
    return app


def _json(response: Any) -> dict[str, Any]:
    assert response.mimetype == "application/json", response.data[:200]
    body = response.get_json()
    assert isinstance(body, dict)
    return body


# --- JSON under /api/ -----------------------------------------------------------------------


def test_validation_error_is_400_with_the_fields(client: FlaskClient) -> None:
    response = client.get("/api/fail/validation")
    assert response.status_code == 400
    assert _json(response) == {
        "error": "invalid",
        "fields": {"amount": ["Must be greater than 0."], "reason": ["Missing."]},
    }


def test_domain_conflict_is_409_naming_the_rule(client: FlaskClient) -> None:
    response = client.get("/api/fail/domain/conflict")
    assert response.status_code == 409
    assert _json(response) == {
        "error": "conflict",
        "rule": "R10",
        "message": "the arbitration ruling is final",
        "field": None,
    }


def test_illegal_transition_is_409_with_its_field(client: FlaskClient) -> None:
    body = _json(client.get("/api/fail/domain/transition"))
    assert body["error"] == "conflict" and body["field"] == "amount"


def test_domain_invalid_input_is_400(client: FlaskClient) -> None:
    response = client.get("/api/fail/domain/invalid")
    assert response.status_code == 400
    body = _json(response)
    assert body["error"] == "invalid"
    assert body["fields"] == {"amount": ["amount must be positive"]}


def test_domain_not_found_is_404(client: FlaskClient) -> None:
    response = client.get("/api/fail/domain/not_found")
    assert response.status_code == 404
    assert _json(response)["error"] == "not_found"


def test_domain_forbidden_is_404_and_does_not_leak_the_case(client: FlaskClient) -> None:
    response = client.get("/api/fail/domain/forbidden")
    assert response.status_code == 404
    body = _json(response)
    assert body["error"] == "not_found"
    assert "another merchant" not in response.data.decode()


def test_unknown_api_path_is_404_json(client: FlaskClient) -> None:
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert _json(response)["error"] == "not_found"


def test_wrong_method_is_405_json_with_allow(client: FlaskClient) -> None:
    response = client.get("/api/fail/upload")
    assert response.status_code == 405
    assert _json(response)["error"] == "method_not_allowed"
    assert "POST" in response.headers["Allow"]


def test_anonymous_api_call_is_401_json(client: FlaskClient) -> None:
    response = client.get("/api/fail/finance-only")
    assert response.status_code == 401
    assert _json(response)["error"] == "unauthorized"


def test_wrong_role_api_call_is_403_json(
    client: FlaskClient, role_accounts: dict[str, Account], bearer: Callable[[str], dict[str, str]]
) -> None:
    response = client.get("/api/fail/finance-only", headers=bearer("li.lei"))
    assert response.status_code == 403
    assert _json(response)["error"] == "forbidden"


def test_oversized_body_is_413_json(
    client: FlaskClient, role_accounts: dict[str, Account], bearer: Callable[[str], dict[str, str]]
) -> None:
    small = client.post("/api/fail/upload", data=b"x" * 1000, headers=bearer("li.lei"))
    assert small.status_code == 200
    response = client.post("/api/fail/upload", data=b"x" * 2000, headers=bearer("li.lei"))
    assert response.status_code == 413
    assert _json(response)["error"] == "too_large"


def test_oversized_body_is_refused_before_the_csrf_check(client: FlaskClient) -> None:
    response = client.post("/api/fail/upload", data=b"x" * 2000)
    assert response.status_code == 413


def test_server_error_is_500_json_without_the_traceback(client: FlaskClient) -> None:
    response = client.get("/api/fail/boom")
    assert response.status_code == 500
    body = _json(response)
    assert body["error"] == "server_error"
    text = response.data.decode()
    assert SECRET not in text and "Traceback" not in text and "RuntimeError" not in text


def test_api_errors_speak_the_requested_language(client: FlaskClient) -> None:
    chinese = _json(client.get("/api/v1/nothing"))["message"]
    english = _json(client.get("/api/v1/nothing?lang=en"))["message"]
    assert "这里什么也没有" in chinese
    assert english.startswith("There is nothing here")


# --- pages elsewhere ------------------------------------------------------------------------


def test_missing_page_is_a_friendly_translated_404(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    page = response.data.decode()
    assert "页面不存在" in page and "返回首页" in page


def test_server_error_page_is_friendly_and_hides_the_traceback(client: FlaskClient) -> None:
    response = client.get("/fail/boom?lang=en")
    assert response.status_code == 500
    page = response.data.decode()
    assert "Something went wrong" in page
    assert SECRET not in page and "Traceback" not in page


def test_domain_conflict_page_shows_the_rule(client: FlaskClient) -> None:
    response = client.get("/fail/domain/conflict")
    assert response.status_code == 409
    page = response.data.decode()
    assert "现在无法执行此操作" in page and "R10" in page


def test_domain_forbidden_page_is_a_404(client: FlaskClient) -> None:
    response = client.get("/fail/domain/forbidden")
    assert response.status_code == 404
    assert "another merchant" not in response.data.decode()


def test_validation_error_page_lists_the_fields(client: FlaskClient) -> None:
    response = client.get("/fail/validation")
    assert response.status_code == 400
    assert "Must be greater than 0." in response.data.decode()


def test_oversized_form_page_is_a_413_page(client: FlaskClient) -> None:
    response = client.post("/fail/upload", data={"f": "x" * 2000})
    assert response.status_code == 413
    assert "1024" not in response.data.decode()  # the limit is shown in MB, not bytes
    assert "MB" in response.data.decode()


def test_401_page_offers_to_log_in_and_come_back(client: FlaskClient) -> None:
    response = client.get("/fail/private")
    assert response.status_code == 401
    page = response.data.decode()
    assert "请先登录" in page
    assert 'href="/login?next=/fail/private' in page


def test_security_headers_are_sent(client: FlaskClient) -> None:
    response = client.get("/login")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
