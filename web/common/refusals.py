"""Every refusal a person can meet, as a sentence in their language (issue 11 item 2).

The domain names a refusal by ``DomainError.code`` and ``params`` (``domain.errors``); this catalog
words it. The developer's ``message`` (English, with internal ids such as ``line 1 of order ...``)
is never shown on a page: a code without its own sentence gets its class's general one. Staff,
arbitrators and finance read the rule id after the sentence; consumers read the sentence alone
(the rules page explains the rules, issue 11 item 5).
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from domain.errors import DomainError
from domain.values import Role

#: code -> sentence (``%(name)s`` placeholders filled from ``words``).
SENTENCES: dict[str, Any] = {
    "units_already_claimed": _l(
        "Every unit of this item that you asked for is already being returned or refunded in "
        "another case (%(free)s of them are free), so it cannot be refunded again. An exchange, "
        "a repair or a complaint is still possible."
    ),
    "move_not_for_role": _l("“%(move)s” is not for you to do on this case."),
    "move_not_for_kind": _l("“%(move)s” is not part of a case of this kind (%(kind)s)."),
    "move_not_now": _l(
        "“%(move)s” is not possible while the case is at this step (%(status)s). The page shows "
        "what can be done now."
    ),
    "stand_in_too_early": _l(
        "“%(move)s” is still up to the other side: the platform steps in only once their "
        "deadline has passed."
    ),
    "case_finished": _l("This case is finished (%(status)s): nothing more can be done but rating."),
    "complaint_open": _l("A complaint about this case is already open."),
    "post_close_window_ended": _l(
        "This case was closed and the time for a complaint or for arbitration has ended."
    ),
    "in_arbitration": _l("This case is already with arbitration."),
    "merchant_not_answered_yet": _l(
        "Arbitration comes after the store has answered: the store still has time to answer."
    ),
    "refunded_once": _l("This case already has an approved refund: a case is refunded once."),
    "refund_exceeds_paid": _l(
        "That refund is more than was paid for the goods plus the shipping owed (at most %(cap)s)."
    ),
    "ruled_final": _l("The arbitration ruling on this case is final: this would change it."),
    "rating_not_allowed": _l("A case is rated once, after it is closed."),
    "concurrent_change": _l("Someone changed this case at the same moment. Please try again."),
    "deadline_passed": _l("The time for this has passed."),
    "not_eligible": _l("This item does not qualify for this kind of application."),
    "illegal_transition": _l("This is not possible at this step of the case."),
    "policy_below_floor": _l(
        "This policy would give less than the platform's minimum: every term must be at least "
        "as generous as the platform's rules."
    ),
    "invalid_input": _l("Please check what you entered: a value is missing or not valid."),
    "not_found": _l("This was not found, or it is not yours."),
    "not_allowed": _l("You may not do this."),
    "refused": _l("This is not possible."),
    "deduction_needs_finding": _l(
        "This deduction is allowed only after an inspection found the damage was caused by the "
        "user; this case has no such finding."
    ),
    "deduction_kind_unknown": _l(
        "This is not a deduction the platform allows; a store may publish only the deductions "
        "listed on its policy form."
    ),
    "deduction_kind_platform_only": _l(
        "This deduction is recorded by the platform (for example by an arbitration ruling); a "
        "store cannot publish it."
    ),
    "deduction_needs_evidence": _l("A deduction names the evidence it rests on."),
    "fee_tender_not_money": _l(
        "Shipping and repair fees are paid as money: choose the card or the wallet."
    ),
    "unstated_deduction": _l(
        "A refund is the full entitlement less only deductions that the published policy names, "
        "each with its amount, rule and evidence: this one does not add up to that."
    ),
}


def _words(params: dict[str, object]) -> dict[str, str]:
    from web.common.formats import money
    from web.common.labels import kind_label, status_label
    from web.common.move_forms import move_name

    out = {key: str(value) for key, value in params.items()}
    if "move" in params:
        out["move"] = move_name(str(params["move"]))
    if "status" in params:
        out["status"] = status_label(str(params["status"]))
    if "kind" in params:
        out["kind"] = kind_label(str(params["kind"]))
    if "cap_fen" in params and isinstance(params["cap_fen"], int):
        out["cap"] = money(params["cap_fen"])
    return out


def refusal_sentence(error: DomainError, role: str | None = None) -> str | Markup:
    """``error`` as the viewer reads it; the rule id follows for everyone but consumers."""
    template = SENTENCES.get(error.code) or SENTENCES.get(type(error).default_code)
    text = str(template or SENTENCES["refused"])
    try:
        text = text % _words(error.params) if "%(" in text else text
    except (KeyError, ValueError, TypeError):
        text = str(SENTENCES.get(type(error).default_code) or SENTENCES["refused"])
    if not error.rule or error.rule in ("input", "concurrency"):
        return text
    if role == Role.CONSUMER.value:
        return consumer_rule_link(text, error.rule)
    return str(gettext("%(sentence)s (%(rule)s)", sentence=text, rule=error.rule))


def consumer_rule_link(sentence: str, rule: str) -> Markup:
    """A consumer's sentence with a link to the rule it follows (its id only in the address)."""
    from web.common.stores import rule_anchor

    if not rule.startswith("R"):
        return Markup.escape(sentence)
    return Markup('{} <a class="rule-link" href="{}#{}">{}</a>').format(
        sentence, url_for("public.rules"), rule_anchor(rule), gettext("the rule")
    )
