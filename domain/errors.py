"""Every refusal the domain can make, each a named error that says which rule refused.

The web layer maps ``DomainError`` to HTTP 409 (an illegal move) or 400/404 via the subclasses'
``kind``; the CLI prints ``str(error)`` and exits non-zero. Messages name the rule id and, where a
deadline decided, the deadline in China Standard Time.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every refusal. ``rule`` is a policy.md id (or ``input`` for malformed commands).

    ``message`` is the developer's text (logs, CLI, API ``detail``). ``code`` and ``params`` name
    the refusal for people: the site words it from its catalog (``web.common.refusals``) in the
    viewer's language, never showing ``message`` (issue 11 item 2). ``code`` defaults to the
    class's own (``IllegalTransition`` -> ``illegal_transition``); ``params`` hold plain values
    (numbers, ids, state codes) the sentence may use."""

    rule: str = "input"
    kind: str = "conflict"  # conflict | invalid | not_found | forbidden
    default_code: str = "refused"

    def __init__(
        self,
        message: str,
        *,
        rule: str | None = None,
        field: str | None = None,
        code: str | None = None,
        params: dict[str, object] | None = None,
    ) -> None:
        if rule is not None:
            self.rule = rule
        self.field = field
        self.message = message
        self.code = code or self.default_code
        self.params: dict[str, object] = dict(params or {})
        super().__init__(f"[{self.rule}] {message}")


class InvalidInput(DomainError):
    """A command's values are malformed: negative amount, unknown kind, empty reason ..."""

    kind = "invalid"
    default_code = "invalid_input"


class NotFound(DomainError):
    """An unknown order, line, case or policy."""

    kind = "not_found"
    default_code = "not_found"


class NotAllowed(DomainError):
    """The actor may not make this move on this case (another merchant's case, wrong role)."""

    kind = "forbidden"
    default_code = "not_allowed"


class IllegalTransition(DomainError):
    """The move does not fit the case's current state (refund twice, ship before acceptance ...)."""

    default_code = "illegal_transition"


class NotEligible(DomainError):
    """The order line does not qualify for this kind of case (R1, R1.a, R1.c, R5)."""

    default_code = "not_eligible"


class DeadlinePassed(NotEligible):
    """A window has closed; the message names the rule and the deadline."""

    default_code = "deadline_passed"


class PolicyBelowFloor(InvalidInput):
    """A merchant policy version less generous than the platform floor (R19, R11)."""

    rule = "R19"
    default_code = "policy_below_floor"


class RefundExceedsPaid(DomainError):
    """A refund larger than what was paid for the line plus shipping owed (R3.a)."""

    rule = "R3.a"
    default_code = "refund_exceeds_paid"


class CaseRuledFinal(DomainError):
    """After an arbitration ruling nothing may change the outcome, only carry it out (R10)."""

    rule = "R10"
    default_code = "ruled_final"


class RatingNotAllowed(DomainError):
    rule = "R18"
    default_code = "rating_not_allowed"


class ConcurrentChange(DomainError):
    """Another actor changed the case at the same time and retries did not settle it."""

    rule = "concurrency"
    default_code = "concurrent_change"
