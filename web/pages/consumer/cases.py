"""``/my/cases`` and ``/my/cases/<no>``: the consumer's cases, and the case page with the moves
open now (R6, R9, R10, R13, R18, R21, R25)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import abort, render_template
from flask.typing import ResponseReturnValue

from domain.case_values import Status
from domain.process import Move
from projections.case_queries import opened_lines
from projections.policies import policy_version
from projections.timeline import CaseSummary, case_summary
from web import get_db
from web.common import evidence as evidence_store
from web.common.casepage import CaseView, load_case_view
from web.common.fresh_reads import reads
from web.common.labels import (
    CLOSE_OUTCOME_LABELS,
    kind_label,
    label_of,
    party_label,
    status_label,
)
from web.common.move_forms import other_moves
from web.common.moves import allowed_moves
from web.common.translate import gettext
from web.pages.consumer.base import bp, me
from web.shard_reads import merged_by_case, merged_case_summaries

# --- cases ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    summary: CaseSummary
    kind_label: str
    status_label: str
    party_label: str
    product: str = ""  # issue 11 item 7: what the case is about ...
    amount_fen: int | None = None  # ... how much (the refund once approved, else paid)
    outcome_label: str = ""  # ... and how it ended

    @property
    def is_open(self) -> bool:
        return not Status(self.summary.status).is_terminal  # the domain says which end


def case_row(summary: CaseSummary, lines: list[dict[str, Any]] | None = None) -> CaseRow:
    lines = lines or []
    product = gettext(", ").join(
        gettext("%(title)s × %(n)s", title=line.get("title", ""), n=line.get("quantity", 1))
        for line in lines
    )
    paid = sum(int(line.get("paid_fen", 0)) for line in lines) if lines else None
    amount = summary.refund_total_fen if summary.refund_total_fen else paid
    return CaseRow(
        summary=summary,
        kind_label=kind_label(summary.kind),
        status_label=status_label(summary.status),
        party_label=party_label(summary.next_party),
        product=product,
        amount_fen=amount,
        outcome_label=label_of(CLOSE_OUTCOME_LABELS, summary.outcome) if summary.outcome else "",
    )


@bp.route("/cases")
@reads("timeline")
def cases() -> ResponseReturnValue:
    # Issue 12: the consumer's cases at every store (split by merchant, web.shards).
    summaries = merged_case_summaries(consumer_id=me().party_id, limit=500)
    lines = merged_by_case(opened_lines, [s.case_no for s in summaries])
    rows = [case_row(s, lines.get(s.case_no)) for s in summaries]
    return render_template(
        "consumer/cases.html",
        open_cases=[r for r in rows if r.is_open],
        ended_cases=[r for r in rows if not r.is_open],
    )


#: The consumer's forms on the case page, in the order they are shown.
CONSUMER_MOVES = (
    Move.SHIP_RETURN,
    Move.ANSWER_QUOTE,
    Move.ESCALATE,
    Move.SUBMIT_EVIDENCE,
    Move.FILE_COMPLAINT,
    Move.WITHDRAW,
    Move.RATE,
)


@dataclass
class Actions:
    """The consumer's forms on the case: exactly the moves the domain allows her now
    (``Case.allowed_moves``), with what the shown forms need to say."""

    allowed: frozenset[str]
    carrier: str = ""
    free_return_shipping: bool = False
    return_address: str = ""  # R13: the store's address for returned goods
    quote_fee: str = ""
    others: list[Move] = field(default_factory=list)  # allowed, offered by their generic form

    @property
    def any(self) -> bool:
        return bool(self.others) or any(move.value in self.allowed for move in CONSUMER_MOVES)


def case_forms(view: CaseView) -> Actions:
    s = view.summary
    allowed = allowed_moves(view.summary)
    acts = Actions(
        frozenset(move.value for move in allowed), others=other_moves(allowed, CONSUMER_MOVES)
    )
    if Move.SHIP_RETURN.value in acts.allowed:
        policy = policy_version(get_db(), s.merchant_id, s.policy_version)
        if policy is not None:
            acts.carrier = policy.terms.after_sales_carrier
            acts.free_return_shipping = policy.terms.free_return_shipping
            acts.return_address = policy.terms.return_address  # the case's version (R13)
    if Move.ANSWER_QUOTE.value in acts.allowed:
        quoted = [v.step for v in view.steps if v.step.step == "repair_quoted"]
        if quoted:
            acts.quote_fee = view.money(int(quoted[-1].details.get("fee_fen", 0)))
    return acts


@bp.route("/cases/<case_no>")
@reads("timeline", "policies")
def case(case_no: str) -> ResponseReturnValue:
    view = load_case_view(case_no, include_internal=False, evidence_endpoint="consumer.evidence")
    return render_template(
        "consumer/case.html",
        view=view,
        actions=case_forms(view),
        max_mb=evidence_store.max_bytes() // (1024 * 1024) or 1,
    )


def own_case(case_no: str) -> CaseSummary:
    summary = case_summary(get_db(), case_no)
    if summary is None or summary.consumer_id != me().party_id:
        abort(404)
    return summary
