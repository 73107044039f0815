"""Refusals the domain names by class, said in the viewer's language (issue 8): the sentence
here, then (in English) the domain's own detail with the amounts. A refusal not listed is the
domain's message as it is."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from domain.errors import DomainError

REFUSALS: dict[str, Any] = {
    "UnstatedDeduction": _l(
        "A refund is the entitlement less only deductions the published policy names, each "
        "with its amount, rule and evidence (R3.a)."
    ),
}


def refusal_message(error: DomainError, language: str) -> str:
    sentence = REFUSALS.get(type(error).__name__)
    if sentence is None:
        return error.message
    if language == "en":
        return f"{sentence} {error.message}"
    return str(sentence)
