"""``/api/v1`` queues (R12, R17), merchant policies (R11, R19) and merchant metrics (R15, R18, R22,
R24)."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask.typing import ResponseReturnValue

from domain.values import Role
from projections.policies import current_policy, policy_history
from projections.queues import queue_counts, queue_page
from web import get_db
from web.api.core import (
    PLATFORM_ROLES,
    dump,
    dump_list,
    load_json,
    load_query,
    operation,
    role,
    run_command,
)
from web.api.schemas.finance import PolicyVersionSchema
from web.api.schemas.policies import PublishPolicySchema
from web.api.schemas.queries import PageQuerySchema
from web.api.schemas.responses import CommandResultSchema, QueueCountsSchema, QueuePageSchema
from web.common.auth import current_account

CONSUMER = Role.CONSUMER.value
MERCHANT = Role.MERCHANT.value
AGENT = Role.PLATFORM_AGENT.value

#: The queues each platform role works from (GET /queues).
HOME_QUEUES: dict[str, tuple[str, ...]] = {
    Role.PLATFORM_AGENT.value: ("platform", "platform_supervisor"),
    Role.ARBITRATOR.value: ("arbitration",),
    Role.FINANCE.value: ("finance",),
}


# --- queues ---------------------------------------------------------------------------------


def own_queues() -> tuple[str, ...]:
    account = current_account()
    if account is None:
        abort(401)
    if account.role == CONSUMER:
        return (f"consumer:{account.party_id}",)
    if account.role == MERCHANT:
        return (f"merchant:{account.merchant_id}",)
    return HOME_QUEUES.get(account.role, ())


def ensure_can_see_queue(queue: str) -> None:
    """Consumers see their own queue, merchant staff their store's; platform roles every queue.
    Anyone else's queue is a 404 (its existence is not told)."""
    if role() in PLATFORM_ROLES:
        return
    if queue not in own_queues():
        abort(404)


@operation(
    "/queues",
    summary="Counts of the queues you work from",
    tag="queues",
    response=QueueCountsSchema,
    errors=(401,),
    rule_ids=("R17",),
    many=True,
)
def my_queues() -> ResponseReturnValue:
    counts = [queue_counts(get_db(), name) for name in own_queues()]
    return dump_list(QueueCountsSchema, counts)


@operation(
    "/queues/<queue>",
    summary="One page of a queue, most urgent first (overdue first)",
    tag="queues",
    query=PageQuerySchema,
    response=QueuePageSchema,
    errors=(400, 401, 404),
    rule_ids=("R12", "R17"),
)
def get_queue(queue: str) -> ResponseReturnValue:
    ensure_can_see_queue(queue)
    query = load_query(PageQuerySchema)
    items = queue_page(get_db(), queue, limit=query["limit"], offset=query["offset"])
    return dump(
        QueuePageSchema,
        {"queue": queue, "items": items, "limit": query["limit"], "offset": query["offset"]},
    )


@operation(
    "/queues/<queue>/counts",
    summary="How many cases and items a queue holds, per status and clock, and how many breached",
    tag="queues",
    response=QueueCountsSchema,
    errors=(401, 404),
    rule_ids=("R12.a", "R17"),
)
def get_queue_counts(queue: str) -> ResponseReturnValue:
    ensure_can_see_queue(queue)
    return dump(QueueCountsSchema, queue_counts(get_db(), queue))


# --- policies -------------------------------------------------------------------------------


def _version(row: Any) -> dict[str, Any]:
    return {
        "merchant_id": row.merchant_id,
        "number": row.number,
        "published_at": row.published_at,
        "summary": row.summary,
        "terms": row.terms,
    }


@operation(
    "/policies/<merchant_id>",
    summary="The store's after-sales policy in force (public, R11)",
    tag="policies",
    response=PolicyVersionSchema,
    errors=(401, 404),
    rule_ids=("R11", "R19", "R23"),
)
def get_policy(merchant_id: str) -> ResponseReturnValue:
    row = current_policy(get_db(), merchant_id)
    if row is None:
        abort(404)
    return dump(PolicyVersionSchema, _version(row))


@operation(
    "/policies/<merchant_id>/versions",
    summary="Every published version of the store's policy, newest first (R19)",
    tag="policies",
    response=PolicyVersionSchema,
    errors=(401, 404),
    rule_ids=("R19",),
    many=True,
)
def get_policy_versions(merchant_id: str) -> ResponseReturnValue:
    rows = policy_history(get_db(), merchant_id)
    if not rows:
        abort(404)
    return dump_list(PolicyVersionSchema, [_version(row) for row in rows])


@operation(
    "/policies/<merchant_id>",
    "POST",
    summary="Publish a new version of the store's policy (never below the platform floor)",
    tag="policies",
    roles=(MERCHANT, AGENT),
    body=PublishPolicySchema,
    response=CommandResultSchema,
    status=201,
    errors=(400, 401, 403, 404),
    rule_ids=("R11", "R19"),
)
def publish_policy(merchant_id: str) -> ResponseReturnValue:
    account = current_account()
    if account is not None and account.role == MERCHANT and account.merchant_id != merchant_id:
        abort(404)
    data = load_json(PublishPolicySchema)
    body = run_command(
        "publish_policy",
        data["request_id"],
        key=merchant_id,
        merchant_id=merchant_id,
        terms=data["terms"],
        summary=data["summary"].strip(),
    )
    return dump(CommandResultSchema, body, 200 if body["replayed"] else 201)
