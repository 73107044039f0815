"""``/my/cases`` and ``/my/cases/<no>``: the consumer's cases, and the case page with the moves
open now (R6, R9, R10, R13, R18, R21, R25)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, render_template
from flask.typing import ResponseReturnValue

from projections.policies import policy_version
from projections.timeline import CaseSummary, case_summaries, case_summary
from web import get_db
from web.common import evidence as evidence_store
from web.common.casepage import CaseView, load_case_view
from web.common.labels import kind_label, party_label, status_label
from web.pages.consumer.base import NEGOTIATION_FAILED, bp, me

# --- cases ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    summary: CaseSummary
    kind_label: str
    status_label: str
    party_label: str

    @property
    def is_open(self) -> bool:
        return self.summary.status not in ("closed", "withdrawn")


def case_row(summary: CaseSummary) -> CaseRow:
    return CaseRow(
        summary=summary,
        kind_label=kind_label(summary.kind),
        status_label=status_label(summary.status),
        party_label=party_label(summary.next_party),
    )


@bp.route("/cases")
def cases() -> ResponseReturnValue:
    summaries = case_summaries(get_db(), consumer_id=me().party_id, limit=500)
    rows = [case_row(s) for s in summaries]
    return render_template(
        "consumer/cases.html",
        open_cases=[r for r in rows if r.is_open],
        ended_cases=[r for r in rows if not r.is_open],
    )


@dataclass
class Actions:
    """What the consumer can do on the case now (derived from its status and kind)."""

    ship: bool = False
    quote: bool = False
    quote_fee: str = ""
    complain: bool = False
    escalate: bool = False
    evidence: bool = False
    withdraw: bool = False
    rate: bool = False
    carrier: str = ""
    free_return_shipping: bool = False

    @property
    def any(self) -> bool:
        return any(
            (
                self.ship,
                self.quote,
                self.complain,
                self.escalate,
                self.evidence,
                self.withdraw,
                self.rate,
            )
        )


def case_actions(view: CaseView) -> Actions:
    s = view.summary
    status = s.status
    terminal = status in ("closed", "withdrawn")
    ruled = s.ruling_outcome is not None
    steps = [v.step for v in view.steps]
    acts = Actions()
    if status == "awaiting_return":
        acts.ship = True
    elif status == "ruled":
        last_ruling = max((st.version for st in steps if st.step == "ruled"), default=0)
        needs_return = any(st.step == "ruled" and st.details.get("return_required") for st in steps)
        shipped = any(st.step == "return_shipped" and st.version > last_ruling for st in steps)
        acts.ship = needs_return and not shipped
    if acts.ship:
        policy = policy_version(get_db(), s.merchant_id, s.policy_version)
        if policy is not None:
            acts.carrier = policy.terms.after_sales_carrier
            acts.free_return_shipping = policy.terms.free_return_shipping
    if status == "awaiting_quote_answer":
        acts.quote = True
        quoted = [st for st in steps if st.step == "repair_quoted"]
        if quoted:
            acts.quote_fee = view.money(int(quoted[-1].details.get("fee_fen", 0)))
    acts.complain = status != "withdrawn" and not s.complaint_open and s.kind != "complaint"
    acts.escalate = not terminal and not ruled and status in NEGOTIATION_FAILED
    acts.evidence = not terminal and not ruled
    acts.withdraw = not terminal and not ruled and s.refund_total_fen is None
    acts.rate = status == "closed" and s.rating is None
    return acts


@bp.route("/cases/<case_no>")
def case(case_no: str) -> ResponseReturnValue:
    view = load_case_view(case_no, include_internal=False, evidence_endpoint="consumer.evidence")
    return render_template(
        "consumer/case.html",
        view=view,
        actions=case_actions(view),
        max_mb=evidence_store.max_bytes() // (1024 * 1024) or 1,
    )


def own_case(case_no: str) -> CaseSummary:
    summary = case_summary(get_db(), case_no)
    if summary is None or summary.consumer_id != me().party_id:
        abort(404)
    return summary
