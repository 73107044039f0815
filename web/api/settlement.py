"""``/api/v1/reconciliation/discrepancies``: finance's queue of reconciliation discrepancies and
their resolutions (issue 8; R3): each resolution is an event on the settlement (and, when it
pays or reopens a case's payment, on the case)."""

from __future__ import annotations

from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from domain.values import Role
from web.api.core import dump, load_json, load_query, operation, run_command
from web.api.schemas.responses import CommandResultSchema
from web.api.schemas.settlement import (
    DiscrepancyListSchema,
    DiscrepancyQuerySchema,
    ResolveDiscrepancySchema,
)
from web.common import finance

FINANCE = Role.FINANCE


@operation(
    "/reconciliation/discrepancies",
    summary="Finance's queue: reconciliation discrepancies (open by default), oldest import first",
    tag="reconciliation",
    roles=(FINANCE,),
    query=DiscrepancyQuerySchema,
    response=DiscrepancyListSchema,
    errors=(400, 401, 403),
    rule_ids=("R3",),
)
def list_discrepancies() -> ResponseReturnValue:
    query = load_query(DiscrepancyQuerySchema)
    items = finance.discrepancy_rows(open_only=query["state"] == "open", run_id=query["run_id"])
    return dump(DiscrepancyListSchema, {"items": items})


@operation(
    "/reconciliation/discrepancies/<run_id>/<item_no>",
    "POST",
    summary="Resolve one discrepancy: match_by_hand, mark_paid, write_off or reopen_payment",
    tag="reconciliation",
    roles=(FINANCE,),
    body=ResolveDiscrepancySchema,
    response=CommandResultSchema,
    errors=(400, 401, 403, 404, 409),
    rule_ids=("R3", "R3.a"),
    description="The resolutions an item may end with are its 'resolutions'. mark_paid records "
    "the case's refund payment with the row's reference (its amount must be the row's); "
    "reopen_payment reopens the case's payment. A refusal names the rule; nothing is stored.",
)
def resolve_discrepancy(run_id: str, item_no: str) -> ResponseReturnValue:
    if not item_no.isdigit() or len(item_no) > 9:
        raise ValidationError({"item_no": ["The item number is a whole number, as listed."]})
    data = load_json(ResolveDiscrepancySchema)
    body = run_command(
        "resolve_discrepancy",
        data["request_id"],
        settlement_no=run_id,
        item_no=int(item_no),
        resolution=data["resolution"],
        reason=data["reason"].strip(),
        case_no=data["case_no"].strip(),
        tender=data["tender"],
    )
    return dump(CommandResultSchema, body)
