"""The field types and base schemas of the API and the forms: texts that are never blank, money as
integer fen, choices from an enum, instants in UTC, days; unknown fields refused."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
)

from web.common.input_checks import text_check

SHA256 = re.compile(r"^[0-9a-f]{64}$")
MAX_TEXT = 4000
MAX_REQUEST_ID = 120


def enum_values(enum: Any) -> list[str]:
    return [member.value for member in enum]


def not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Must not be blank.")


def Text(*, required: bool = False, max_length: int = MAX_TEXT, **kwargs: Any) -> fields.String:
    """A free text; required texts must not be blank."""
    # Issue 10: the document says which characters are refused (``text_check``'s pattern).
    checks: list[Any] = [validate.Length(max=max_length), text_check(multiline=True)]
    if required:
        checks.append(not_blank)
        return fields.String(required=True, validate=checks, **kwargs)
    return fields.String(load_default="", validate=checks, **kwargs)


def Fen(*, required: bool = False, minimum: int = 0, **kwargs: Any) -> fields.Integer:
    """An amount in whole fen (``12345`` is ¥123.45); JSON numbers only, no strings or floats."""
    return fields.Integer(
        strict=True, required=required, validate=validate.Range(min=minimum), **kwargs
    )


def Choice(enum: Any, **kwargs: Any) -> fields.String:
    return fields.String(validate=validate.OneOf(enum_values(enum)), **kwargs)


class AwareInstant(fields.AwareDateTime):
    """An ISO-8601 instant that must carry its zone (``Z`` or ``+08:00``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="iso", **kwargs)


class UtcDateTime(fields.DateTime):
    """Dumps any aware datetime or stored ``...Z`` text as ``YYYY-MM-DDTHH:MM:SSZ`` (UTC)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, str):
            text = value[:-1] + "+00:00" if value.endswith("Z") else value
            value = datetime.fromisoformat(text)
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return str(value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))


def Instant(**kwargs: Any) -> fields.DateTime:
    return UtcDateTime(**kwargs)


class Day(fields.Date):
    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, str):
            return value
        return str(value.isoformat())


class ApiSchema(Schema):
    """Refuses unknown fields (400 naming them)."""

    class Meta:
        unknown = RAISE


# ============================================================================ requests


class CommandSchema(ApiSchema):
    """Every command carries its idempotency key."""

    request_id = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=MAX_REQUEST_ID), not_blank, text_check()],
        metadata={
            "description": "Client-chosen idempotency key (a UUID). Repeating it returns "
            "the first result with replayed=true and records nothing."
        },
    )


def EvidenceRefs(*, required: bool = False) -> fields.List[Any]:
    """SHA-256 references to files uploaded before with ``POST /api/v1/evidence``."""
    item = fields.String(validate=validate.Regexp(SHA256, error="Not a lowercase hex SHA-256."))
    description = {"description": "SHA-256 of files uploaded before with POST /api/v1/evidence"}
    if required:
        return fields.List(
            item, required=True, validate=validate.Length(min=1, max=20), metadata=description
        )
    return fields.List(
        item, load_default=list, validate=validate.Length(max=20), metadata=description
    )


def Flag(**kwargs: Any) -> fields.Boolean:
    """A JSON true/false (not "yes", 1 or "on")."""
    return fields.Boolean(truthy={True}, falsy={False}, **kwargs)
