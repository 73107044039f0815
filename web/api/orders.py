"""``/api/v1/orders``: an order with, per line, the R16 answer to "can I still return this?" and
the eligibility of each kind of case, decided by the domain (``domain.assistant``,
``domain.rules``) from the order's facts and the policy that applies to it (R19)."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask.typing import ResponseReturnValue

from domain.assistant import can_i_return
from domain.errors import NotFound
from domain.rules import eligibility
from domain.values import CaseKind, Reason, Role
from web.api.core import dump, load_query, operation
from web.api.schemas.queries import PageQuerySchema
from web.api.schemas.responses import OrderListSchema, OrderSchema
from web.common.auth import current_actor, ensure_can_see_case
from web.services import get_service
from web.shard_reads import merged_orders_of_consumer

#: The (kind, reason) pairs whose eligibility an order line shows.
CHECKS: tuple[tuple[CaseKind, Reason], ...] = (
    (CaseKind.RETURN_REFUND, Reason.NO_REASON),
    (CaseKind.RETURN_REFUND, Reason.QUALITY_DEFECT),
    (CaseKind.EXCHANGE, Reason.NO_REASON),
    (CaseKind.EXCHANGE, Reason.QUALITY_DEFECT),
    (CaseKind.REFUND_ONLY, Reason.NOT_DELIVERED),
    (CaseKind.REPAIR, Reason.QUALITY_DEFECT),
)


def order_view(order_no: str) -> dict[str, Any]:
    """The order as the caller may see it, with the R16 answer per line (404 for an unknown
    order and for another party's order alike)."""
    service = get_service()
    try:
        order = service.get_order(order_no)
    except NotFound:
        abort(404)
    ensure_can_see_case(consumer_id=order.consumer_id, merchant_id=order.merchant_id)
    now = service.clock()
    try:
        policy = service.get_policy(order.merchant_id)
        version, terms = policy.applicable(order.placed_at, now)
    except NotFound:  # no policy in force when the order was placed: nothing can be judged
        abort(404)
    lines = []
    for line in order.lines:
        answer = can_i_return(line, terms, order.delivered_at, now)
        verdicts = []
        for kind, reason in CHECKS:
            verdict = eligibility(kind, reason, line, terms, order.delivered_at, now)
            verdicts.append(
                {
                    "kind": kind.value,
                    "reason_code": reason.value,
                    "allowed": verdict.allowed,
                    "rule": verdict.rule,
                    "message": verdict.message,
                    "deadline": verdict.deadline,
                }
            )
        lines.append(
            {
                "line_no": line.line_no,
                "sku": line.sku,
                "title": line.title,
                "category": line.category,
                "quantity": line.quantity,
                "paid_fen": line.paid_fen,
                "claimed_quantity": order.claimed_quantity(line.line_no),
                "answer": {
                    "code": answer.code,
                    "rule": answer.rule,
                    "deadline": answer.deadline,
                    "warranty_until": answer.warranty_until,
                    "exclusion_reason": answer.exclusion_reason,
                    "can_return_without_reason": answer.can_return_without_reason,
                },
                "eligibility": verdicts,
            }
        )
    return {
        "order_no": order.order_no,
        "consumer_id": order.consumer_id,
        "merchant_id": order.merchant_id,
        "placed_at": order.placed_at,
        "delivered_at": order.delivered_at,
        "currency": order.currency,
        "shipping_fee_fen": order.shipping_fee_fen,
        "policy_version": version.number,
        "cases": list(order.cases),
        "lines": lines,
    }


@operation(
    "/orders/<order_no>",
    summary="An order with the R16 answer and the eligibility of each case kind per line",
    tag="orders",
    response=OrderSchema,
    errors=(401, 404),
    rule_ids=("R16", "R1", "R1.a", "R1.b", "R1.c", "R5", "R19"),
)
def get_order(order_no: str) -> ResponseReturnValue:
    return dump(OrderSchema, order_view(order_no))


@operation(
    "/orders",
    summary="Your orders, newest first, with their lines (consumers)",
    tag="orders",
    roles=(Role.CONSUMER,),
    query=PageQuerySchema,
    response=OrderListSchema,
    errors=(400, 401, 403),
    rule_ids=("R16",),
)
def list_orders() -> ResponseReturnValue:
    query = load_query(PageQuerySchema)
    rows = merged_orders_of_consumer(current_actor().id, limit=5000)  # issue 12: every store's
    orders: dict[str, dict[str, Any]] = {}
    for row in rows:
        order = orders.setdefault(
            row.order_no,
            {
                "order_no": row.order_no,
                "merchant_id": row.merchant_id,
                "placed_at": row.placed_at,
                "delivered_at": row.delivered_at,
                "currency": row.currency,
                "lines": [],
            },
        )
        order["lines"].append(row)
    page = list(orders.values())[query["offset"] : query["offset"] + query["limit"]]
    return dump(OrderListSchema, {"items": page})
