"""The ruling form (R10): amounts typed in yuan and parsed exactly to fen, each mistake named
by its field in the arbitrator's language; the domain has the last word."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l

from domain.case_values import Ruling, RulingOutcome
from domain.errors import DomainError
from web.common.actions import refusal_text
from web.common.amounts import AmountError, amount_error_text, parse_yuan
from web.common.formats import money
from web.common.translate import gettext
from web.pages.arbitrator.base import REASONING_MAX

# --- the ruling form (R10) ------------------------------------------------------------------

OUTCOME_CHOICES: tuple[tuple[str, Any], ...] = (
    ("refund", _l("Refund")),
    ("exchange", _l("Exchange")),
    ("repair", _l("Repair")),
    ("compensation", _l("Compensation")),
    ("dismissed", _l("Dismissed: the application is refused")),
)


@dataclass
class RulingForm:
    outcome: str = ""
    refund: str = ""
    compensation: str = ""
    return_required: bool = False
    reasoning: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_request(cls) -> RulingForm:
        form = request.form
        return cls(
            outcome=(form.get("outcome") or "").strip(),
            refund=(form.get("refund_amount") or "").strip(),
            compensation=(form.get("compensation_amount") or "").strip(),
            return_required=form.get("return_required") in ("1", "on", "true", "yes"),
            reasoning=(form.get("reasoning") or "").strip(),
        )

    def validate(self, cap_fen: int | None, currency: str) -> Ruling | None:
        """The ruling the form describes, or None with ``errors`` naming each bad field."""
        errors = self.errors
        if self.outcome not in {value for value, _label in OUTCOME_CHOICES}:
            errors["outcome"] = gettext(
                "%(field)s: choose refund, exchange, repair, compensation or dismissed.",
                field=gettext("Outcome"),
            )
        refund_fen = self._amount("refund_amount", self.refund, gettext("Refund amount (yuan)"))
        compensation_fen = self._amount(
            "compensation_amount", self.compensation, gettext("Compensation (yuan)")
        )
        self._check_refund(refund_fen, cap_fen, currency)
        self._check_compensation(compensation_fen)
        self._check_reasoning()
        if errors:
            return None
        try:
            return Ruling(
                RulingOutcome(self.outcome),
                refund_fen=refund_fen,
                compensation_fen=compensation_fen,
                return_required=self.return_required,
            )
        except DomainError as error:  # the domain's own checks, should the web miss one
            errors[error.field or "outcome"] = refusal_text(error)
            return None

    def _amount(self, name: str, text: str, label: str) -> int:
        """The typed amount in fen (0 when empty or unreadable, then an error names the field)."""
        if not text:
            return 0
        try:
            return parse_yuan(text)
        except AmountError as error:
            self.errors[name] = amount_error_text(label, error)
            return 0

    def _check_refund(self, refund_fen: int, cap_fen: int | None, currency: str) -> None:
        errors = self.errors
        refund_label = gettext("Refund amount (yuan)")
        if self.outcome == "refund" and "refund_amount" not in errors:
            if refund_fen <= 0:
                errors["refund_amount"] = gettext(
                    "%(field)s: a refund ruling names an amount above ¥0.00 (R10).",
                    field=refund_label,
                )
            elif cap_fen is not None and refund_fen > cap_fen:
                errors["refund_amount"] = gettext(
                    "%(field)s: at most %(cap)s, what was paid for the goods plus the shipping "
                    "owed under R2 (R3.a).",
                    field=refund_label,
                    cap=money(cap_fen, currency),
                )
        elif self.outcome in ("exchange", "repair", "compensation", "dismissed") and refund_fen:
            errors["refund_amount"] = gettext(
                "%(field)s: only a refund ruling refunds money; leave it empty.",
                field=refund_label,
            )

    def _check_compensation(self, compensation_fen: int) -> None:
        errors = self.errors
        comp_label = gettext("Compensation (yuan)")
        if (
            self.outcome == "compensation"
            and compensation_fen <= 0
            and "compensation_amount" not in errors
        ):
            errors["compensation_amount"] = gettext(
                "%(field)s: a compensation ruling names an amount above ¥0.00 (R10).",
                field=comp_label,
            )
        if self.outcome == "dismissed" and compensation_fen:
            errors["compensation_amount"] = gettext(
                "%(field)s: a dismissed application is not compensated; leave it empty.",
                field=comp_label,
            )
        if self.return_required and self.outcome in ("compensation", "dismissed"):
            errors["return_required"] = gettext(
                "%(field)s: the goods come back only for a refund, exchange or repair.",
                field=gettext("Goods must be returned"),
            )

    def _check_reasoning(self) -> None:
        if not self.reasoning:
            self.errors["reasoning"] = gettext(
                "%(field)s: a ruling gives its reasoning (R10).", field=gettext("Reasoning")
            )
        elif len(self.reasoning) > REASONING_MAX:
            self.errors["reasoning"] = gettext(
                "%(field)s: at most %(max)s characters.",
                field=gettext("Reasoning"),
                max=REASONING_MAX,
            )
