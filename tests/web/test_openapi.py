"""The OpenAPI document (/api/v1/openapi.json) is built from the same registry and schemas the
views use: every /api/v1 rule of the app is documented, every documented operation exists, every
reference resolves, and the documented bodies are what the views validate."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from domain.process import MOVES
from domain.values import Role
from web.api.cases import COMMANDS
from web.api.openapi import openapi_path
from web.api.schemas.commands import COMMAND_SCHEMAS


def _document(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.content_type.startswith("application/json")
    body = response.json
    assert isinstance(body, dict)
    return body


def _api_rules(app: Flask) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        for method in rule.methods or ():
            if method in ("HEAD", "OPTIONS"):
                continue
            found.add((openapi_path(rule.rule), method.lower()))
    return found


def test_every_api_rule_is_documented_and_every_documented_operation_exists(
    app: Flask, client: FlaskClient
) -> None:
    document = _document(client)
    assert document["openapi"].startswith("3.1")
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    registered = _api_rules(app)
    assert registered - documented == set(), "routes missing from the document"
    assert documented - registered == set(), "documented operations that do not exist"
    assert len(registered) >= 40


def test_every_case_command_is_a_documented_post_with_its_schema(client: FlaskClient) -> None:
    document = _document(client)
    people = [s for s in MOVES.values() if s.all_roles - {Role.SYSTEM}]
    assert len(COMMANDS) == len(people) >= 28  # every move a person makes (issue 7)
    for command in COMMANDS:
        operation = document["paths"][f"/api/v1/cases/{{case_no}}/{command.name}"]["post"]
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        name = ref.rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
        assert name + "Schema" == COMMAND_SCHEMAS[command.name].__name__
        assert "request_id" in schema["required"]
        assert schema["additionalProperties"] is False
        assert {"400", "401", "403", "404", "409"} <= set(operation["responses"])
        assert operation["parameters"][0] == {
            "name": "case_no",
            "in": "path",
            "required": True,
            "schema": {"type": "string", "minLength": 1, "pattern": "\\S"},  # never blank
        }
        assert operation["x-rules"] == list(command.rules)


def test_every_reference_resolves(client: FlaskClient) -> None:
    document = _document(client)
    text = repr(document)
    refs = set(re.findall(r"#/components/schemas/(\w+)", text))
    assert refs
    assert refs <= set(document["components"]["schemas"])


def test_schemas_carry_types_enums_and_limits(client: FlaskClient) -> None:
    schemas = _document(client)["components"]["schemas"]
    ship = schemas["ShipReturn"]["properties"]
    assert ship["fee_fen"] == {
        "type": "integer",
        "minimum": 0,
        "description": "What the consumer paid the carrier",
        "default": 0,
    }
    open_case = schemas["OpenCase"]
    assert set(open_case["required"]) == {"request_id", "order_no", "kind", "reason_code"}
    assert "complaint" in open_case["properties"]["kind"]["enum"]
    rate = schemas["Rate"]["properties"]["score"]
    assert (rate["minimum"], rate["maximum"]) == (1, 5)
    summary = schemas["CaseSummary"]["properties"]
    assert summary["closed_at"]["type"] == ["string", "null"]
    assert summary["closed_at"]["format"] == "date-time"


def test_the_document_needs_no_log_in_and_declares_bearer_auth(client: FlaskClient) -> None:
    document = _document(client)
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert document["paths"]["/api/v1/openapi.json"]["get"]["security"] == []
    upload = document["paths"]["/api/v1/evidence"]["post"]["requestBody"]["content"]
    assert upload["multipart/form-data"]["schema"]["properties"]["file"]["format"] == "binary"
