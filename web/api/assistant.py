"""``/api/v1/orders/<no>/assistant`` and ``/api/v1/cases/<no>/assistant``: the R16 assistant's
answers to a consumer about their own order or case (``domain.assistant_queries``): what they can
still do with each line and by when, which parts have which warranty (R5), who pays each shipping
leg (R2), how much comes back to each tender (R3.a); for a case, whose turn it is and by when
(R21). Another consumer's order or case is a 404 (P4); platform staff may ask on a consumer's
behalf."""

from __future__ import annotations

from flask import abort
from flask.typing import ResponseReturnValue

from domain.assistant_queries import ask_about_case, ask_about_order
from domain.errors import NotFound
from domain.values import Role
from web.api.core import dump, operation
from web.api.schemas.assistant import CaseAnswerSchema, OrderAnswerSchema
from web.common.auth import current_actor
from web.services import get_service

ASKERS = (Role.CONSUMER, Role.PLATFORM_AGENT, Role.ARBITRATOR)


@operation(
    "/orders/<order_no>/assistant",
    summary="R16: what you can still do with each line of your order, by when, who pays the "
    "shipping and how much comes back",
    tag="orders",
    roles=ASKERS,
    response=OrderAnswerSchema,
    errors=(401, 403, 404),
    rule_ids=("R16", "R1", "R1.a", "R1.b", "R1.c", "R2", "R3.a", "R5", "R6"),
)
def order_assistant(order_no: str) -> ResponseReturnValue:
    try:
        answer = ask_about_order(get_service(), actor=current_actor(), order_no=order_no)
    except NotFound:  # unknown, or another consumer's: the same plain 404 (P4)
        abort(404)
    return dump(OrderAnswerSchema, answer)


@operation(
    "/cases/<case_no>/assistant",
    summary="R16: where your case stands, whose turn it is and by when, who pays the shipping "
    "and what the refund is",
    tag="cases",
    roles=ASKERS,
    response=CaseAnswerSchema,
    errors=(401, 403, 404),
    rule_ids=("R16", "R21", "R2", "R3.a"),
)
def case_assistant(case_no: str) -> ResponseReturnValue:
    try:
        answer = ask_about_case(get_service(), actor=current_actor(), case_no=case_no)
    except NotFound:  # unknown, or another consumer's: the same plain 404 (P4)
        abort(404)
    return dump(CaseAnswerSchema, answer)
