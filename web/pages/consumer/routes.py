"""Consumer pages (``/my``): orders and what can still be done with each line (R1, R1.a-c, R5,
R16), opening a case with photos (R20 triage on success), the case page with the actions open now
(R6, R9, R10, R13, R18, R21, R25), the case list, and evidence downloads.

Every route is for consumers only (``restrict_blueprint``) and shows only the person's own orders
and cases: anyone else's order, case or evidence is a 404, whatever the route.

Reads come from rows (``projections.orders``, ``projections.timeline``, ``projections.policies``);
eligibility is the domain's answer (``domain.assistant.can_i_return``, ``domain.rules.eligibility``)
with the order and policy from the service. Every change goes through ``AfterSales`` with the
form's ``request_id`` (double submits are recorded once).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from domain import rules
from domain.assistant import Answer, can_i_return
from domain.errors import DomainError, NotFound
from domain.lines import OrderLine
from domain.order import Order
from domain.service import LineRequest
from domain.terms import PolicyTerms
from domain.triage import classify
from domain.values import Actor, CaseKind, Reason, Role
from projections.orders import OrderLineRow, cases_of_order, order_lines, orders_of_consumer
from projections.policies import policy_version
from projections.timeline import CaseSummary, case_summaries, case_summary
from web import get_db
from web.common import evidence as evidence_store
from web.common.accounts import Account
from web.common.actions import perform, refresh_read_models, refusal_text, request_id_from_form
from web.common.auth import add_nav_link, current_account, restrict_blueprint, set_audience_home
from web.common.casepage import CaseView, load_case_view
from web.common.evidence_access import cases_carrying, send_evidence
from web.common.formats import money
from web.common.labels import kind_label, party_label, reason_label, status_label
from web.common.timefmt import localtime
from web.services import get_service

log = logging.getLogger(__name__)

bp = Blueprint("consumer", __name__, url_prefix="/my")
restrict_blueprint(bp, Role.CONSUMER)
add_nav_link(bp, "consumer.orders", _l("My orders"), Role.CONSUMER, order=10)
add_nav_link(bp, "consumer.cases", _l("My cases"), Role.CONSUMER, order=20)
set_audience_home(bp, Role.CONSUMER, "consumer.orders")

TRIAGE_ACTOR = Actor(Role.SYSTEM, "triage")
MAX_DESCRIPTION = 2000
MAX_REASON = 1000

#: Reasons a consumer may give for each kind, in the order the form offers them. The domain
#: (``domain.rules.eligibility``) has the last word; tests check this agrees with it.
REASONS_BY_KIND: dict[str, tuple[str, ...]] = {
    CaseKind.RETURN_REFUND.value: (
        Reason.NO_REASON.value,
        Reason.QUALITY_DEFECT.value,
        Reason.WRONG_ITEM.value,
        Reason.TRANSPORT_DAMAGE.value,
        Reason.MISSING_ITEM.value,
    ),
    CaseKind.EXCHANGE.value: (
        Reason.NO_REASON.value,
        Reason.QUALITY_DEFECT.value,
        Reason.WRONG_ITEM.value,
        Reason.TRANSPORT_DAMAGE.value,
        Reason.MISSING_ITEM.value,
    ),
    CaseKind.REFUND_ONLY.value: (
        Reason.NOT_DELIVERED.value,
        Reason.MISSING_ITEM.value,
        Reason.QUALITY_DEFECT.value,
        Reason.WRONG_ITEM.value,
        Reason.TRANSPORT_DAMAGE.value,
    ),
    CaseKind.REPAIR.value: (
        Reason.QUALITY_DEFECT.value,
        Reason.TRANSPORT_DAMAGE.value,
        Reason.USER_DAMAGE.value,
    ),
    CaseKind.COMPLAINT.value: (Reason.SERVICE.value,),
}
REFUND_BEARING = frozenset({CaseKind.RETURN_REFUND.value, CaseKind.REFUND_ONLY.value})

#: Statuses in which talking to the merchant has failed, so arbitration is offered (R10).
NEGOTIATION_FAILED = frozenset(
    {"rejected", "inspection_failed", "complaint_answered", "opinion_given", "refund_failed"}
)


def utc_now() -> datetime:
    return datetime.now(UTC)


def _me() -> Account:
    account = current_account()
    if account is None:  # restrict_blueprint ran first; this is for the type checker
        abort(401)
    return account


# --- orders and eligibility -----------------------------------------------------------------


@dataclass
class LineStatus:
    """One order line as the consumer sees it: what they may still do, and why (not)."""

    row: OrderLineRow
    answer: Answer | None
    headline: str
    detail: str
    ok: bool  # a no-reason return is open
    can_open: bool  # some case can still be opened on it
    deadline: datetime | None = None
    warranty_until: datetime | None = None
    rules: list[str] = field(default_factory=list)
    claim_note: str = ""  # R3.a: every unit is under an open return or refund

    @property
    def paid(self) -> str:
        return money(self.row.paid_fen, self.row.currency)


@dataclass
class OrderView:
    order_no: str
    merchant_id: str
    placed_at: datetime
    delivered_at: datetime | None
    currency: str
    shipping_fee_fen: int
    lines: list[LineStatus]
    cases: list[str]
    policy_number: int | None
    terms: PolicyTerms | None

    @property
    def total(self) -> str:
        return money(sum(ls.row.paid_fen for ls in self.lines), self.currency)

    @property
    def shipping(self) -> str:
        return money(self.shipping_fee_fen, self.currency)


def _terms_for(order: Order, now: datetime) -> tuple[int | None, PolicyTerms | None]:
    try:
        version, terms = (
            get_service().get_policy(order.merchant_id).applicable(order.placed_at, now)
        )
    except DomainError:
        return None, None
    return version.number, terms


def explain(answer: Answer, line: OrderLine, terms: PolicyTerms) -> tuple[str, str]:
    """The R16 answer in plain words: a headline and a sentence naming the rule and deadline."""
    window = terms.return_window_days
    if answer.code == "no_reason_open":
        assert answer.deadline is not None
        return (
            gettext("Yes, you can return it without giving a reason."),
            gettext(
                "The %(days)s-day no-reason return is open until %(deadline)s (R1). Goods and "
                "packaging must be intact.",
                days=window,
                deadline=localtime(answer.deadline),
            ),
        )
    if answer.code == "not_delivered":
        return (
            gettext("Not delivered yet."),
            gettext(
                "The %(days)s-day no-reason return starts the day after you sign for the delivery "
                "(R1). If the goods never arrive you can ask for a refund only (R3).",
                days=window,
            ),
        )
    if answer.code == "excluded":
        until = localtime(answer.warranty_until) if answer.warranty_until else ""
        if answer.rule == "R1.b":
            text = gettext(
                "No-reason return is not available: you confirmed at purchase that this item "
                "cannot be returned without a reason (R1.b). The store says: %(reason)s.",
                reason=answer.exclusion_reason,
            )
        else:
            text = gettext(
                "No-reason return is not available for this kind of goods (R1.a). The store "
                "says: %(reason)s.",
                reason=answer.exclusion_reason,
            )
        if until:
            text += " " + gettext(
                "A quality problem is still covered until %(date)s (R1.c).", date=until
            )
        return gettext("No no-reason return for this item."), text
    if answer.code == "quality_only":
        closed = localtime(answer.deadline) if answer.deadline else ""
        return (
            gettext("Only for a quality problem now."),
            gettext(
                "The %(days)s-day no-reason return window closed at %(closed)s (R1). A return, "
                "exchange or repair for a quality problem is possible until %(date)s (R1.c, R5).",
                days=window,
                closed=closed,
                date=localtime(answer.warranty_until) if answer.warranty_until else "",
            ),
        )
    if answer.code == "warranty_over":
        return (
            gettext("The warranty is over."),
            gettext(
                "The warranty ended at %(date)s (R5): no return any more, but a repair at your "
                "cost on a quote is still possible (R6).",
                date=localtime(answer.warranty_until) if answer.warranty_until else "",
            ),
        )
    return answer.code, answer.rule


def _line_status(
    row: OrderLineRow, order: Order | None, terms: PolicyTerms | None, now: datetime
) -> LineStatus:
    if order is None or terms is None:
        return LineStatus(
            row,
            None,
            gettext("No after-sales policy found."),
            gettext("The store has no published after-sales policy for this order (R11)."),
            ok=False,
            can_open=False,
            rules=["R11"],
        )
    line = order.line(row.line_no)
    answer = can_i_return(line, terms, order.delivered_at, now)
    headline, detail = explain(answer, line, terms)
    status = LineStatus(
        row,
        answer,
        headline,
        detail,
        ok=answer.can_return_without_reason,
        can_open=True,
        deadline=answer.deadline,
        warranty_until=answer.warranty_until,
        rules=[answer.rule],
    )
    if row.claimed_quantity and row.free_quantity == 0:
        if status.ok:
            status.headline = gettext("Already under an after-sales case.")
        status.ok = False
        status.claim_note = gettext(
            "All %(n)s unit(s) of this line are already refunded or under a return or refund "
            "(R3.a): no line is refunded twice. A repair or an exchange, or a complaint, is still "
            "possible.",
            n=row.quantity,
        )
        status.rules.append("R3.a")
    return status


def _order_view(rows: Sequence[OrderLineRow], now: datetime) -> OrderView:
    first = rows[0]
    try:
        order: Order | None = get_service().get_order(first.order_no)
    except NotFound:
        order = None
    number, terms = _terms_for(order, now) if order is not None else (None, None)
    return OrderView(
        order_no=first.order_no,
        merchant_id=first.merchant_id,
        placed_at=first.placed_at,
        delivered_at=first.delivered_at,
        currency=first.currency,
        shipping_fee_fen=first.shipping_fee_fen,
        lines=[_line_status(row, order, terms, now) for row in rows],
        cases=cases_of_order(get_db(), first.order_no),
        policy_number=number,
        terms=terms,
    )


def _own_order_rows(order_no: str) -> list[OrderLineRow]:
    rows = order_lines(get_db(), order_no)
    if not rows or rows[0].consumer_id != _me().party_id:
        abort(404)
    return rows


@bp.route("/")
def home() -> ResponseReturnValue:
    return redirect(url_for("consumer.orders"))


@bp.route("/orders")
def orders() -> ResponseReturnValue:
    rows = orders_of_consumer(get_db(), _me().party_id)
    now = utc_now()
    grouped: dict[str, list[OrderLineRow]] = {}
    for row in rows:
        grouped.setdefault(row.order_no, []).append(row)
    views = [_order_view(lines, now) for lines in grouped.values()]
    return render_template("consumer/orders.html", orders=views)


@bp.route("/orders/<order_no>")
def order(order_no: str) -> ResponseReturnValue:
    rows = _own_order_rows(order_no)
    view = _order_view(rows, utc_now())
    asked: LineStatus | None = None
    line_arg = request.args.get("line", "")
    if line_arg:
        asked = next((ls for ls in view.lines if str(ls.row.line_no) == line_arg), None)
    summaries = [s for s in (case_summary(get_db(), no) for no in view.cases) if s is not None]
    return render_template(
        "consumer/order.html",
        order=view,
        asked=asked,
        line_arg=line_arg,
        cases=[_case_row(s) for s in summaries],
    )


# --- opening a case -------------------------------------------------------------------------


@dataclass
class OpenForm:
    kind: str = ""
    reason: str = ""
    quantity: str = "1"
    description: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    refusal: str = ""


def _kind_choices() -> list[tuple[str, str]]:
    return [(kind, kind_label(kind)) for kind in REASONS_BY_KIND]


def _reason_choices() -> list[tuple[str, str, str]]:
    """(reason, label, kinds it fits, space separated) for the form's reason list."""
    out = []
    for reason in Reason:
        kinds = " ".join(k for k, reasons in REASONS_BY_KIND.items() if reason.value in reasons)
        if kinds:
            out.append((reason.value, reason_label(reason.value), kinds))
    return out


def refusal_message(verdict: rules.Verdict, line: OrderLine, terms: PolicyTerms) -> str:
    """Why the domain refuses to open this case, in the viewer's language, naming the rule and,
    when a deadline decided, the deadline."""
    rule = verdict.rule
    text: str
    if rule == "R1" and verdict.deadline is not None:
        text = gettext(
            "The %(days)s-day no-reason return window closed at %(deadline)s (R1). For a quality "
            "problem choose that reason instead (R1.c).",
            days=terms.return_window_days,
            deadline=localtime(verdict.deadline),
        )
    elif rule in ("R1.a", "R1.b"):
        exclusion = terms.exclusion_for(line.category)
        text = gettext(
            "%(item)s cannot be returned without a reason (%(rule)s): %(reason)s. A quality "
            "problem is still covered (R1.c).",
            item=line.title,
            rule=rule,
            reason=exclusion.reason if exclusion else line.category,
        )
    elif rule == "R5" and verdict.deadline is not None:
        text = gettext(
            "The warranty ended at %(deadline)s (R5). A repair at your cost is still possible "
            "(R6).",
            deadline=localtime(verdict.deadline),
        )
    elif rule == "R3":
        text = gettext(
            "A refund for goods that never arrived is only possible before delivery is signed "
            "for (R3)."
        )
    elif verdict.message.endswith(f"has not been signed for yet ({rule})"):
        text = gettext(
            "The order has not been delivered yet (%(rule)s): this can be asked for once you have "
            "signed for it.",
            rule=rule,
        )
    else:
        text = gettext("Not possible (%(rule)s): %(message)s", rule=rule, message=verdict.message)
    return text


def _parse_quantity(text: str, most: int) -> int | None:
    if not re.fullmatch(r"\d{1,4}", text.strip()):
        return None
    value = int(text.strip())
    return value if 1 <= value <= most else None


def _open_page(
    view: OrderView, status: LineStatus, form: OpenForm, code: int = 200
) -> ResponseReturnValue:
    carrier = view.terms.after_sales_carrier if view.terms else ""
    return (
        render_template(
            "consumer/open.html",
            order=view,
            line=status,
            form=form,
            kinds=_kind_choices(),
            reasons=_reason_choices(),
            max_mb=evidence_store.max_bytes() // (1024 * 1024) or 1,
            carrier=carrier,
        ),
        code,
    )


@bp.route("/orders/<order_no>/lines/<int:line_no>/open", methods=["GET", "POST"])
def open_case(order_no: str, line_no: int) -> ResponseReturnValue:
    rows = _own_order_rows(order_no)
    now = utc_now()
    view = _order_view(rows, now)
    status = next((ls for ls in view.lines if ls.row.line_no == line_no), None)
    if status is None:
        abort(404)
    if request.method == "GET":
        kind = request.args.get("kind", "")
        default_kind = kind if kind in REASONS_BY_KIND else CaseKind.RETURN_REFUND.value
        default_reason = "no_reason" if status.ok else ""
        return _open_page(view, status, OpenForm(kind=default_kind, reason=default_reason))

    form = OpenForm(
        kind=request.form.get("kind", "").strip(),
        reason=request.form.get("reason", "").strip(),
        quantity=request.form.get("quantity", "1").strip(),
        description=request.form.get("description", "").strip(),
    )
    if form.kind not in REASONS_BY_KIND:
        form.errors["kind"] = gettext("Type: choose what you would like.")
    elif form.reason not in REASONS_BY_KIND[form.kind]:
        form.errors["reason"] = gettext(
            "Reason: choose one of the reasons offered for %(kind)s.",
            kind=kind_label(form.kind),
        )
    most = (
        status.row.free_quantity if form.kind in REFUND_BEARING else status.row.quantity
    ) or status.row.quantity
    quantity = _parse_quantity(form.quantity, most)
    if quantity is None:
        form.errors["quantity"] = gettext("Quantity: a whole number from 1 to %(most)s.", most=most)
    if len(form.description) > MAX_DESCRIPTION:
        form.errors["description"] = gettext(
            "Description: at most %(n)s characters.", n=MAX_DESCRIPTION
        )
    elif form.kind == CaseKind.COMPLAINT.value and not form.description:
        form.errors["description"] = gettext("Description: say what went wrong (R9).")
    try:
        uploads = evidence_store.check_uploads(request.files.getlist("photos"), field="photos")
    except evidence_store.UploadError as error:
        form.errors[error.field] = error.message
        uploads = []
    if form.errors:
        return _open_page(view, status, form, 400)
    assert quantity is not None

    service = get_service()
    order = service.get_order(order_no)
    line = order.line(line_no)
    if view.terms is not None and form.kind != CaseKind.COMPLAINT.value:
        verdict = rules.eligibility(
            CaseKind(form.kind), Reason(form.reason), line, view.terms, order.delivered_at, now
        )
        if not verdict.allowed:
            form.refusal = refusal_message(verdict, line, view.terms)
            return _open_page(view, status, form, 422)

    saved = _save_all(uploads)
    request_id = request_id_from_form()
    try:
        result = service.open_case(
            request_id=request_id,
            actor=_me().actor,
            order_no=order_no,
            kind=form.kind,
            reason_code=form.reason,
            lines=[LineRequest(line_no, quantity)],
            description=form.description,
            evidence=[item.evidence for item in uploads],
        )
    except DomainError as error:
        _discard(saved)
        form.refusal = refusal_text(error)
        return _open_page(view, status, form, 422)
    case_no = result.key
    _triage(request_id, case_no, form.description, view.merchant_id)
    refresh_read_models()
    flash(gettext("Your application %(no)s was submitted.", no=case_no), "success")
    return redirect(url_for("consumer.case", case_no=case_no), code=303)


def _save_all(uploads: Sequence[evidence_store.CheckedUpload]) -> list[str]:
    """Store every checked upload; returns the hashes written now (kept copies are not listed)."""
    written = []
    for item in uploads:
        existed = evidence_store.path_for(item.sha256).exists()
        evidence_store.save(item)
        if not existed:
            written.append(item.sha256)
    return written


def _discard(written: Sequence[str]) -> None:
    """Remove files written for a command the domain refused: nothing is stored on an error."""
    for sha256 in written:
        if not cases_carrying(sha256):
            evidence_store.path_for(sha256).unlink(missing_ok=True)


def _triage(request_id: str, case_no: str, description: str, merchant_id: str) -> None:
    """R20: classify the description and route the case; a failure here never loses the case."""
    result = classify(description, merchant_id)
    words = ", ".join(result.matched) or "-"  # the words that decided it (R20 is the step's rule)
    try:
        get_service().route(
            request_id=f"{request_id}:triage",
            actor=TRIAGE_ACTOR,
            case_no=case_no,
            queue=result.queue,
            classified_kind=result.kind,
            confidence_pct=result.confidence_pct,
            reason=words,
        )
    except DomainError:
        log.exception("R20 triage of %s was refused", case_no)


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


def _case_row(summary: CaseSummary) -> CaseRow:
    return CaseRow(
        summary=summary,
        kind_label=kind_label(summary.kind),
        status_label=status_label(summary.status),
        party_label=party_label(summary.next_party),
    )


@bp.route("/cases")
def cases() -> ResponseReturnValue:
    summaries = case_summaries(get_db(), consumer_id=_me().party_id, limit=500)
    rows = [_case_row(s) for s in summaries]
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


def _actions(view: CaseView) -> Actions:
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
        actions=_actions(view),
        max_mb=evidence_store.max_bytes() // (1024 * 1024) or 1,
    )


def _own_case(case_no: str) -> CaseSummary:
    summary = case_summary(get_db(), case_no)
    if summary is None or summary.consumer_id != _me().party_id:
        abort(404)
    return summary


def _back(case_no: str) -> str:
    return url_for("consumer.case", case_no=case_no)


def _refuse(case_no: str, message: str) -> ResponseReturnValue:
    flash(message, "error")
    return redirect(_back(case_no), code=303)


def _text(name: str, limit: int = MAX_REASON) -> str:
    return (request.form.get(name) or "").strip()[:limit]


_YUAN = re.compile(r"^(\d{1,7})(?:\.(\d{1,2}))?$")


def parse_yuan(text: str) -> int | None:
    """``12``, ``12.5``, ``12.50`` yuan -> fen, without floats; None when it is not an amount."""
    match = _YUAN.match(text.strip().lstrip("¥").strip())
    if match is None:
        return None
    whole, part = match.group(1), (match.group(2) or "").ljust(2, "0")
    return int(whole) * 100 + int(part)


def _done(command: str, case_no: str, success: str, **kwargs: Any) -> ResponseReturnValue:
    return perform(command, _back(case_no), success=success, case_no=case_no, **kwargs)


def _ship(case_no: str) -> ResponseReturnValue:
    carrier, tracking = _text("carrier", 100), _text("tracking_no", 100)
    fee = parse_yuan(request.form.get("fee", "") or "0")
    if not carrier:
        return _refuse(case_no, gettext("Carrier: say which carrier has the parcel (R13)."))
    if not tracking:
        return _refuse(
            case_no, gettext("Tracking number: it is needed to follow the parcel (R13).")
        )
    if fee is None:
        return _refuse(case_no, gettext("Shipping fee: an amount in yuan such as 12 or 12.50."))
    return _done(
        "ship_return",
        case_no,
        gettext("Shipment recorded."),
        carrier=carrier,
        tracking_no=tracking,
        fee_fen=fee,
    )


def _quote(case_no: str) -> ResponseReturnValue:
    answer = request.form.get("answer", "")
    if answer not in ("accept", "decline"):
        return _refuse(case_no, gettext("Repair quote: choose accept or decline (R6)."))
    accepted = answer == "accept"
    return _done(
        "answer_quote",
        case_no,
        gettext("You accepted the quote.") if accepted else gettext("You declined the quote."),
        accepted=accepted,
        reason=_text("reason"),
    )


def _complain(case_no: str) -> ResponseReturnValue:
    reason = _text("reason")
    if not reason:
        return _refuse(case_no, gettext("Complaint: say what went wrong (R9)."))
    return _done(
        "file_complaint",
        case_no,
        gettext("Your complaint was filed; the platform answers within 24 hours (R9.a)."),
        reason=reason,
    )


def _escalate(case_no: str) -> ResponseReturnValue:
    reason = _text("reason")
    if not reason:
        return _refuse(case_no, gettext("Arbitration: say why you could not agree (R10)."))
    return _done(
        "escalate",
        case_no,
        gettext("Your case went to arbitration (R10)."),
        reason=reason,
    )


def _evidence(case_no: str) -> ResponseReturnValue:
    try:
        uploads = evidence_store.check_uploads(request.files.getlist("photos"), field="photos")
    except evidence_store.UploadError as error:
        return _refuse(case_no, error.message)
    if not uploads:
        return _refuse(case_no, gettext("Photos and documents: choose at least one file."))
    written = _save_all(uploads)
    try:
        get_service().submit_evidence(
            request_id=request_id_from_form(),
            actor=_me().actor,
            case_no=case_no,
            evidence=tuple(item.evidence for item in uploads),
            reason=_text("reason"),
        )
    except DomainError as error:
        _discard(written)
        return _refuse(case_no, refusal_text(error))
    refresh_read_models()
    flash(gettext("Evidence added."), "success")
    return redirect(_back(case_no), code=303)


def _withdraw(case_no: str) -> ResponseReturnValue:
    return _done(
        "withdraw", case_no, gettext("Your application was withdrawn."), reason=_text("reason")
    )


def _rate(case_no: str) -> ResponseReturnValue:
    score = request.form.get("score", "")
    if score not in ("1", "2", "3", "4", "5"):
        return _refuse(case_no, gettext("Rating: choose 1 to 5 stars (R18)."))
    return _done(
        "rate",
        case_no,
        gettext("Thank you for your rating."),
        score=int(score),
        comment=_text("comment", 500),
    )


ACTIONS: dict[str, Callable[[str], ResponseReturnValue]] = {
    "ship": _ship,
    "quote": _quote,
    "complain": _complain,
    "escalate": _escalate,
    "evidence": _evidence,
    "withdraw": _withdraw,
    "rate": _rate,
}


@bp.route("/cases/<case_no>/<action>", methods=["POST"])
def case_action(case_no: str, action: str) -> ResponseReturnValue:
    _own_case(case_no)
    handler = ACTIONS.get(action)
    if handler is None:
        abort(404)
    return handler(case_no)


@bp.route("/evidence/<sha256>")
def evidence(sha256: str) -> ResponseReturnValue:
    return send_evidence(sha256)


__all__ = ["ACTIONS", "REASONS_BY_KIND", "bp", "explain", "parse_yuan"]
