"""What a move takes (issue 7): each input's name, value type and bounds, enough for the web to
generate its marshmallow schema and its form field from, and for the domain to check it once."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from enum import StrEnum

from domain.values import Role


class InputType(StrEnum):
    TEXT = "text"  # one line, ``max_length``
    LONG_TEXT = "long_text"  # several lines, ``max_length``
    MONEY_FEN = "money_fen"  # whole fen, ``minimum``..``maximum``
    INT_RANGE = "int_range"  # whole number, ``minimum``..``maximum``
    BOOL = "bool"
    ENUM = "enum"  # one of ``choices`` (a StrEnum)
    SHIPMENT = "shipment"  # carrier, tracking_no, fee_fen (R13, R25)
    EVIDENCE_LIST = "evidence_list"  # uploaded files, recorded by SHA-256 (R21)
    DATETIME = "datetime"  # aware, not in the future
    RULING = "ruling"  # outcome, refund_fen, compensation_fen, return_required (R10)


MAX_TEXT = 200
MAX_LONG_TEXT = 4000
MAX_FEN = 100_000_000_00  # one hundred million yuan: no refund, fee or compensation is larger


@dataclass(frozen=True)
class InputSpec:
    """One input of a move. ``choices`` names the StrEnum of an ENUM input."""

    name: str
    type: InputType
    required: bool = True
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    choices: builtins.type[StrEnum] | None = None
    label: str = ""
    default: str | None = None  # an optional ENUM's value when none is given
    defaults_to_now: bool = False  # an optional DATETIME that is "now" when none is given
    roles: frozenset[Role] = frozenset()  # who is offered this input (empty: whoever may move)

    def offered_to(self, role: Role) -> bool:
        """Only offer what can succeed: an input the domain refuses from ``role`` (a consumer's
        note marked internal, P4) is not offered to it."""
        return not self.roles or role in self.roles

    @property
    def choice_values(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.choices) if self.choices is not None else ()


def text(name: str, label: str, *, required: bool = True, long: bool = False) -> InputSpec:
    kind = InputType.LONG_TEXT if long else InputType.TEXT
    limit = MAX_LONG_TEXT if long else MAX_TEXT
    return InputSpec(name, kind, required, max_length=limit, label=label)


def money(name: str, label: str, *, required: bool = True, minimum: int = 1) -> InputSpec:
    return InputSpec(
        name, InputType.MONEY_FEN, required, minimum=minimum, maximum=MAX_FEN, label=label
    )


def choice(
    name: str, label: str, choices: type[StrEnum], *, default: StrEnum | None = None
) -> InputSpec:
    value = default.value if default is not None else None
    return InputSpec(
        name, InputType.ENUM, default is None, choices=choices, label=label, default=value
    )


def flag(name: str, label: str, *, roles: frozenset[Role] = frozenset()) -> InputSpec:
    return InputSpec(name, InputType.BOOL, False, label=label, roles=roles)


def shipment(name: str = "shipment", *, required: bool = True) -> InputSpec:
    return InputSpec(name, InputType.SHIPMENT, required, label="Carrier and tracking number")


def evidence(name: str = "evidence", *, required: bool = False) -> InputSpec:
    return InputSpec(name, InputType.EVIDENCE_LIST, required, label="Evidence")


def when(name: str, label: str, *, required: bool = False, now: bool = False) -> InputSpec:
    return InputSpec(name, InputType.DATETIME, required, label=label, defaults_to_now=now)


def int_range(name: str, label: str, minimum: int, maximum: int) -> InputSpec:
    return InputSpec(name, InputType.INT_RANGE, True, minimum=minimum, maximum=maximum, label=label)
