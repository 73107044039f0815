"""R16 smart customer service: answer "can I still return this?" from the merchant's published
policy and the order's facts. The answer is a code with parameters (the site words it in the
viewer's language) and always names the rule and the deadline that decided it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain import rules
from domain.lines import OrderLine
from domain.terms import PolicyTerms
from domain.values import CaseKind, Reason


@dataclass(frozen=True)
class Answer:
    code: str  # no_reason_open | no_reason_closed | excluded | not_delivered | quality_only ...
    rule: str
    deadline: datetime | None
    warranty_until: datetime | None
    exclusion_reason: str = ""

    @property
    def can_return_without_reason(self) -> bool:
        return self.code == "no_reason_open"


def can_i_return(
    line: OrderLine,
    terms: PolicyTerms,
    delivered_at: datetime | None,
    now: datetime,
    *,
    opened: bool = False,
) -> Answer:
    """R16 over R1, R1.a, R1.b, R1.c and R5: whether a no-reason return is open, until when, and
    what remains (a quality return or repair within warranty) when it is not."""
    if delivered_at is None:
        return Answer("not_delivered", "R3", None, None)
    warranty_until = rules.warranty_end(delivered_at, terms.warranty_months)
    verdict = rules.eligibility(
        CaseKind.RETURN_REFUND, Reason.NO_REASON, line, terms, delivered_at, now, opened=opened
    )
    if verdict.allowed:
        return Answer("no_reason_open", "R1", verdict.deadline, warranty_until)
    exclusion = terms.exclusion_for(line.category)
    if verdict.rule in ("R1.a", "R1.b") and exclusion is not None:
        return Answer("excluded", verdict.rule, None, warranty_until, exclusion.reason)
    in_warranty = now < warranty_until
    code = "quality_only" if in_warranty else "warranty_over"
    return Answer(code, "R1.c" if in_warranty else "R5", verdict.deadline, warranty_until)
