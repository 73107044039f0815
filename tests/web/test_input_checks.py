"""Issue 10: domain.inputs as marshmallow validators (web/common/input_checks.py): a schema using
them refuses a NUL, a lone surrogate, an amount beyond the maximum, a time at year 1 or 9999 and
an offset of 2^63 with a 400-style ValidationError naming the field; ordinary values pass."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from marshmallow import Schema, ValidationError, fields

from domain.inputs import InputRefused, Refusal
from web.common.input_checks import (
    fen_check,
    form_error,
    instant_check,
    limit_check,
    offset_check,
    text_check,
    token_check,
)


class Body(Schema):
    request_id = fields.String(validate=token_check(max_length=120))
    description = fields.String(validate=text_check(multiline=True))
    carrier = fields.String(validate=text_check())
    fee_fen = fields.Integer(strict=True, validate=fen_check())
    at = fields.AwareDateTime(format="iso", validate=instant_check())
    offset = fields.Integer(validate=offset_check())
    limit = fields.Integer(validate=limit_check())


GOOD: dict[str, Any] = {
    "request_id": "b9c0-4d",
    "description": "屏幕碎了\n请处理",
    "carrier": "顺丰速运",
    "fee_fen": 1200,
    "at": "2026-09-21T10:00:00+08:00",
    "offset": 0,
    "limit": 50,
}


def test_ordinary_values_pass() -> None:
    loaded = Body().load(GOOD)
    assert loaded["at"] == datetime(2026, 9, 21, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("description", "a\x00b", "U+0000"),
        ("description", json.loads('"\\ud800"'), "U+D800"),
        ("carrier", "SF\nExpress", "U+000A"),
        ("request_id", "a b", "spaces"),
        ("fee_fen", 9223372036854775813, "at most 10000000000"),
        ("fee_fen", -1, "at least 0"),
        ("at", "0001-01-01T00:00:00+00:00", "2000"),
        ("at", "9999-12-31T23:00:00+08:00", "2100"),
        ("offset", 2**63, "at most 1000000"),
        ("limit", 10_000, "at most 200"),
        ("description", "x" * 10_001, "at most 10000 characters"),
    ],
)
def test_what_no_store_can_keep_is_refused_naming_the_field(
    field: str, value: Any, says: str
) -> None:
    with pytest.raises(ValidationError) as info:
        Body().load({**GOOD, field: value})
    messages = info.value.messages
    assert isinstance(messages, dict) and list(messages) == [field]
    assert says in messages[field][0]


def test_form_error_names_field_and_message() -> None:
    refused = InputRefused("reason", Refusal.TOO_LONG, "at most 200 characters, got 201")
    assert form_error(refused) == ("reason", "at most 200 characters, got 201")
