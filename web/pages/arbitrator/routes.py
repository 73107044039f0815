"""``/arbitration/``: the ``arbitration`` queue (cases IN_ARBITRATION) and the cases already
ruled. ``/arbitration/cases/<case_no>?version=N``: the replay viewer, beside it the policy the
case is judged by (R19), the evidence on record up to N (R21) and the hash chain; the ruling form
posts to ``/arbitration/cases/<case_no>/rule``. After a ruling the page says it is final and
shows only the steps that carry it out."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import abort, render_template, request, url_for
from flask.typing import ResponseReturnValue

from domain.errors import DomainError
from domain.process import Move
from domain.values import Role
from projections.labels import AWAITING_LABELS
from projections.queues import queue_counts, queue_page
from projections.timeline import CaseSummary, TimelineStep, case_summaries, case_summary, timeline
from web import get_db
from web.common.auth import current_actor
from web.common.casepage import display_names
from web.common.formats import money
from web.common.labels import (
    RULING_LABELS,
    kind_label,
    status_label,
)
from web.common.moves import perform_move
from web.common.translate import gettext
from web.pages.arbitrator.base import PAGE_SIZE, bp
from web.pages.arbitrator.carry_out import carry_out_steps
from web.pages.arbitrator.chain import chain_view, stored_hashes
from web.pages.arbitrator.replay import label_of, rebuild, replay_steps
from web.pages.arbitrator.ruling_form import OUTCOME_CHOICES, RulingForm
from web.services import get_service

# --- views ----------------------------------------------------------------------------------


def _ruled_cases(limit: int, offset: int) -> list[dict[str, Any]]:
    """Cases with a ruling, newest first."""
    ruled = case_summaries(get_db(), ruled=True, limit=limit, offset=offset)
    return [dataclasses.asdict(summary) for summary in ruled]


def _offset(name: str) -> int:
    raw = request.args.get(name, "0")
    try:
        value = int(raw)
    except ValueError:
        return 0
    return max(0, value)


@bp.route("/")
def index() -> ResponseReturnValue:
    db = get_db()
    offset = _offset("offset")
    ruled_offset = _offset("ruled_offset")
    waiting = queue_page(db, "arbitration", limit=PAGE_SIZE, offset=offset)
    counts = queue_counts(db, "arbitration")
    ruled = _ruled_cases(PAGE_SIZE, ruled_offset)
    for row in ruled:
        row["outcome_label"] = label_of(RULING_LABELS, row["ruling_outcome"])
        row["refund"] = (
            money(row["refund_total_fen"], row["currency"]) if row["refund_total_fen"] else ""
        )
        row["compensation"] = (
            money(row["compensation_fen"], row["currency"]) if row["compensation_fen"] else ""
        )
    return render_template(
        "arbitrator/index.html",
        waiting=waiting,
        counts=counts,
        ruled=ruled,
        offset=offset,
        ruled_offset=ruled_offset,
        page_size=PAGE_SIZE,
        awaiting_label=lambda code: (
            gettext(AWAITING_LABELS[code]) if code in AWAITING_LABELS else code
        ),
        kind_label=kind_label,
        status_label=status_label,
    )


def _requested_version(latest: int) -> tuple[int, str]:
    """The ``version`` query parameter, kept within 1..latest; a note when it was not."""
    raw = request.args.get("version")
    if raw is None or raw == "":
        return latest, ""
    try:
        value = int(raw)
    except ValueError:
        return latest, gettext(
            "“%(value)s” is not a version number; showing the latest version.", value=raw[:20]
        )
    if value < 1:
        return 1, gettext("There is no version before 1; showing version 1.")
    if value > latest:
        return latest, gettext("The case has %(n)s versions; showing the latest.", n=latest)
    return value, ""


def _names(steps: list[TimelineStep], summary: CaseSummary | None) -> dict[tuple[str, str], str]:
    pairs = {(s.actor_role, s.actor_id) for s in steps}
    if summary is not None:
        pairs.add((Role.CONSUMER.value, summary.consumer_id))
    return display_names(pairs)


def refund_cap(case_no: str) -> int | None:
    """R3.a: the most a refund ruling may name, or None when the domain cannot say."""
    try:
        return get_service().refund_preview(case_no).cap_fen
    except DomainError:
        return None


def render_case(case_no: str, form: RulingForm | None = None, status: int = 200) -> tuple[str, int]:
    db = get_db()
    summary = case_summary(db, case_no)
    hashes = stored_hashes(case_no)
    if summary is None and not hashes:
        abort(404)
    if not hashes:  # the read model knows a case the event store does not: nothing to replay
        abort(404)
    latest = max(hashes)
    version, version_note = _requested_version(latest)
    steps = timeline(db, case_no, include_internal=True)
    names = _names(steps, summary)
    chain = chain_view(get_service().verify(case_no)[0])
    as_of = rebuild(case_no, version, steps, names)
    now_state = as_of if version == latest else rebuild(case_no, latest, steps, names)
    current = now_state.case
    currency = current.currency if current is not None else (summary.currency if summary else "CNY")
    replay = replay_steps(steps, hashes, chain, names, currency)
    shown = next((r for r in replay if r.version == version), None)
    ruled_step = next((s for s in steps if s.step == "ruled"), None)
    ruling = now_state.ruling
    carry_out = (
        carry_out_steps(ruling, ruled_step.version if ruled_step else latest, steps)
        if ruling is not None
        else []
    )
    # the domain's answer (R10), from the case already rebuilt above
    can_rule = current is not None and Move.RULE in current.allowed_moves(current_actor())
    cap_fen = refund_cap(case_no) if can_rule else None
    consumer_name = ""
    if current is not None:
        consumer_name = names.get((Role.CONSUMER.value, current.consumer_id)) or current.consumer_id
    page: str = render_template(
        "arbitrator/case.html",
        case_no=case_no,
        summary=summary,
        version=version,
        latest=latest,
        version_note=version_note,
        replay=replay,
        shown=shown,
        as_of=as_of,
        current=current,
        consumer_name=consumer_name,
        chain=chain,
        ruling=ruling,
        ruled_step=ruled_step,
        carry_out=carry_out,
        can_rule=can_rule,
        cap=money(cap_fen, currency) if cap_fen is not None else "",
        form=form or RulingForm(),
        outcome_choices=OUTCOME_CHOICES,
        kind_label=kind_label,
        status_label=status_label,
    )
    return page, status


@bp.route("/cases/<case_no>")
def case(case_no: str) -> ResponseReturnValue:
    return render_case(case_no)


@bp.route("/cases/<case_no>/rule", methods=["POST"])
def rule(case_no: str) -> ResponseReturnValue:
    summary = case_summary(get_db(), case_no)
    if summary is None:
        abort(404)
    form = RulingForm.from_request()
    ruling = form.validate(refund_cap(case_no), summary.currency)
    if ruling is None:
        return render_case(case_no, form=form, status=400)
    return perform_move(
        Move.RULE,
        case_no,
        url_for("arbitrator.case", case_no=case_no),
        success=gettext("The ruling is recorded. It is final (R10)."),
        form={"reasoning": form.reasoning},
        ruling=ruling,
    )
