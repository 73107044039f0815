"""Issue 10, input at the door: the value types of domain/inputs.py refuse what no store can keep
(NUL and other control characters, lone surrogates, amounts beyond the stated maximum, times out
of range, paging beyond bounds), each with its field and reason, and let ordinary input through.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from enum import IntEnum, StrEnum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import inputs
from domain.errors import InvalidInput
from domain.inputs import InputRefused, Refusal

BIGINT_MAX = 2**63 - 1
CST = timezone(timedelta(hours=8))


def refused(call: object, reason: Refusal, field: str) -> InputRefused:
    assert callable(call)
    with pytest.raises(InputRefused) as info:
        call()
    assert info.value.reason is reason, info.value
    assert info.value.field == field
    assert isinstance(info.value, InvalidInput) and info.value.kind == "invalid"  # HTTP 400
    assert field in str(info.value)
    return info.value


# -- text --------------------------------------------------------------------------------------


def test_ordinary_text_passes_stripped() -> None:
    assert inputs.text("  屏幕碎了 ", field="reason") == "屏幕碎了"
    assert (
        inputs.long_text("第一行\r\n第二行\r第三行\t完", field="d") == "第一行\n第二行\n第三行\t完"
    )
    assert inputs.long_text("", field="d") == ""
    assert inputs.token("REQ-2026_09.21:a", field="request_id") == "REQ-2026_09.21:a"
    assert inputs.text("emoji 📦 and ĳ ligature", field="t") == "emoji 📦 and ĳ ligature"


@pytest.mark.parametrize(
    ("value", "codepoint"),
    [
        ("a\x00b", "U+0000"),  # the NUL (PostgreSQL: "cannot contain NUL")
        ("bell\x07", "U+0007"),
        ("esc\x1b[31m", "U+001B"),
        ("del\x7f", "U+007F"),
        ("c1\x85", "U+0085"),
        ("lone \ud800 surrogate", "U+D800"),
        (json.loads('"json \\udc80"'), "U+DC80"),  # as a JSON body delivers it
        ("non\uffffchar", "U+FFFF"),
    ],
)
def test_control_characters_are_refused_in_every_text(value: str, codepoint: str) -> None:
    for call in (
        lambda: inputs.text(value, field="f"),
        lambda: inputs.long_text(value, field="f"),
        lambda: inputs.token(value.replace(" ", "_"), field="f"),
    ):
        error = refused(call, Refusal.CONTROL_CHARACTER, "f")
        assert codepoint in str(error)


@pytest.mark.parametrize("value", ["two\nlines", "tab\there", "cr\rhere"])
def test_one_line_text_refuses_line_breaks_and_tabs(value: str) -> None:
    refused(lambda: inputs.text(value, field="carrier"), Refusal.CONTROL_CHARACTER, "carrier")
    assert inputs.long_text(value, field="notes")  # multi-line text may hold them


def test_text_lengths_and_emptiness() -> None:
    assert inputs.text("x" * 200, field="t") == "x" * 200
    refused(lambda: inputs.text("x" * 201, field="t"), Refusal.TOO_LONG, "t")
    refused(lambda: inputs.long_text("x" * 10_001, field="d"), Refusal.TOO_LONG, "d")
    refused(lambda: inputs.long_text("y" * 131_072, field="d"), Refusal.TOO_LONG, "d")
    refused(lambda: inputs.text("   ", field="t"), Refusal.EMPTY, "t")
    refused(lambda: inputs.long_text(" ", field="d", required=True), Refusal.EMPTY, "d")
    refused(lambda: inputs.text(5, field="t"), Refusal.NOT_TEXT, "t")
    refused(lambda: inputs.token("a b", field="id"), Refusal.WHITESPACE, "id")


# -- numbers -----------------------------------------------------------------------------------


def test_amounts_stay_far_inside_bigint() -> None:
    assert inputs.MAX_AMOUNT_FEN * 10**8 < BIGINT_MAX
    assert inputs.amount_fen(0, field="fee_fen") == 0
    assert inputs.amount_fen(10**10, field="fee_fen") == 10**10
    error = refused(
        lambda: inputs.amount_fen(9223372036854775813, field="fee_fen"),  # the fee
        Refusal.TOO_LARGE,
        "fee_fen",
    )
    assert "10000000000" in str(error)
    refused(lambda: inputs.amount_fen(10**10 + 1, field="a_fen"), Refusal.TOO_LARGE, "a_fen")
    refused(lambda: inputs.amount_fen(-1, field="a_fen"), Refusal.TOO_SMALL, "a_fen")
    refused(lambda: inputs.amount_fen(True, field="a_fen"), Refusal.NOT_INTEGER, "a_fen")
    refused(lambda: inputs.amount_fen(1.5, field="a_fen"), Refusal.NOT_INTEGER, "a_fen")
    refused(lambda: inputs.amount_fen("12", field="a_fen"), Refusal.NOT_INTEGER, "a_fen")
    with pytest.raises(ValueError):
        inputs.amount_fen(1, field="a_fen", maximum=2**63)
    assert inputs.integer(3, field="quantity", minimum=1, maximum=99) == 3


def test_paging_within_bounds() -> None:
    assert inputs.page(0, 50) == inputs.Page(0, 50)
    refused(lambda: inputs.page(2**63, 50), Refusal.TOO_LARGE, "offset")  # the offset
    refused(lambda: inputs.page(-1, 50), Refusal.TOO_SMALL, "offset")
    refused(lambda: inputs.page(0, 0), Refusal.TOO_SMALL, "limit")
    refused(lambda: inputs.page(0, 10_000), Refusal.TOO_LARGE, "limit")


# -- times -------------------------------------------------------------------------------------


def test_times_are_aware_and_within_the_range() -> None:
    at = datetime(2026, 9, 21, 10, 0, tzinfo=CST)
    assert inputs.moment(at, field="placed_at") is at
    assert inputs.moment(datetime(2000, 1, 1, tzinfo=UTC), field="t")
    refused(
        lambda: inputs.moment(datetime(1, 1, 1, tzinfo=UTC), field="t"), Refusal.OUT_OF_RANGE, "t"
    )
    refused(  # year 9999: adding a deadline would overflow datetime
        lambda: inputs.moment(datetime(9999, 12, 31, 23, tzinfo=CST), field="t"),
        Refusal.OUT_OF_RANGE,
        "t",
    )
    refused(
        lambda: inputs.moment(datetime(2100, 1, 1, tzinfo=UTC), field="t"),
        Refusal.OUT_OF_RANGE,
        "t",
    )
    refused(lambda: inputs.moment(datetime(2026, 1, 1), field="t"), Refusal.NOT_AWARE, "t")
    refused(lambda: inputs.moment("2026-01-01", field="t"), Refusal.NOT_TIME, "t")


# -- every argument of a command ---------------------------------------------------------------


class Kind(StrEnum):
    RETURN = "return_refund"


class Level(IntEnum):
    ONE = 1


@dataclass(frozen=True)
class Tender:
    kind: str
    amount_fen: int


@dataclass(frozen=True)
class Line:
    line_no: int
    title: str
    paid_fen: int
    tenders: tuple[Tender, ...]


def test_check_arguments_passes_an_ordinary_command() -> None:
    inputs.check_arguments(
        {
            "order_no": "O-1",
            "kind": Kind.RETURN,
            "level": Level.ONE,
            "description": "屏幕碎了\n请处理",
            "placed_at": datetime(2026, 9, 18, tzinfo=UTC),
            "naive": datetime(2026, 9, 18),  # left to the command, which names its own rule
            "day": date(2026, 9, 18),
            "lines": [Line(1, "Phone", 10000, (Tender("card", 9000), Tender("points", 1000)))],
            "terms": {"categories": ("electronics",), "accept_hours": 24},
            "refund_fen": None,
            "urgent": True,
            "photo": b"\x00\x01",
        }
    )


@pytest.mark.parametrize(
    ("arguments", "field", "reason"),
    [
        ({"description": "bad\x00"}, "description", Refusal.CONTROL_CHARACTER),
        ({"request_id": "\ud800"}, "request_id", Refusal.CONTROL_CHARACTER),
        ({"fee_fen": 9223372036854775813}, "fee_fen", Refusal.TOO_LARGE),
        ({"fee_fen": -(10**10) - 1}, "fee_fen", Refusal.TOO_SMALL),
        ({"quantity": 2**63}, "quantity", Refusal.TOO_LARGE),
        (
            {"lines": [Line(1, "Phone", 10, (Tender("card", 2**64),))]},
            "lines[0].tenders[0].amount_fen",
            Refusal.TOO_LARGE,
        ),
        ({"lines": [Line(1, "x\x00", 10, ())]}, "lines[0].title", Refusal.CONTROL_CHARACTER),
        ({"terms": {"note": "y" * 10_001}}, "terms['note']", Refusal.TOO_LONG),
        ({"at": datetime(9999, 1, 1, tzinfo=UTC)}, "at", Refusal.OUT_OF_RANGE),
        ({"day": date(1, 1, 1)}, "day", Refusal.OUT_OF_RANGE),
        ({"ratio": float("nan")}, "ratio", Refusal.NOT_FINITE),
        ({"evidence": list(range(1001))}, "evidence", Refusal.TOO_MANY),
    ],
)
def test_check_arguments_refuses_what_no_store_can_keep(
    arguments: dict[str, object], field: str, reason: Refusal
) -> None:
    refused(lambda: inputs.check_arguments(arguments), reason, field)


def test_check_arguments_refuses_deep_nesting() -> None:
    deep: object = "leaf"
    for _ in range(100):
        deep = [deep]
    refused(lambda: inputs.check_arguments({"x": deep}), Refusal.TOO_DEEP, "x" + "[0]" * 9)


# -- properties --------------------------------------------------------------------------------


@given(st.text(max_size=300))
def test_whatever_text_passes_can_be_stored_anywhere(value: str) -> None:
    try:
        kept = inputs.long_text(value, field="d")
    except InputRefused:
        return
    assert "\x00" not in kept  # PostgreSQL TEXT
    kept.encode("utf-8")  # no lone surrogate: JSON, UTF-8 columns, logs
    assert inputs.control_character(kept, multiline=True) is None


@given(st.integers())
def test_whatever_amount_passes_fits_bigint_with_room(value: int) -> None:
    try:
        kept = inputs.amount_fen(value, field="a_fen", minimum=-(10**10))
    except InputRefused:
        assert abs(value) > 10**10
        return
    assert abs(kept) * 10**8 < BIGINT_MAX
