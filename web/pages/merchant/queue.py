"""``/merchant/queue``: the store's work queue sorted by deadline with counts and bulk accept
(R12, R17); ``/merchant/cases``: every case of the store, open or ended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from domain.errors import DomainError
from projections.queue_queries import queue_page_with_summaries
from projections.queues import QueueItem, queue_counts
from projections.timeline import CaseSummary, case_summaries
from web import get_db
from web.common.actions import refusal_text, request_id_from_form
from web.common.auth import (
    current_actor,
)
from web.common.fresh_reads import reads, remember
from web.common.labels import (
    awaiting_label,
    clock_label,
    kind_label,
    party_label,
    reason_label,
    status_label,
)
from web.pages.merchant.base import MAX_BULK, bp, merchant_id, own_case, queue_name
from web.services import get_service

PAGE_SIZE = 50
#: What a queue item waits for when the store's accept-or-reject (R12, R5.a) is due.
DECISION_DUE = frozenset({"decide", "respond"})


@bp.route("/")
def home() -> ResponseReturnValue:
    return redirect(url_for("merchant.queue"))


# --- the queue (R12, R17) -------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    item: QueueItem
    summary: CaseSummary | None
    awaiting_label: str
    clock_label: str
    kind_label: str
    status_label: str
    reason_label: str
    decidable: bool


def page_number() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        return 1
    return min(int(raw), 10_000)


@bp.route("/queue")
@reads("queues", "timeline")
def queue() -> ResponseReturnValue:
    db = get_db()
    name = queue_name()
    page = page_number()
    counts = queue_counts(db, name)
    pages = max(1, -(-counts.cases // PAGE_SIZE))
    found = queue_page_with_summaries(db, name, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    labels: dict[tuple[Any, str], str] = {}  # issue 12: each code's words once per page

    def label(of: Any, code: str) -> str:
        key = (of, code)
        if key not in labels:
            labels[key] = of(code)
        return labels[key]

    rows = [
        QueueRow(
            item=item,
            summary=summary,
            awaiting_label=label(awaiting_label, item.awaiting),
            clock_label=label(clock_label, item.clock) if item.clock else "",
            kind_label=label(kind_label, item.kind),
            status_label=label(status_label, item.status),
            reason_label=label(reason_label, summary.reason_code) if summary else "",
            decidable=item.awaiting in DECISION_DUE,
        )
        for item, summary in found
    ]
    by_status = sorted(counts.by_status.items(), key=lambda kv: (-kv[1], kv[0]))
    return render_template(
        "merchant/queue.html",
        rows=rows,
        counts=counts,
        by_status=[(code, status_label(code), n) for code, n in by_status],
        page=page,
        pages=pages,
        page_size=PAGE_SIZE,
        any_decidable=any(r.decidable for r in rows),
    )


@dataclass(frozen=True)
class BulkOutcome:
    accepted: list[str]
    refused: list[tuple[str, str]]  # (case_no, refusal naming the rule)


def bulk_accept(case_nos: list[str], base_request_id: str) -> BulkOutcome:
    """R12/R17: accept each case on its own (one request id per case, derived from the form's),
    so one refusal never stops the others and a resubmitted form records nothing twice."""
    service = get_service()
    actor = current_actor()
    outcome = BulkOutcome([], [])
    for case_no in case_nos:
        try:
            result = service.accept(
                request_id=f"{base_request_id}:{case_no}", actor=actor, case_no=case_no
            )
        except DomainError as error:
            outcome.refused.append((case_no, refusal_text(error)))
        else:
            outcome.accepted.append(case_no)
            remember(result)
    return outcome


@bp.route("/queue/accept", methods=["POST"])
def queue_accept() -> ResponseReturnValue:
    back = url_for("merchant.queue", page=request.form.get("page") or None)
    chosen: list[str] = []
    for value in request.form.getlist("case_no"):
        case_no = value.strip()
        if case_no and case_no not in chosen:
            chosen.append(case_no)
    if not chosen:
        flash(gettext("Select at least one case to accept."), "error")
        return redirect(back, code=303)
    if len(chosen) > MAX_BULK:
        flash(gettext("Accept at most %(n)s cases at once.", n=MAX_BULK), "error")
        return redirect(back, code=303)
    for case_no in chosen:  # every case first: another store's case stops it all, unseen
        own_case(case_no)
    result = bulk_accept(chosen, request_id_from_form()[:120])
    total = len(chosen)
    if result.accepted and result.refused:
        flash(
            gettext(
                "Partly done: %(ok)s of %(total)s cases accepted, %(refused)s refused.",
                ok=len(result.accepted),
                total=total,
                refused=len(result.refused),
            ),
            "warning",
        )
    if result.accepted:
        flash(
            gettext(
                "Accepted (R12): %(cases)s.",
                cases=", ".join(result.accepted),
            ),
            "success",
        )
    if result.refused and not result.accepted:
        flash(gettext("None of the %(n)s selected cases was accepted.", n=total), "error")
    for case_no, reason in result.refused:
        flash(
            gettext("%(case_no)s not accepted. %(reason)s", case_no=case_no, reason=reason), "error"
        )
    return redirect(back, code=303)


# --- every case of the store ------------------------------------------------------------------


@dataclass(frozen=True)
class CaseListRow:
    case_no: str
    order_no: str
    kind_label: str
    reason_label: str
    status: str
    status_label: str
    opened_at: datetime
    updated_at: datetime
    next_due_at: datetime | None
    next_rule: str | None
    next_party_label: str


STATUS_FILTERS = ("open", "closed", "all")


@bp.route("/cases")
@reads("timeline")
def cases() -> ResponseReturnValue:
    """R17/R21: every case of the store, latest activity first, open or closed, by number."""

    shown = request.args.get("show", "open")
    if shown not in STATUS_FILTERS:
        shown = "open"
    wanted = (request.args.get("q") or "").strip()[:100]
    page = page_number()
    found = case_summaries(
        get_db(),
        merchant_id=merchant_id(),
        state={"open": "open", "closed": "ended"}.get(shown, "all"),  # type: ignore[arg-type]
        case_or_order=wanted or None,
        limit=PAGE_SIZE + 1,
        offset=(page - 1) * PAGE_SIZE,
    )
    rows = [
        CaseListRow(
            case_no=r.case_no,
            order_no=r.order_no,
            kind_label=kind_label(r.kind),
            reason_label=reason_label(r.reason_code),
            status=r.status,
            status_label=status_label(r.status),
            opened_at=r.opened_at,
            updated_at=r.updated_at,
            next_due_at=r.next_due_at,
            next_rule=r.next_rule,
            next_party_label=party_label(r.next_party) if r.next_party else "",
        )
        for r in found[:PAGE_SIZE]
    ]
    return render_template(
        "merchant/cases.html",
        rows=rows,
        shown=shown,
        wanted=wanted,
        page=page,
        has_next=len(found) > PAGE_SIZE,
    )
