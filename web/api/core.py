"""The ``/api/v1`` blueprint and what every API view shares: the operation registry (which
``web/api/openapi.py`` turns into the OpenAPI document), body and query validation, access checks
and the one path from a JSON command to ``AfterSales``.

Order of checks on every route (so nothing leaks to whoever is not allowed to know):

1. 401 without a bearer token or session (``web.common.auth``);
2. on case routes: 404 when the case belongs to someone else (whatever the route or role);
3. 403 when the person's role may not use the route;
4. 400 with field messages when the body or query string is invalid (nothing stored);
5. the domain: 409 naming the rule for an illegal move or a lost race, 404 for an unknown case.

The actor always comes from the token or session, never from the body.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Blueprint, abort, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError

from domain.service import Result
from domain.values import Actor, Role
from projections.timeline import CaseSummary, case_summary
from web import get_db
from web.common.auth import current_account, current_actor, ensure_can_see_case, login_required
from web.services import get_service

bp = Blueprint("api", __name__, url_prefix="/api/v1")

F = TypeVar("F", bound=Callable[..., Any])

STAFF_ROLES = frozenset(
    {Role.MERCHANT.value, Role.PLATFORM_AGENT.value, Role.ARBITRATOR.value, Role.FINANCE.value}
)
PLATFORM_ROLES = frozenset({Role.PLATFORM_AGENT.value, Role.ARBITRATOR.value, Role.FINANCE.value})


@dataclass(frozen=True)
class Operation:
    """One documented API operation (one rule + method)."""

    endpoint: str
    rule: str  # Flask rule under the blueprint, e.g. "/cases/<case_no>/accept"
    method: str
    summary: str
    tag: str
    roles: frozenset[str]  # empty: every logged-in person
    body: type[Schema] | None = None
    query: type[Schema] | None = None
    response: type[Schema] | None = None
    status: int = 200
    multipart: bool = False
    public: bool = False  # no log-in needed (the OpenAPI document itself)
    errors: tuple[int, ...] = ()
    description: str = ""
    case_route: bool = False
    rule_ids: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return bp.url_prefix + self.rule if bp.url_prefix else self.rule


OPERATIONS: list[Operation] = []


def operation(
    rule: str,
    method: str = "GET",
    *,
    summary: str,
    tag: str,
    roles: Iterable[str | Role] = (),
    body: type[Schema] | None = None,
    query: type[Schema] | None = None,
    response: type[Schema] | None = None,
    status: int = 200,
    endpoint: str | None = None,
    multipart: bool = False,
    public: bool = False,
    errors: Iterable[int] = (),
    description: str = "",
    case_route: bool = False,
    rule_ids: Iterable[str] = (),
    **extra: Any,
) -> Callable[[F], F]:
    """Register ``view`` at ``rule`` and document it.

    ``roles``: who may call it (403 for others). On a ``case_route`` the view checks the roles
    itself with :func:`require_roles` *after* :func:`visible_case`, so another party's case is a
    404 whatever the caller's role; elsewhere ``login_required(*roles)`` does it first.
    """
    allowed = frozenset(r.value if isinstance(r, Role) else str(r) for r in roles)

    def decorator(view: F) -> F:
        name = endpoint or view.__name__
        guarded: Callable[..., Any] = view
        if not public:
            guarded = login_required()(view) if case_route else login_required(*allowed)(view)
        bp.add_url_rule(rule, name, guarded, methods=[method])
        OPERATIONS.append(
            Operation(
                endpoint=f"{bp.name}.{name}",
                rule=rule,
                method=method,
                summary=summary,
                tag=tag,
                roles=allowed,
                body=body,
                query=query,
                response=response,
                status=status,
                multipart=multipart,
                public=public,
                errors=tuple(errors),
                description=description,
                case_route=case_route,
                rule_ids=tuple(rule_ids),
                extra=dict(extra),
            )
        )
        return view

    return decorator


# --- who is asking --------------------------------------------------------------------------


def role() -> str:
    account = current_account()
    if account is None:
        abort(401)
    return account.role


def require_roles(roles: Iterable[str | Role]) -> None:
    """403 unless the caller's role is one of ``roles`` (empty: anyone logged in)."""
    allowed = {r.value if isinstance(r, Role) else str(r) for r in roles}
    if allowed and role() not in allowed:
        abort(403, description=_l("Your role may not do this."))


def is_staff() -> bool:
    """Everyone but consumers sees internal steps (P4)."""
    return role() in STAFF_ROLES


def visible_case(case_no: str) -> CaseSummary | None:
    """The case's summary row after checking the caller may see it (404 otherwise).

    None when the read model does not know the case (yet): a command then goes to the domain,
    which answers "not found" for an unknown case and for another party's case alike."""
    row = case_summary(get_db(), case_no)
    if row is None:
        return None
    ensure_can_see_case(consumer_id=row.consumer_id, merchant_id=row.merchant_id)
    return row


def visible_case_or_404(case_no: str) -> CaseSummary:
    row = visible_case(case_no)
    if row is None:
        abort(404)
    return row


# --- input ----------------------------------------------------------------------------------


def load_json(schema: type[Schema]) -> dict[str, Any]:
    """The request's JSON object validated by ``schema`` (400 with field messages)."""
    data = request.get_json(silent=True)
    if data is None:
        raise ValidationError(
            {"_schema": ["Send a JSON object with Content-Type: application/json."]}
        )
    if not isinstance(data, dict):
        raise ValidationError({"_schema": ["The body must be a JSON object."]})
    loaded: dict[str, Any] = schema().load(data)
    return loaded


def load_query(schema: type[Schema]) -> dict[str, Any]:
    """The query string validated by ``schema`` (a parameter given twice: the first counts)."""
    args = {key: request.args.get(key) for key in request.args if key not in ("lang", "after")}
    loaded: dict[str, Any] = schema().load(args)
    return loaded


def dump(schema: type[Schema], obj: Any, status: int = 200) -> ResponseReturnValue:
    response = jsonify(schema().dump(obj))
    response.status_code = status
    return response


def dump_list(schema: type[Schema], rows: Iterable[Any]) -> ResponseReturnValue:
    """``{"items": [...]}`` (documented with ``many=True`` on the operation)."""
    return jsonify({"items": schema(many=True).dump(list(rows))})


# --- commands -------------------------------------------------------------------------------


def scoped_request_id(actor: Actor, request_id: str) -> str:
    """The service's idempotency key for a client's ``request_id``: per caller, so one person's
    key never replays (or reveals) another person's result."""
    return f"api:{actor.role.value}:{actor.id}:{request_id.strip()}"


def command_result(command: str, result: Result, *, key: str | None = None) -> dict[str, Any]:
    """The JSON of a command's result; ``replayed`` when the request id was seen before."""
    if key is not None and result.key != key:
        raise ValidationError(
            {"request_id": [f"This request id was already used for {result.key}; use a new one."]}
        )
    return {
        "case_no": result.key,
        "command": command,
        "version": result.version,
        "detail": dict(result.detail),
        "replayed": not result.changed,
        "notification_id": result.notification_id,
    }


def run_command(
    method: str, request_id: str, *, key: str | None = None, command: str | None = None, **kw: Any
) -> dict[str, Any]:
    """``AfterSales.<method>(request_id=<scoped>, actor=<caller>, **kw)`` as JSON. A refusal
    propagates as a ``DomainError`` (``web/common/errors.py``: 409 naming the rule, 400, 404)."""
    actor = current_actor()
    call: Callable[..., Result] = getattr(get_service(), method)
    result = call(request_id=scoped_request_id(actor, request_id), actor=actor, **kw)
    body = command_result(command or method, result, key=key)
    from web.common.fresh_reads import remember

    remember(result)  # a session caller's next read waits for it; wakes the worker (issue 12)
    return body
