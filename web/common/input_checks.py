"""``domain.inputs`` as marshmallow validators and form helpers (issue 10: one set of value types
for API schemas, forms and the domain). Attach, don't re-implement:

    Text(...)       -> fields.String(validate=[..., text_check(multiline=True)])
    Fen(...)        -> fields.Integer(strict=True, validate=fen_check(minimum=0))
    AwareInstant    -> fields.AwareDateTime(validate=instant_check())
    offset / limit  -> fields.Integer(validate=offset_check()) / validate=limit_check()
    request_id      -> fields.String(validate=token_check(max_length=120))

Each validator raises marshmallow's ``ValidationError`` with the domain's message, so the API
answers 400 naming the field; :func:`form_error` turns an ``InputRefused`` into the form's
field and message.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from marshmallow import ValidationError

from domain import inputs
from domain.inputs import InputRefused

Validator = Callable[[Any], None]

__all__ = [
    "fen_check",
    "form_error",
    "instant_check",
    "limit_check",
    "offset_check",
    "openapi_of",
    "text_check",
    "token_check",
]


#: The characters ``domain.inputs.text`` refuses, as regular-expression text (for ``pattern`` in
#: the OpenAPI document; the set of ``domain.inputs._ALWAYS``, plus TAB/LF/CR in one line). Lone
#: surrogates are left out of the pattern: they are refused all the same, but a surrogate range
#: is no valid pattern for most JSON Schema validators (Rust's, ECMA's with the u flag).
ALWAYS_BAD = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff"
ONE_LINE_BAD = r"\t\n\r" + ALWAYS_BAD


def _as_validator(check: Callable[[Any], object], **openapi: Any) -> Validator:
    """``check`` as a marshmallow validator; ``openapi`` is what the OpenAPI document says of it
    (``minimum``, ``maximum``, ``maxLength``, ``bad``: the refused characters), read by
    ``web.api.openapi`` so that the document states every limit the API enforces."""

    def validate(value: Any) -> None:
        try:
            check(value)
        except InputRefused as refused:
            # The field's name is the schema's; the message without the "field: " prefix.
            raise ValidationError(refused.message.split(": ", 1)[-1]) from None

    validate.openapi = openapi  # type: ignore[attr-defined]
    return validate


def openapi_of(validator: object) -> dict[str, Any]:
    """What :func:`_as_validator` recorded for the OpenAPI document (empty for others)."""
    found = getattr(validator, "openapi", None)
    return dict(found) if isinstance(found, dict) else {}


def text_check(*, multiline: bool = False, max_length: int | None = None) -> Validator:
    """No control characters or lone surrogates; at most ``max_length`` characters."""
    limit = max_length or (inputs.LONG_TEXT if multiline else inputs.SHORT_TEXT)
    return _as_validator(
        lambda v: inputs.text(v, field="_", max_length=limit, required=False, multiline=multiline),
        maxLength=limit,
        bad=ALWAYS_BAD if multiline else ONE_LINE_BAD,
    )


def token_check(*, max_length: int = inputs.TOKEN) -> Validator:
    """An identifier: no spaces, no control characters."""
    return _as_validator(
        lambda v: inputs.token(v, field="_", max_length=max_length),
        maxLength=max_length,
        bad=r"\s" + ONE_LINE_BAD,
        minLength=1,
    )


def fen_check(*, minimum: int = 0, maximum: int = inputs.MAX_AMOUNT_FEN) -> Validator:
    """An amount in fen within ``[minimum, maximum]`` (at most ``MAX_AMOUNT_FEN``)."""
    return _as_validator(
        lambda v: inputs.amount_fen(v, field="_", minimum=minimum, maximum=maximum),
        minimum=minimum,
        maximum=maximum,
    )


def instant_check(
    *, earliest: datetime = inputs.EARLIEST, latest: datetime = inputs.LATEST
) -> Validator:
    """An aware instant in ``[earliest, latest)``."""
    return _as_validator(lambda v: inputs.moment(v, field="_", earliest=earliest, latest=latest))


def offset_check(*, maximum: int = inputs.MAX_OFFSET) -> Validator:
    return _as_validator(
        lambda v: inputs.integer(v, field="_", minimum=0, maximum=maximum),
        minimum=0,
        maximum=maximum,
    )


def limit_check(*, maximum: int = inputs.MAX_PAGE_SIZE) -> Validator:
    return _as_validator(
        lambda v: inputs.integer(v, field="_", minimum=1, maximum=maximum),
        minimum=1,
        maximum=maximum,
    )


def form_error(refused: InputRefused) -> tuple[str, str]:
    """``(field, message)`` of a refusal, for a form that shows errors next to its fields."""
    return refused.field or "_schema", refused.message.split(": ", 1)[-1]
