"""The OpenAPI 3.1 document of ``/api/v1``, built from the operation registry
(``web.api.core.OPERATIONS``) and the marshmallow schemas the views validate with
(``web/api/schemas/``), so the document cannot drift from what the API does.

Served at ``GET /api/v1/openapi.json`` (no log-in needed).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from marshmallow import Schema, fields, validate

from web.api.core import OPERATIONS, Operation
from web.api.schemas.responses import ErrorSchema

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1.0.0"

ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "Invalid input: {error: invalid, fields: {field: [messages]}}; nothing was stored",
    401: "Not logged in: send Authorization: Bearer <token> (or a session cookie)",
    403: "Your role may not do this",
    404: "Not found (another party's case or order is 'not found' too)",
    409: "Not possible now: {error: conflict, rule: 'R10', message}; the rule that refused",
    413: "The upload is larger than the limit",
}

_CONVERTER = re.compile(r"<(?:(?P<converter>[a-zA-Z_]+)(?:\([^)]*\))?:)?(?P<name>[a-zA-Z_]\w*)>")


def openapi_path(rule: str) -> str:
    """``/cases/<case_no>`` -> ``/cases/{case_no}``."""
    return _CONVERTER.sub(lambda m: "{" + m.group("name") + "}", rule)


def path_parameters(rule: str) -> list[dict[str, Any]]:
    out = []
    for match in _CONVERTER.finditer(rule):
        kind = {"int": "integer"}.get(match.group("converter") or "", "string")
        out.append(
            {"name": match.group("name"), "in": "path", "required": True, "schema": {"type": kind}}
        )
    return out


class _Builder:
    def __init__(self) -> None:
        self.components: dict[str, dict[str, Any]] = {}

    # --- schemas --------------------------------------------------------------------------

    @staticmethod
    def name_of(schema: type[Schema] | Schema) -> str:
        cls = schema if isinstance(schema, type) else type(schema)
        name = cls.__name__
        return name[: -len("Schema")] if name.endswith("Schema") and name != "Schema" else name

    def ref(self, schema: type[Schema] | Schema, *, request: bool = False) -> dict[str, Any]:
        name = self.name_of(schema)
        if name not in self.components:
            self.components[name] = {}  # placeholder: breaks recursion
            self.components[name] = self.object_schema(schema, request=request)
        return {"$ref": f"#/components/schemas/{name}"}

    def object_schema(self, schema: type[Schema] | Schema, *, request: bool) -> dict[str, Any]:
        instance = schema() if isinstance(schema, type) else schema
        properties: dict[str, Any] = {}
        required: list[str] = []
        for name, field in instance.fields.items():
            if request and field.dump_only:
                continue
            key = field.data_key or name
            properties[key] = self.field_schema(field, request=request)
            if request and field.required:
                required.append(key)
        out: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            out["required"] = required
        if request:
            out["additionalProperties"] = False
        doc = (type(instance).__doc__ or "").strip()
        if doc:
            out["description"] = " ".join(doc.split())
        return out

    def field_schema(self, field: fields.Field[Any], *, request: bool) -> dict[str, Any]:
        out = self._type_of(field, request=request)
        for validator in _validators(field):
            _apply_validator(out, validator)
        description = field.metadata.get("description")
        if description:
            out["description"] = description
        if request and not field.required:
            default = field.load_default
            if default is not None and not callable(default) and _jsonable(default):
                out["default"] = default
        if field.allow_none:
            if "$ref" in out:
                out = {"anyOf": [out, {"type": "null"}]}
            elif "type" in out:
                out["type"] = [out["type"], "null"]
        return out

    def _type_of(self, field: fields.Field[Any], *, request: bool) -> dict[str, Any]:
        if isinstance(field, fields.Nested):
            nested = field.nested
            if (isinstance(nested, type) and issubclass(nested, Schema)) or isinstance(
                nested, Schema
            ):
                ref = self.ref(nested, request=request)
                return {"type": "array", "items": ref} if field.many else ref
            return {"type": "object"}
        if isinstance(field, fields.List):
            return {"type": "array", "items": self.field_schema(field.inner, request=request)}
        if isinstance(field, fields.Dict):
            out: dict[str, Any] = {"type": "object"}
            if field.value_field is not None:
                out["additionalProperties"] = self.field_schema(field.value_field, request=request)
            return out
        if isinstance(field, fields.Boolean):
            return {"type": "boolean"}
        if isinstance(field, fields.Integer):
            return {"type": "integer"}
        if isinstance(field, fields.Number):
            return {"type": "number"}
        if isinstance(field, fields.DateTime):
            return {"type": "string", "format": "date-time"}
        if isinstance(field, fields.Date):
            return {"type": "string", "format": "date"}
        if isinstance(field, fields.String):
            return {"type": "string"}
        return {}

    # --- operations -----------------------------------------------------------------------

    def operation(self, op: Operation) -> dict[str, Any]:
        out: dict[str, Any] = {
            "operationId": op.endpoint.split(".", 1)[-1],
            "summary": op.summary,
            "tags": [op.tag],
        }
        description = op.description
        if op.roles:
            roles = ", ".join(sorted(op.roles))
            description = f"{description}\n\nRoles: {roles}.".strip()
        if op.rule_ids:
            description = f"{description}\n\nPolicy rules: {', '.join(op.rule_ids)}.".strip()
        if description:
            out["description"] = description
        if op.roles:
            out["x-roles"] = sorted(op.roles)
        if op.rule_ids:
            out["x-rules"] = list(op.rule_ids)
        parameters = path_parameters(op.rule)
        if op.query is not None:
            for name, field in op.query().fields.items():
                parameters.append(
                    {
                        "name": field.data_key or name,
                        "in": "query",
                        "required": bool(field.required),
                        "schema": self.field_schema(field, request=True),
                    }
                )
        if parameters:
            out["parameters"] = parameters
        if op.body is not None:
            out["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": self.ref(op.body, request=True)}},
            }
        elif op.multipart:
            name = str(op.extra.get("upload_field", "file"))
            out["requestBody"] = {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "properties": {name: {"type": "string", "format": "binary"}},
                            "required": [name],
                        }
                    }
                },
            }
        responses: dict[str, Any] = {}
        success: dict[str, Any] = {"description": op.summary}
        if op.response is not None:
            schema = self.ref(op.response)
            if op.extra.get("many"):
                schema = {
                    "type": "object",
                    "properties": {"items": {"type": "array", "items": schema}},
                }
            success["content"] = {"application/json": {"schema": schema}}
        responses[str(op.status)] = success
        if op.body is not None and op.status == 201:
            responses["200"] = {
                "description": "Replayed: the request id was seen before (replayed: true)",
                "content": success.get("content", {}),
            }
        error_ref = self.ref(ErrorSchema)
        for code in op.errors:
            responses[str(code)] = {
                "description": ERROR_DESCRIPTIONS.get(code, "Error"),
                "content": {"application/json": {"schema": error_ref}},
            }
        out["responses"] = responses
        if op.public:
            out["security"] = []
        return out


def _validators(field: fields.Field[Any]) -> list[Any]:
    found = field.validators
    return list(found) if found else []


def _apply_validator(out: dict[str, Any], validator: Any) -> None:
    if isinstance(validator, validate.OneOf):
        out["enum"] = list(validator.choices)
    elif isinstance(validator, validate.Range):
        if validator.min is not None:
            out["minimum"] = validator.min
        if validator.max is not None:
            out["maximum"] = validator.max
    elif isinstance(validator, validate.Length):
        array = out.get("type") == "array"
        if validator.min is not None:
            out["minItems" if array else "minLength"] = validator.min
        if validator.max is not None:
            out["maxItems" if array else "maxLength"] = validator.max
        if validator.equal is not None:
            out["minItems" if array else "minLength"] = validator.equal
            out["maxItems" if array else "maxLength"] = validator.equal
    elif isinstance(validator, validate.Regexp):
        out["pattern"] = validator.regex.pattern


def _jsonable(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


def build_document(app: Flask | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every registered ``/api/v1`` operation."""
    builder = _Builder()
    paths: dict[str, dict[str, Any]] = {}
    for op in sorted(OPERATIONS, key=lambda o: (o.path, o.method)):
        paths.setdefault(openapi_path(op.path), {})[op.method.lower()] = builder.operation(op)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "After-sales service API",
            "version": API_VERSION,
            "description": (
                "Returns, refunds, exchanges, repairs, complaints and arbitration on an "
                "e-commerce platform. Every command carries a request_id (idempotency). Money is "
                "integer fen; times are ISO-8601 UTC. Refusals name the policy rule (R1-R25)."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}, {"sessionCookie": []}],
        "tags": [{"name": tag} for tag in dict.fromkeys(op.tag for op in OPERATIONS)],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(builder.components.items())),
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API token from `aftersales users token USERNAME`",
                },
                "sessionCookie": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "session",
                    "description": "The site's log-in session; POSTs then need X-CSRF-Token",
                },
            },
        },
    }
