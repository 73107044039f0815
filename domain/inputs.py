"""Input at the door (issue 10): the one set of checks every value from outside passes before it
can become an event — API schemas, forms, CSV imports and the service's own commands call these.

No input may break storage or the read side: text carries no control characters (NUL, other C0
and C1 controls, DEL, lone surrogates, U+FFFE/U+FFFF; ``\\n`` and ``\\t`` only in multi-line
text) and has a bounded length; amounts lie within :data:`MAX_AMOUNT_FEN` (far inside BIGINT);
other integers within :data:`MAX_INTEGER`; times are timezone-aware and between
:data:`EARLIEST` and :data:`LATEST` (so time-zone arithmetic never leaves ``datetime``'s range);
paging stays within :data:`MAX_PAGE_SIZE` and :data:`MAX_OFFSET`.

Each refusal is an :class:`InputRefused` (an ``InvalidInput``: HTTP 400) naming the field, a
machine-readable :class:`Refusal` and the limit. Business bounds (a fee cap, a refund cap under
R3.a) are the domain's rules; these bounds are about never storing what cannot be kept.

Pure: standard library and ``domain.errors`` only.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum, StrEnum
from typing import Any

from domain.errors import InvalidInput

__all__ = [
    "EARLIEST",
    "LATEST",
    "LONG_TEXT",
    "MAX_AMOUNT_FEN",
    "MAX_DEPTH",
    "MAX_INTEGER",
    "MAX_ITEMS",
    "MAX_OFFSET",
    "MAX_PAGE_SIZE",
    "SHORT_TEXT",
    "TOKEN",
    "InputRefused",
    "Page",
    "Refusal",
    "amount_fen",
    "check_arguments",
    "control_character",
    "integer",
    "long_text",
    "moment",
    "page",
    "text",
    "token",
]

MAX_AMOUNT_FEN = 10**10
"""¥100,000,000.00: no amount of an after-sales case comes near; 9.2 × 10^8 times below BIGINT."""
MAX_INTEGER = 10**12
"""Any other integer of a command (quantities, line numbers, hours, versions)."""
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
"""Times of commands lie in [EARLIEST, LATEST): no order, delivery or deadline falls outside."""
SHORT_TEXT = 200
"""One-line text: names, carriers, tracking numbers, reasons' titles."""
LONG_TEXT = 10_000
"""Multi-line text: descriptions, findings, notes, opinions, rulings."""
TOKEN = 200
"""Identifiers (request ids, case and order numbers, SKUs): no spaces, no controls."""
MAX_PAGE_SIZE = 200
MAX_OFFSET = 1_000_000
MAX_ITEMS = 1_000
"""Items of one list argument (order lines, evidence, tenders ...)."""
MAX_DEPTH = 8
"""Nesting of one argument (a list of lines of tenders is depth 3)."""


class Refusal(StrEnum):
    NOT_TEXT = "not_text"
    EMPTY = "empty"
    TOO_LONG = "too_long"
    CONTROL_CHARACTER = "control_character"
    WHITESPACE = "whitespace"
    NOT_INTEGER = "not_integer"
    TOO_SMALL = "too_small"
    TOO_LARGE = "too_large"
    NOT_TIME = "not_time"
    NOT_AWARE = "not_aware"
    OUT_OF_RANGE = "out_of_range"
    NOT_FINITE = "not_finite"
    TOO_MANY = "too_many"
    TOO_DEEP = "too_deep"


class InputRefused(InvalidInput):
    """A value refused at the door: ``field`` names it (a path such as ``lines[0].paid_fen``),
    ``reason`` says why in one word, the message says it in a sentence with the limit."""

    def __init__(self, field: str, reason: Refusal, message: str) -> None:
        super().__init__(f"{field}: {message}", field=field)
        self.reason = reason


# Never in any text: NUL and the other C0 controls but TAB/LF/CR, DEL, the C1 controls, lone
# surrogates (not encodable as UTF-8: a JSON "\ud800" arrives as one) and the two noncharacters.
_ALWAYS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
_MULTILINE_BAD = re.compile(f"[{_ALWAYS}]")
_ONE_LINE_BAD = re.compile(f"[\t\n\r{_ALWAYS}]")
_SPACE = re.compile(r"\s")


def control_character(value: str, *, multiline: bool = False) -> int | None:
    """Index of the first character :func:`text` refuses in ``value`` (None: none)."""
    found = (_MULTILINE_BAD if multiline else _ONE_LINE_BAD).search(value)
    return None if found is None else found.start()


def _codepoint(character: str) -> str:
    return f"U+{ord(character):04X}"


def text(
    value: object,
    *,
    field: str,
    max_length: int = SHORT_TEXT,
    required: bool = True,
    multiline: bool = False,
) -> str:
    """``value`` stripped of surrounding white space (multi-line: line ends made ``\\n``).

    Refused: not a string, a control character (multi-line text may hold ``\\n`` and ``\\t``),
    more than ``max_length`` characters, or empty when ``required``.
    """
    if not isinstance(value, str):
        raise InputRefused(field, Refusal.NOT_TEXT, f"must be text, not {type(value).__name__}")
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    at = control_character(value, multiline=multiline)
    if at is not None:
        raise InputRefused(
            field,
            Refusal.CONTROL_CHARACTER,
            f"must not contain the control character {_codepoint(value[at])} "
            f"(at position {at + 1})",
        )
    value = value.strip()
    if len(value) > max_length:
        raise InputRefused(
            field, Refusal.TOO_LONG, f"at most {max_length} characters, got {len(value)}"
        )
    if required and not value:
        raise InputRefused(field, Refusal.EMPTY, "must not be empty")
    return value


def long_text(
    value: object, *, field: str, max_length: int = LONG_TEXT, required: bool = False
) -> str:
    """Multi-line :func:`text` (descriptions, findings, notes, opinions)."""
    return text(value, field=field, max_length=max_length, required=required, multiline=True)


def token(value: object, *, field: str, max_length: int = TOKEN) -> str:
    """An identifier: non-empty one-line text without any white space."""
    result = text(value, field=field, max_length=max_length)
    if _SPACE.search(result):
        raise InputRefused(field, Refusal.WHITESPACE, "must not contain spaces")
    return result


def integer(value: object, *, field: str, minimum: int, maximum: int) -> int:
    """A whole number (not a bool, not a float) in ``[minimum, maximum]``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputRefused(
            field, Refusal.NOT_INTEGER, f"must be a whole number, not {type(value).__name__}"
        )
    if value < minimum:
        raise InputRefused(field, Refusal.TOO_SMALL, f"must be at least {minimum}, got {value}")
    if value > maximum:
        raise InputRefused(field, Refusal.TOO_LARGE, f"must be at most {maximum}, got {value}")
    return value


def amount_fen(
    value: object, *, field: str, minimum: int = 0, maximum: int = MAX_AMOUNT_FEN
) -> int:
    """An amount in fen, by default ``0 ≤ value ≤`` :data:`MAX_AMOUNT_FEN`."""
    if minimum < -MAX_AMOUNT_FEN or maximum > MAX_AMOUNT_FEN:
        raise ValueError("amount bounds must lie within ±MAX_AMOUNT_FEN")
    return integer(value, field=field, minimum=minimum, maximum=maximum)


def moment(
    value: object, *, field: str, earliest: datetime = EARLIEST, latest: datetime = LATEST
) -> datetime:
    """A timezone-aware datetime in ``[earliest, latest)``."""
    if not isinstance(value, datetime):
        raise InputRefused(field, Refusal.NOT_TIME, f"must be a time, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InputRefused(field, Refusal.NOT_AWARE, "must carry a time zone (e.g. +08:00)")
    if not earliest <= value < latest:
        raise InputRefused(
            field,
            Refusal.OUT_OF_RANGE,
            f"must lie from {earliest.isoformat()} to before {latest.isoformat()}",
        )
    return value


@dataclass(frozen=True)
class Page:
    offset: int
    limit: int


def page(
    offset: object,
    limit: object,
    *,
    max_limit: int = MAX_PAGE_SIZE,
    max_offset: int = MAX_OFFSET,
) -> Page:
    """Paging a list: ``0 ≤ offset ≤ max_offset`` and ``1 ≤ limit ≤ max_limit``."""
    return Page(
        integer(offset, field="offset", minimum=0, maximum=max_offset),
        integer(limit, field="limit", minimum=1, maximum=max_limit),
    )


# -- every argument of a command, whatever its shape ------------------------------------------


def check_arguments(arguments: Mapping[str, Any]) -> None:
    """Walk a command's arguments (strings, numbers, times, lists, mappings, dataclasses, in any
    nesting) and refuse the first value no store can keep.

    A generic floor under the typed checks above, for the service's command entry: every string
    is multi-line :func:`text` of at most :data:`LONG_TEXT` characters (empty allowed), an
    integer named ``*_fen`` lies within ±:data:`MAX_AMOUNT_FEN`, any other within
    ±:data:`MAX_INTEGER`, a float is finite, a datetime passes :func:`moment` (a naive one is left
    to the command, which names its own rule), a date lies in EARLIEST..LATEST's years; a list has
    at most :data:`MAX_ITEMS` items and nesting stops at :data:`MAX_DEPTH`.
    """
    for name, value in arguments.items():
        _check(value, str(name), 0)


def _check(value: object, path: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise InputRefused(path, Refusal.TOO_DEEP, f"nested deeper than {MAX_DEPTH} levels")
    if value is None or isinstance(value, bool | bytes):
        return
    if isinstance(value, Enum) and not isinstance(value, str):
        return  # a member of a closed set (IntEnum ...): the command checks it
    if isinstance(value, str):
        text(value, field=path, max_length=LONG_TEXT, required=False, multiline=True)
    elif isinstance(value, int):
        bound = MAX_AMOUNT_FEN if path.endswith("_fen") else MAX_INTEGER
        integer(value, field=path, minimum=-bound, maximum=bound)
    elif isinstance(value, float):
        if not math.isfinite(value) or abs(value) > MAX_INTEGER:
            raise InputRefused(path, Refusal.NOT_FINITE, "must be a finite number")
    elif isinstance(value, datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            moment(value, field=path)
    elif isinstance(value, date):
        if not EARLIEST.year <= value.year < LATEST.year:
            raise InputRefused(
                path, Refusal.OUT_OF_RANGE, f"must lie in {EARLIEST.year}-{LATEST.year - 1}"
            )
    elif isinstance(value, Mapping):
        _check_items(len(value), path)
        for key, item in value.items():
            _check(key, f"{path}.<key>", depth + 1)
            _check(item, f"{path}[{key!r}]", depth + 1)
    elif isinstance(value, list | tuple | set | frozenset):
        _check_items(len(value), path)
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]", depth + 1)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for spec in dataclasses.fields(value):
            _check(getattr(value, spec.name), f"{path}.{spec.name}", depth + 1)


def _check_items(count: int, path: str) -> None:
    if count > MAX_ITEMS:
        raise InputRefused(path, Refusal.TOO_MANY, f"at most {MAX_ITEMS} items, got {count}")
