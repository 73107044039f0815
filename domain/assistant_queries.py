"""R16 questions asked of the application: a consumer asks about their own order or case, and
the answer comes from the stored facts (order, policy version in force, the consumer's history
with the merchant, the case) through ``domain.assistant``. P4: a consumer sees only their own;
platform staff may ask on a consumer's behalf."""

from __future__ import annotations

from typing import TYPE_CHECKING

from eventsourcing.application import AggregateNotFoundError

from domain import ids
from domain.assistant import OrderAnswer, about_order
from domain.assistant_cases import CaseAnswer, about_case
from domain.errors import NotFound
from domain.history import ConsumerMerchantHistory
from domain.values import Actor, Role

if TYPE_CHECKING:
    from datetime import datetime

    from domain.case import Case
    from domain.service import AfterSales

_STAFF = (Role.PLATFORM_AGENT, Role.ARBITRATOR, Role.SYSTEM)


def _own(actor: Actor, consumer_id: str, what: str) -> None:
    if actor.role is Role.CONSUMER and actor.id == consumer_id:
        return
    if actor.role in _STAFF:
        return
    raise NotFound(f"{what} is not one of yours", field="actor")


def ask_about_order(app: AfterSales, *, actor: Actor, order_no: str) -> OrderAnswer:
    """R16: what the consumer can still do with each line of ``order_no``, by when, who pays the
    shipping (R2, from their history with this merchant) and how much comes back (R3.a)."""
    order = app.get_order(order_no)
    _own(actor, order.consumer_id, f"order {order_no}")
    now = app.clock()
    _, terms = app.get_policy(order.merchant_id).applicable(order.placed_at, now)
    prior, bought_again = 0, False
    history: object
    try:
        history = app.repository.get(ids.history_id(order.consumer_id, order.merchant_id))
    except AggregateNotFoundError:
        history = None
    if isinstance(history, ConsumerMerchantHistory):
        prior, bought_again = history.prior_returns, history.bought_again_since_first_return
    return about_order(
        order,
        terms,
        now,
        prior_returns_to_merchant=prior,
        bought_again_since_first_return=bought_again,
    )


def ask_about_case(app: AfterSales, *, actor: Actor, case_no: str) -> CaseAnswer:
    """R16 / R21: where the consumer's case stands, whose turn it is and by when."""
    return answer_about_case(app.get_case(case_no), actor=actor, now=app.clock())


def answer_about_case(case: Case, *, actor: Actor, now: datetime) -> CaseAnswer:
    """R16 / R21 about a case already loaded (a page may hold the case at the version its read
    model shows); P4: only the consumer's own case, or platform staff on their behalf."""
    _own(actor, case.consumer_id, f"case {case.case_no}")
    return about_case(case, now)
