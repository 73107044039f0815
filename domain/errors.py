"""Every refusal the domain can make, each a named error that says which rule refused.

The web layer maps ``DomainError`` to HTTP 409 (an illegal move) or 400/404 via the subclasses'
``kind``; the CLI prints ``str(error)`` and exits non-zero. Messages name the rule id and, where a
deadline decided, the deadline in China Standard Time.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every refusal. ``rule`` is a policy.md id (or ``input`` for malformed commands)."""

    rule: str = "input"
    kind: str = "conflict"  # conflict | invalid | not_found | forbidden

    def __init__(self, message: str, *, rule: str | None = None, field: str | None = None) -> None:
        if rule is not None:
            self.rule = rule
        self.field = field
        self.message = message
        super().__init__(f"[{self.rule}] {message}")


class InvalidInput(DomainError):
    """A command's values are malformed: negative amount, unknown kind, empty reason ..."""

    kind = "invalid"


class NotFound(DomainError):
    """An unknown order, line, case or policy."""

    kind = "not_found"


class NotAllowed(DomainError):
    """The actor may not make this move on this case (another merchant's case, wrong role)."""

    kind = "forbidden"


class IllegalTransition(DomainError):
    """The move does not fit the case's current state (refund twice, ship before acceptance ...)."""


class NotEligible(DomainError):
    """The order line does not qualify for this kind of case (R1, R1.a, R1.c, R5)."""


class DeadlinePassed(NotEligible):
    """A window has closed; the message names the rule and the deadline."""


class PolicyBelowFloor(InvalidInput):
    """A merchant policy version less generous than the platform floor (R19, R11)."""

    rule = "R19"


class RefundExceedsPaid(DomainError):
    """A refund larger than what was paid for the line plus shipping owed (R3.a)."""

    rule = "R3.a"


class CaseRuledFinal(DomainError):
    """After an arbitration ruling nothing may change the outcome, only carry it out (R10)."""

    rule = "R10"


class RatingNotAllowed(DomainError):
    rule = "R18"


class ConcurrentChange(DomainError):
    """Another actor changed the case at the same time and retries did not settle it."""

    rule = "concurrency"
