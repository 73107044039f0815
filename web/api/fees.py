"""``/api/v1/cases/<no>/return-receipt`` and ``/api/v1/cases/<no>/repair-fee/waive`` (issue 8):
the fee commands around a case that a person makes, beside the process's moves. The domain
decides (``domain/case/fees.py``): a refusal is a 409 naming the rule and stores nothing."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from domain.values import Role
from web.api.cases import _evidence
from web.api.core import dump, load_json, operation, require_roles, run_command, visible_case
from web.api.schemas.fees import ReturnReceiptSchema, WaiveRepairFeeSchema
from web.api.schemas.responses import CommandResultSchema

AGENT = Role.PLATFORM_AGENT.value
WAIVERS = (Role.FINANCE.value, Role.MERCHANT.value, AGENT)


@operation(
    "/cases/<case_no>/return-receipt",
    "POST",
    summary="Accept the receipt of a declared return fee above the policy's unproven limit",
    tag="case commands",
    roles=(AGENT,),
    body=ReturnReceiptSchema,
    response=CommandResultSchema,
    errors=(400, 401, 403, 404, 409),
    case_route=True,
    rule_ids=("R2",),
    description="R2 (issue 8): a platform agent accepts the carrier's receipt (a file uploaded "
    "before with POST /api/v1/evidence, by SHA-256), so the whole declared fee is owed. Only "
    "when the fee is above the policy's unproven_leg_fee_fen, before the refund or the owed leg "
    "is fixed, once per case; otherwise a 409 naming R2.",
)
def accept_return_receipt(case_no: str) -> ResponseReturnValue:
    visible_case(case_no)
    require_roles((AGENT,))
    data = load_json(ReturnReceiptSchema)
    receipt = _evidence([data["receipt"]], "receipt", case_no=case_no)[0]
    body = run_command(
        "accept_return_receipt",
        data["request_id"],
        key=case_no,
        command="return-receipt",
        case_no=case_no,
        receipt=receipt,
        reason=data["reason"].strip(),
    )
    return dump(CommandResultSchema, body)


@operation(
    "/cases/<case_no>/repair-fee/waive",
    "POST",
    summary="Waive the repair fee the consumer accepted, with a reason",
    tag="case commands",
    roles=WAIVERS,
    body=WaiveRepairFeeSchema,
    response=CommandResultSchema,
    errors=(400, 401, 403, 404, 409),
    case_route=True,
    rule_ids=("R6",),
    description="R6 (issue 8): ends the repair fee receivable as waived (RepairFeeWaived). Only a "
    "fee due (accepted and the repair completed) and not yet paid or waived; otherwise a 409 "
    "naming R6. Merchant staff waive in their own store only.",
)
def waive_repair_fee(case_no: str) -> ResponseReturnValue:
    visible_case(case_no)
    require_roles(WAIVERS)
    data = load_json(WaiveRepairFeeSchema)
    body = run_command(
        "waive_repair_fee",
        data["request_id"],
        key=case_no,
        command="repair-fee/waive",
        case_no=case_no,
        reason=data["reason"].strip(),
    )
    return dump(CommandResultSchema, body)
