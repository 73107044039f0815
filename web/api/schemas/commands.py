"""Request bodies of the case commands: opening a case (``POST /api/v1/cases``), and every move
(``POST /api/v1/cases/<no>/<command>``), whose schemas are generated from the process declaration
(``web.common.move_schemas``); each names the command's arguments and checks them before the
domain does."""

from __future__ import annotations

from typing import Any

from marshmallow import (
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from domain.process import Move
from domain.values import CaseKind, Channel, Reason
from web.common.move_schemas import all_schemas
from web.common.schema_fields import (
    ApiSchema,
    Choice,
    CommandSchema,
    EvidenceRefs,
    Flag,
    Text,
    not_blank,
)


class LineRequestSchema(ApiSchema):
    line_no = fields.Integer(strict=True, required=True, validate=validate.Range(min=1))
    quantity = fields.Integer(strict=True, required=True, validate=validate.Range(min=1))
    opened = Flag(
        metadata={
            "description": "R1.a: the goods were opened (a consumable is then excluded from the "
            "no-reason return)"
        }
    )


class OpenCaseSchema(CommandSchema):
    order_no = Text(required=True, max_length=64)
    kind = Choice(CaseKind, required=True)
    reason_code = Choice(Reason, required=True)
    lines = fields.List(fields.Nested(LineRequestSchema), load_default=list)
    description = Text()
    evidence = EvidenceRefs()
    channel = Choice(Channel, load_default=Channel.PLATFORM.value)
    component = fields.String(
        load_default="unit",
        validate=[validate.Length(min=1, max=64), not_blank],
        metadata={
            "description": "R5: 'unit' or one of the parts the policy lists for every named "
            "line's category (GET /orders/<no>/assistant offers them per line)"
        },
    )

    @validates_schema
    def _lines_unless_complaint(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("kind") != CaseKind.COMPLAINT.value and not data.get("lines"):
            raise ValidationError("Name at least one line of the order.", "lines")
        numbers = [line["line_no"] for line in data.get("lines") or ()]
        if len(numbers) != len(set(numbers)):
            raise ValidationError("A line is named twice.", "lines")


#: The URL name of each move's command (``POST /api/v1/cases/<case_no>/<name>``): API v1 keeps
#: the names it was published with; a move not listed here is its name with dashes.
URL_NAMES: dict[Move, str] = {
    Move.RECORD_RETURN_DELIVERED: "return-delivered",
    Move.QUOTE_REPAIR: "quote",
    Move.RECORD_REFUND_PAID: "refund-paid",
    Move.RECORD_REFUND_FAILED: "refund-failed",
    Move.GRANT_COMPENSATION: "compensation",
    Move.RECORD_COMPENSATION_PAID: "compensation-paid",
    Move.FILE_COMPLAINT: "complaint",
    Move.RESPOND_TO_COMPLAINT: "respond",
    Move.GIVE_OPINION: "opinion",
    Move.SUBMIT_EVIDENCE: "evidence",
    Move.ADD_NOTE: "note",
    Move.CONFIRM_GOODS_RECEIVED: "goods-received",
}


def url_name(move: Move) -> str:
    return URL_NAMES.get(move, move.value.replace("_", "-"))


#: Request body schema of each case command, generated from the declaration
#: (``web.common.move_schemas``), by URL name.
COMMAND_SCHEMAS: dict[str, type[CommandSchema]] = {
    url_name(move): schema for move, schema in all_schemas().items()
}
