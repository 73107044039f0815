"""``/api/v1/cases``: list cases in scope, read one with its timeline, open a case, every case
command, and the evidence upload that case commands refer to by SHA-256."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import abort, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from marshmallow import ValidationError

from domain.case_values import Evidence, Ruling, RulingOutcome
from domain.service import LineRequest
from domain.values import Role
from projections.timeline import case_summaries, timeline
from web import get_db
from web.api.core import (
    dump,
    is_staff,
    load_json,
    load_query,
    operation,
    require_roles,
    run_command,
    visible_case,
    visible_case_or_404,
)
from web.api.opening_checks import check_component
from web.api.schemas.commands import COMMAND_SCHEMAS, OpenCaseSchema
from web.api.schemas.queries import CaseListQuerySchema
from web.api.schemas.responses import (
    CaseDetailSchema,
    CaseListSchema,
    CommandResultSchema,
    EvidenceUploadSchema,
)
from web.common import evidence as store
from web.common.auth import case_scope
from web.common.casepage import visible_steps
from web.common.formats import size_text

CONSUMER = Role.CONSUMER.value
MERCHANT = Role.MERCHANT.value
AGENT = Role.PLATFORM_AGENT.value
ARBITRATOR = Role.ARBITRATOR.value
FINANCE = Role.FINANCE.value


@dataclass(frozen=True)
class Command:
    """A case command of the API: its URL name, the ``AfterSales`` method, who may call it, the
    rules it follows and how the validated body becomes the method's arguments."""

    name: str
    method: str
    roles: tuple[str, ...]
    summary: str
    rules: tuple[str, ...]
    arguments: Callable[[dict[str, Any]], dict[str, Any]] | None = None


def _evidence(hashes: list[str], field: str = "evidence") -> tuple[Evidence, ...]:
    """The evidence values of files uploaded before (400 naming the item for an unknown hash)."""
    found: list[Evidence] = []
    missing: dict[int, list[str]] = {}
    for index, sha256 in enumerate(hashes):
        path = store.path_for(sha256)
        if not path.is_file():
            missing[index] = [
                "No uploaded file has this SHA-256; upload it first with POST /api/v1/evidence."
            ]
            continue
        with path.open("rb") as handle:
            head = handle.read(16)
        media_type = store.sniff(head) or "application/octet-stream"
        found.append(
            Evidence(sha256, store.clean_name(None, media_type), media_type, path.stat().st_size)
        )
    if missing:
        raise ValidationError({field: missing})
    return tuple(found)


def _with_evidence(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "evidence": _evidence(data.get("evidence") or [])}


def _ruling(data: dict[str, Any]) -> dict[str, Any]:
    given = data["ruling"]
    ruling = Ruling(
        outcome=RulingOutcome(given["outcome"]),
        refund_fen=given["refund_fen"],
        compensation_fen=given["compensation_fen"],
        return_required=given["return_required"],
    )
    return {"ruling": ruling, "reasoning": data["reasoning"]}


COMMANDS: tuple[Command, ...] = (
    Command("accept", "accept", (MERCHANT, AGENT), "Accept the application", ("R12", "R12.a")),
    Command(
        "reject", "reject", (MERCHANT, AGENT), "Reject the application with a reason", ("R12",)
    ),
    Command(
        "ship-return",
        "ship_return",
        (CONSUMER,),
        "Ship the goods back (carrier, tracking number)",
        ("R13", "R25"),
    ),
    Command(
        "return-delivered",
        "record_return_delivered",
        (MERCHANT, AGENT),
        "Record that the carrier delivered the return (starts the 24-hour R3 clock)",
        ("R3",),
    ),
    Command(
        "confirm-receipt",
        "confirm_receipt",
        (MERCHANT, AGENT),
        "Confirm receipt of the returned goods",
        ("R3",),
    ),
    Command(
        "inspect",
        "inspect",
        (MERCHANT, AGENT),
        "Inspect and record who is responsible",
        ("R14",),
        _with_evidence,
    ),
    Command("quote", "quote_repair", (MERCHANT,), "Quote a repair fee", ("R6",)),
    Command(
        "answer-quote", "answer_quote", (CONSUMER,), "Accept or decline the repair quote", ("R6",)
    ),
    Command(
        "complete-repair",
        "complete_repair",
        (MERCHANT,),
        "Complete the repair (and ship it back)",
        ("R7",),
    ),
    Command("ship-exchange", "ship_exchange", (MERCHANT,), "Ship the replacement", ("R8",)),
    Command(
        "goods-received",
        "confirm_goods_received",
        (CONSUMER,),
        "Confirm the replacement, repaired or returned goods arrived (the case closes)",
        ("R7", "R8"),
    ),
    Command(
        "ship-back",
        "ship_back",
        (MERCHANT,),
        "Send the goods back after a failed inspection or a declined quote",
        ("R14", "R6"),
    ),
    Command(
        "approve-refund",
        "approve_refund",
        (AGENT,),
        "Approve the refund (due in 3-7 working days)",
        ("R3", "R3.a"),
    ),
    Command(
        "refund-paid",
        "record_refund_paid",
        (FINANCE,),
        "Record the refund as paid (payment reference)",
        ("R3", "R3.a"),
    ),
    Command(
        "refund-failed",
        "record_refund_failed",
        (FINANCE,),
        "Record a failed refund payment (reason)",
        ("R3",),
    ),
    Command(
        "compensation",
        "grant_compensation",
        (MERCHANT, AGENT),
        "Grant compensation",
        ("R14", "R10"),
    ),
    Command(
        "compensation-paid",
        "record_compensation_paid",
        (FINANCE,),
        "Record the compensation as paid",
        ("R14",),
    ),
    Command(
        "complaint", "file_complaint", (CONSUMER, AGENT), "File a complaint on the case", ("R9",)
    ),
    Command(
        "respond",
        "respond_to_complaint",
        (AGENT,),
        "Respond to the complaint (24 hours)",
        ("R9.a",),
    ),
    Command("opinion", "give_opinion", (AGENT,), "Give the handling opinion (72 hours)", ("R9.a",)),
    Command("escalate", "escalate", (CONSUMER, MERCHANT), "Apply for arbitration", ("R10",)),
    Command(
        "evidence",
        "submit_evidence",
        (CONSUMER, MERCHANT, AGENT),
        "Add evidence to the record",
        ("R21", "R10"),
        _with_evidence,
    ),
    Command("rule", "rule", (ARBITRATOR,), "Rule on the dispute (final)", ("R10",), _ruling),
    Command("route", "route", (AGENT,), "Route the case to a queue", ("R20",)),
    Command(
        "note",
        "add_note",
        (CONSUMER, MERCHANT, AGENT, ARBITRATOR, FINANCE),
        "Add a note (internal notes: staff only)",
        ("R21", "P4"),
    ),
    Command("withdraw", "withdraw", (CONSUMER,), "Withdraw the application", ("R3", "R10")),
    Command(
        "close",
        "close_case",
        (CONSUMER, AGENT, ARBITRATOR),
        "Close a case whose answer stands",
        ("R21", "R10"),
    ),
    Command("rate", "rate", (CONSUMER,), "Rate the closed case 1-5", ("R18",)),
)

COMMANDS_BY_NAME: dict[str, Command] = {c.name: c for c in COMMANDS}


def _command_view(command: Command) -> Callable[..., ResponseReturnValue]:
    schema = COMMAND_SCHEMAS[command.name]

    def view(case_no: str) -> ResponseReturnValue:
        visible_case(case_no)  # 404 for another party's case, whatever the role
        require_roles(command.roles)
        data = load_json(schema)
        request_id = data.pop("request_id")
        arguments = command.arguments(data) if command.arguments else data
        body = run_command(
            command.method,
            request_id,
            key=case_no,
            command=command.name,
            case_no=case_no,
            **arguments,
        )
        return dump(CommandResultSchema, body)

    view.__name__ = "command_" + command.name.replace("-", "_")
    return view


for _command in COMMANDS:
    operation(
        f"/cases/<case_no>/{_command.name}",
        "POST",
        summary=_command.summary,
        tag="case commands",
        roles=_command.roles,
        body=COMMAND_SCHEMAS[_command.name],
        response=CommandResultSchema,
        errors=(400, 401, 403, 404, 409),
        case_route=True,
        rule_ids=_command.rules,
        description=(
            f"Runs AfterSales.{_command.method}. Rules: {', '.join(_command.rules)}. "
            "An illegal move is a 409 naming the rule; another party's case is a 404."
        ),
    )(_command_view(_command))


# --- reads ----------------------------------------------------------------------------------


def case_rows(
    scope: Mapping[str, str],
    *,
    status: str | None = None,
    kind: str | None = None,
    order_no: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Summary rows of the cases in ``scope`` (``web.common.auth.case_scope``), latest change
    first."""
    found = case_summaries(
        get_db(),
        consumer_id=scope.get("consumer_id"),
        merchant_id=scope.get("merchant_id"),
        statuses=(status,) if status is not None else (),
        kind=kind,
        order_no=order_no,
        limit=limit,
        offset=offset,
    )
    return [dataclasses.asdict(summary) for summary in found]


@operation(
    "/cases",
    summary="Cases you may see (consumers: their own; merchant staff: their store's)",
    tag="cases",
    query=CaseListQuerySchema,
    response=CaseListSchema,
    errors=(400, 401),
)
def list_cases() -> ResponseReturnValue:
    query = load_query(CaseListQuerySchema)
    rows = case_rows(
        case_scope(),
        status=query.get("status"),
        kind=query.get("kind"),
        order_no=query.get("order_no"),
        limit=query["limit"],
        offset=query["offset"],
    )
    return dump(CaseListSchema, {"items": rows, "limit": query["limit"], "offset": query["offset"]})


@operation(
    "/cases/<case_no>",
    summary="One case with its timeline (internal steps for staff only, P4)",
    tag="cases",
    response=CaseDetailSchema,
    errors=(401, 404),
    case_route=True,
    rule_ids=("R21", "P4"),
)
def get_case(case_no: str) -> ResponseReturnValue:
    summary = visible_case_or_404(case_no)
    steps = visible_steps(timeline(get_db(), case_no, include_internal=is_staff()))
    return dump(CaseDetailSchema, {"case": summary, "timeline": steps})


@operation(
    "/cases",
    "POST",
    summary="Open a case on your order (evidence by SHA-256 of files uploaded before)",
    tag="cases",
    roles=(CONSUMER, AGENT),
    body=OpenCaseSchema,
    response=CommandResultSchema,
    status=201,
    errors=(400, 401, 403, 404, 409),
    rule_ids=("R1", "R1.a", "R1.b", "R1.c", "R5", "R9", "R19"),
    description="Consumers open cases on their own orders; platform agents open complaints "
    "(R9). Refusals name the rule and the deadline that decided.",
)
def open_case() -> ResponseReturnValue:
    data = load_json(OpenCaseSchema)
    check_component(data["order_no"].strip(), data["lines"], data["component"].strip())
    evidence = _evidence(data["evidence"])
    body = run_command(
        "open_case",
        data["request_id"],
        order_no=data["order_no"].strip(),
        kind=data["kind"],
        reason_code=data["reason_code"],
        lines=[
            LineRequest(line["line_no"], line["quantity"], opened=line.get("opened", False))
            for line in data["lines"]
        ],
        description=data["description"].strip(),
        evidence=evidence,
        channel=data["channel"],
        component=data["component"].strip(),
    )
    return dump(CommandResultSchema, body, 201 if not body["replayed"] else 200)


@operation(
    "/evidence",
    "POST",
    summary="Upload one evidence file (JPEG, PNG, WebP or PDF); returns its SHA-256",
    tag="cases",
    roles=(CONSUMER, MERCHANT, AGENT),
    response=EvidenceUploadSchema,
    status=201,
    multipart=True,
    errors=(400, 401, 403, 413),
    rule_ids=("R21",),
    description="multipart/form-data with the file in the field 'file'. Files are stored by "
    "content hash; nothing is attached to a case until a command names the hash.",
)
def upload_evidence() -> ResponseReturnValue:
    files = request.files.getlist("file")
    if not any(f.filename for f in files):
        raise ValidationError({"file": ["Attach a file in the multipart field 'file'."]})
    if len(files) > 1:
        raise ValidationError({"file": ["Upload one file per request."]})
    limit = store.max_bytes()
    stream = files[0].stream
    if len(stream.read(limit + 1)) > limit:
        abort(
            413,
            description=gettext(
                "The file is larger than the limit of %(limit)s.", limit=size_text(limit)
            ),
        )
    stream.seek(0)
    try:
        (checked,) = store.check_uploads(files, field="file")
    except store.UploadError as error:
        raise ValidationError({"file": [error.message]}) from None
    evidence = store.save(checked)
    return dump(EvidenceUploadSchema, evidence, 201)
