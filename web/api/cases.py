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
from domain.process import MOVES, InputType, Move, MoveSpec
from domain.service import LineRequest
from domain.values import Role
from projections.timeline import timeline
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
from web.api.schemas.commands import COMMAND_SCHEMAS, OpenCaseSchema, url_name
from web.api.schemas.queries import CaseListQuerySchema
from web.api.schemas.responses import (
    CaseDetailSchema,
    CaseListSchema,
    CommandResultSchema,
    EvidenceUploadSchema,
)
from web.common import evidence as store
from web.common.auth import case_scope, current_actor
from web.common.casepage import visible_steps
from web.common.evidence_citation import citation_message, record_upload, refused_citations
from web.common.formats import size_text
from web.common.schema_fields import CommandSchema
from web.shard_reads import merged_case_summaries

CONSUMER = Role.CONSUMER.value
MERCHANT = Role.MERCHANT.value
AGENT = Role.PLATFORM_AGENT.value
ARBITRATOR = Role.ARBITRATOR.value
FINANCE = Role.FINANCE.value


@dataclass(frozen=True)
class Command:
    """A case command of the API, drawn from the move's declaration (``domain.process``): its URL
    name, the ``AfterSales`` method, who may call it (the move's roles and stand-ins; the system
    is no API caller), the rules it follows and its generated request schema."""

    move: Move
    name: str
    method: str
    roles: tuple[str, ...]
    summary: str
    rules: tuple[str, ...]
    schema: type[CommandSchema]

    def arguments(self, data: dict[str, Any], case_no: str) -> dict[str, Any]:
        """The validated body as the method's arguments: evidence references become the
        uploaded files' ``Evidence`` (only files the caller uploaded or the case carries), a
        ruling its domain value."""
        out = dict(data)
        for item in MOVES[self.move].inputs:
            if item.type is InputType.EVIDENCE_LIST:
                out[item.name] = _evidence(out.get(item.name) or [], item.name, case_no=case_no)
            elif item.type is InputType.RULING:
                out[item.name] = _ruling(out[item.name])
        return out


def _evidence(
    hashes: list[str], field: str = "evidence", *, case_no: str | None = None
) -> tuple[Evidence, ...]:
    """The evidence values of files uploaded before by the caller, or carried by ``case_no``
    already (issue 10: knowing a hash is not having the file). A 400 names each refused item,
    with the same reason whether or not a file with that hash exists here."""
    found: list[Evidence] = []
    missing = refused_citations(hashes, current_actor(), case_no)
    for index, sha256 in enumerate(hashes):
        path = store.path_for(sha256)
        if index in missing or not path.is_file():
            missing[index] = [citation_message()]
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


def _ruling(given: dict[str, Any]) -> Ruling:
    return Ruling(
        outcome=RulingOutcome(given["outcome"]),
        refund_fen=given["refund_fen"],
        compensation_fen=given["compensation_fen"],
        return_required=given["return_required"],
    )


def command_of(spec: MoveSpec) -> Command:
    callers = tuple(sorted(r.value for r in spec.all_roles if r is not Role.SYSTEM))
    stand_in = (spec.stand_in.rule,) if spec.stand_in and spec.stand_in.rule != spec.rule else ()
    return Command(
        move=spec.move,
        name=url_name(spec.move),
        method=spec.command_name,
        roles=callers,
        summary=spec.label,
        rules=(spec.rule, *stand_in),
        schema=COMMAND_SCHEMAS[url_name(spec.move)],
    )


#: Every move of the declaration that a person may make through the API.
COMMANDS: tuple[Command, ...] = tuple(
    command_of(spec) for spec in MOVES.values() if spec.all_roles - {Role.SYSTEM}
)

COMMANDS_BY_NAME: dict[str, Command] = {c.name: c for c in COMMANDS}


def _command_view(command: Command) -> Callable[..., ResponseReturnValue]:
    def view(case_no: str) -> ResponseReturnValue:
        visible_case(case_no)  # 404 for another party's case, whatever the role
        require_roles(command.roles)
        data = load_json(command.schema)
        request_id = data.pop("request_id")
        arguments = command.arguments(data, case_no)
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
        body=_command.schema,
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
    found = merged_case_summaries(  # issue 12: every store the request reads (web.shards)
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
    record_upload(evidence.sha256, current_actor())
    return dump(EvidenceUploadSchema, evidence, 201)
