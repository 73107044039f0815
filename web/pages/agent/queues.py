"""``/agent/``: the platform's queues with live countdowns (complaints and their R9.a clocks,
refunds awaiting approval (R3), other work) and newly opened cases with their automatic triage
(R20) and a form to override it; ``/agent/find`` jumps to a case by number."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from domain.triage import classify
from domain.values import CaseKind
from projections.queues import QueueItem
from projections.timeline import CaseSummary, TimelineStep, case_summary, timeline
from web.common.labels import (
    awaiting_label,
    clock_label,
    kind_label,
    status_label,
)
from web.common.translate import gettext
from web.pages.agent.base import (
    COMPLAINT_WORK,
    NEW_CASES,
    PAGE_SIZE,
    PLATFORM_QUEUES,
    REFUND_WORK,
    bp,
    deadlines_by_name,
    offset_arg,
    parse_due,
    queue_choices,
    queue_name,
)
from web.shard_reads import merged_case_summaries, merged_queue_counts, merged_queue_page
from web.shards import db_for_case

# --- home: queues -------------------------------------------------------------------------------


@dataclass
class QueueRow:
    item: QueueItem
    awaiting: str
    response_due: Any = None  # R9.a clocks of a complaint (raw deadline dicts)
    opinion_due: Any = None
    refund_due: Any = None  # R3 statutory refund approval clock


@dataclass
class TriageRow:
    summary: CaseSummary
    description: str
    routed: TimelineStep | None
    suggested_kind: str
    suggested_confidence: int
    suggested_words: tuple[str, ...]
    suggested_queue: str
    queue_choices: list[tuple[str, str]] = field(default_factory=list)


def new_case_numbers(limit: int) -> list[str]:
    """Case numbers of the newest cases still waiting for their first answer."""
    waiting = merged_case_summaries(  # issue 12: every store's (web.shards)
        statuses=("requested", "complaint_open"), newest="opened", limit=limit
    )
    return [summary.case_no for summary in waiting]


def triage_rows(case_nos: list[str]) -> list[TriageRow]:
    out = []
    for case_no in case_nos:
        db = db_for_case(case_no)  # issue 12: the store holding the case (web.shards)
        summary = case_summary(db, case_no)
        if summary is None:
            continue
        steps = timeline(db, case_no, include_internal=True)
        opened = next((s for s in steps if s.step == "opened"), None)
        description = opened.reason if opened else ""
        routed = next((s for s in reversed(steps) if s.step == "routed"), None)
        # R20: what the keyword triage makes of the application's own words (the domain decides).
        suggestion = classify(description, summary.merchant_id)
        out.append(
            TriageRow(
                summary=summary,
                description=description,
                routed=routed,
                suggested_kind=suggestion.kind.value,
                suggested_confidence=suggestion.confidence_pct,
                suggested_words=suggestion.matched,
                suggested_queue=suggestion.queue,
                queue_choices=queue_choices(summary.merchant_id),
            )
        )
    return out


@bp.route("/")
def home() -> ResponseReturnValue:
    names = [name for name, _label in PLATFORM_QUEUES]
    queue = request.args.get("queue", "platform")
    if queue not in names:
        queue = "platform"
    offset = offset_arg()
    # Issue 12: the platform's queues span every store (split by merchant, web.shards).
    counts = {name: merged_queue_counts(name) for name in names}
    items = merged_queue_page(queue, limit=PAGE_SIZE, offset=offset)
    complaints: list[QueueRow] = []
    refunds: list[QueueRow] = []
    other: list[QueueRow] = []
    for item in items:
        row = QueueRow(item, awaiting_label(item.awaiting))
        summary = case_summary(db_for_case(item.case_no), item.case_no)
        row.refund_due = deadlines_by_name(summary).get("refund_approval") if summary else None
        # A case's row shows its most urgent item; a complaint open on it (R9.a) is listed with
        # its complaint clocks even when another clock (a refund approval, say) comes first.
        if item.awaiting in COMPLAINT_WORK or (summary is not None and summary.complaint_open):
            clocks = deadlines_by_name(summary) if summary else {}
            row.response_due = clocks.get("platform_response")
            row.opinion_due = clocks.get("platform_opinion")
            if row.response_due or row.opinion_due:
                complaints.append(row)
        if item.awaiting in REFUND_WORK or row.refund_due is not None:  # R3 approval runs
            refunds.append(row)
        elif row not in complaints:
            other.append(row)
    return render_template(
        "agent/home.html",
        queues=[(name, str(label), counts[name]) for name, label in PLATFORM_QUEUES],
        queue=queue,
        queue_title=queue_name(queue),
        offset=offset,
        page_size=PAGE_SIZE,
        page_len=len(items),
        complaints=complaints,
        refunds=refunds,
        other=other,
        triage=triage_rows(new_case_numbers(NEW_CASES)),
        kind_choices=[(k.value, kind_label(k.value)) for k in CaseKind],
        kind_label=kind_label,
        status_label=status_label,
        clock_label=clock_label,
        parse_due=parse_due,
        queue_name=queue_name,
    )


@bp.route("/find")
def find() -> ResponseReturnValue:
    case_no = (request.args.get("case_no") or "").strip().upper()
    if not case_no:
        flash(gettext("%(field)s: please fill this in.", field=gettext("Case number")), "error")
        return redirect(url_for("agent.home"), code=303)
    if case_summary(db_for_case(case_no), case_no) is None:
        flash(gettext("There is no case %(no)s.", no=case_no), "error")
        return redirect(url_for("agent.home"), code=303)
    return redirect(url_for("agent.case", case_no=case_no), code=303)
