"""Who is asking: sessions and API tokens, roles, access checks and the navigation registry.

The log-in pages are ``web.pages.auth``; the ``aftersales users`` commands ``web.users_cli``.

Who is asking is settled once per request, before any view runs:

- ``Authorization: Bearer <token>``: an API token (``web.common.accounts.issue_token``). An
  unknown or revoked token is a 401 at once. Requests authenticated this way skip the CSRF check.
- otherwise the session cookie: it carries a random nonce whose hash is a ``web_sessions`` row.
  Log-in clears the session and opens a fresh nonce; log-out deletes the row, so a copy of the old
  cookie stops working.

For views::

    @bp.route("/cases/<case_id>")
    @login_required(Role.CONSUMER)            # or login_required() for any logged-in person
    def case(case_id):
        row = ...
        ensure_can_see_case(consumer_id=row["consumer_id"], merchant_id=row["merchant_id"])
        actor = current_actor()               # domain.values.Actor(role, party_id)

For navigation, from the module that builds a blueprint (works for apps and blueprints)::

    add_nav_link(bp, "consumer.cases", _l("My cases"), Role.CONSUMER)
    set_audience_home(bp, Role.CONSUMER, "consumer.cases")
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    redirect,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError

from domain.values import Actor, Role
from web import platform_db
from web.common import accounts
from web.common.accounts import Account
from web.common.errors import is_api_request

F = TypeVar("F", bound=Callable[..., Any])

SESSION_KEY = "sid"
_NAV_KEY = "aftersales.nav"

ROLE_LABELS: dict[str, Any] = {
    Role.CONSUMER.value: _l("Consumer"),
    Role.MERCHANT.value: _l("Merchant staff"),
    Role.PLATFORM_AGENT.value: _l("Platform agent"),
    Role.ARBITRATOR.value: _l("Arbitrator"),
    Role.FINANCE.value: _l("Finance"),
}


# --- who is asking --------------------------------------------------------------------------


def current_account() -> Account | None:
    """The logged-in account of this request, or None."""
    return cast("Account | None", g.get("account"))


def current_actor() -> Actor:
    """The domain actor of the logged-in person; 401 when nobody is logged in."""
    account = current_account()
    if account is None:
        abort(401)
    return account.actor


def auth_method() -> str | None:
    """``"token"`` (bearer), ``"session"`` (cookie) or None (anonymous)."""
    return cast("str | None", g.get("auth_method"))


def _load_account() -> None:
    g.account = None
    g.auth_method = None
    if request.endpoint == "static":
        return
    header = request.headers.get("Authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "bearer":
        account = accounts.account_for_token(platform_db(), credentials.strip())
        if account is None:
            abort(401, description=_l("The API token is not valid or has been revoked."))
        g.account, g.auth_method = account, "token"
        return
    nonce = session.get(SESSION_KEY)
    if not isinstance(nonce, str):
        return
    account = accounts.account_for_session(platform_db(), nonce)
    if account is None:  # logged out elsewhere, expired, or the account is gone
        session.clear()
        return
    g.account, g.auth_method = account, "session"


def start_session(account: Account) -> None:
    """Log ``account`` in: a cleared session with a fresh nonce (and so a fresh CSRF token)."""
    old = session.get(SESSION_KEY)
    if isinstance(old, str):
        accounts.close_session(platform_db(), old)
    session.clear()
    session[SESSION_KEY] = accounts.open_session(
        platform_db(), account.username, hours=current_app.config["SESSION_HOURS"]
    )
    g.account, g.auth_method = account, "session"


def end_session() -> None:
    """Log out: the server forgets the nonce and the cookie is emptied."""
    nonce = session.get(SESSION_KEY)
    if isinstance(nonce, str):
        accounts.close_session(platform_db(), nonce)
    session.clear()
    g.account, g.auth_method = None, None


# --- access checks --------------------------------------------------------------------------


def _role_values(roles: Iterable[str | Role]) -> frozenset[str]:
    values = frozenset(r.value if isinstance(r, Role) else str(r) for r in roles)
    unknown = values - set(accounts.ACCOUNT_ROLES)
    if unknown:
        raise ValueError(f"unknown role(s): {', '.join(sorted(unknown))}")
    return values


def _refuse_unless(allowed: frozenset[str]) -> ResponseReturnValue | None:
    account = current_account()
    if account is None:
        if is_api_request() or request.method not in ("GET", "HEAD"):
            abort(401)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if allowed and account.role not in allowed:
        abort(403)
    return None


def login_required(*roles: str | Role | Callable[..., Any]) -> Any:
    """Only logged-in people, and if ``roles`` are given only those roles, may call the view.

    Anonymous: a redirect to the log-in page (a 401 under ``/api/``); wrong role: 403.
    ``@login_required`` without parentheses means any logged-in person.
    """
    if len(roles) == 1 and callable(roles[0]) and not isinstance(roles[0], str):
        return login_required()(roles[0])
    allowed = _role_values(cast("tuple[str | Role, ...]", roles))

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            refusal = _refuse_unless(allowed)
            if refusal is not None:
                return refusal
            return view(*args, **kwargs)

        wrapped.allowed_roles = allowed  # type: ignore[attr-defined]
        return cast(F, wrapped)

    return decorator


def restrict_blueprint(blueprint: Blueprint, *roles: str | Role) -> None:
    """``login_required(*roles)`` for every view of ``blueprint`` at once."""
    allowed = _role_values(roles)

    @blueprint.before_request
    def _check_roles() -> ResponseReturnValue | None:
        return _refuse_unless(allowed)


def can_see_case(account: Account | None, *, consumer_id: str, merchant_id: str) -> bool:
    """A consumer sees only their own cases, merchant staff only their store's; platform agents,
    arbitrators and finance see every case."""
    if account is None:
        return False
    if account.role == Role.CONSUMER.value:
        return account.party_id == consumer_id
    if account.role == Role.MERCHANT.value:
        return account.merchant_id is not None and account.merchant_id == merchant_id
    return account.role in (Role.PLATFORM_AGENT.value, Role.ARBITRATOR.value, Role.FINANCE.value)


def ensure_can_see_case(*, consumer_id: str, merchant_id: str) -> None:
    """404 (never 403: existence is not leaked) unless the current person may see the case."""
    if not can_see_case(current_account(), consumer_id=consumer_id, merchant_id=merchant_id):
        abort(404)


def case_scope(account: Account | None = None) -> dict[str, str]:
    """Column filters limiting case queries to what the person may see: ``{"consumer_id": ...}``
    for a consumer, ``{"merchant_id": ...}`` for merchant staff, ``{}`` for platform roles.
    Raises PermissionError for nobody (an anonymous caller must never reach a case query)."""
    account = account or current_account()
    if account is None:
        raise PermissionError("no logged-in account")
    if account.role == Role.CONSUMER.value:
        return {"consumer_id": account.party_id}
    if account.role == Role.MERCHANT.value:
        assert account.merchant_id is not None
        return {"merchant_id": account.merchant_id}
    return {}


# --- navigation registry --------------------------------------------------------------------


@dataclass(frozen=True)
class NavLink:
    endpoint: str
    label: Any  # a lazy_gettext string, rendered in the viewer's language
    roles: frozenset[str]  # empty: every logged-in person
    order: int = 100
    values: tuple[tuple[str, Any], ...] = ()


@dataclass
class _Nav:
    links: list[NavLink] = field(default_factory=list)
    homes: dict[str, str] = field(default_factory=dict)


def _nav(app: Flask) -> _Nav:
    return cast(_Nav, app.extensions.setdefault(_NAV_KEY, _Nav()))


def _on_app(target: Flask | Blueprint, action: Callable[[Flask], None]) -> None:
    if isinstance(target, Flask):
        action(target)
    else:
        target.record_once(lambda state: action(cast(Flask, state.app)))


def add_nav_link(
    target: Flask | Blueprint,
    endpoint: str,
    label: Any,
    *roles: str | Role,
    order: int = 100,
    **values: Any,
) -> None:
    """Show a link to ``endpoint`` in the top navigation of people with one of ``roles``
    (everyone logged in when none). ``label`` should be a ``lazy_gettext`` string."""
    link = NavLink(endpoint, label, _role_values(roles), order, tuple(sorted(values.items())))
    _on_app(target, lambda app: _nav(app).links.append(link))


def set_audience_home(target: Flask | Blueprint, role: str | Role, endpoint: str) -> None:
    """Where ``/`` sends a logged-in person with ``role``."""
    (value,) = _role_values([role])
    _on_app(target, lambda app: _nav(app).homes.__setitem__(value, endpoint))


def _url_or_none(endpoint: str, **values: Any) -> str | None:
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def nav_links() -> list[dict[str, Any]]:
    """The current person's navigation: ``[{"label", "url", "active"}]``; links whose endpoint
    does not exist (yet) are left out."""
    account = current_account()
    if account is None:
        return []
    result = []
    links = sorted(_nav(current_app).links, key=lambda link: (link.order, link.endpoint))
    for link in links:
        if link.roles and account.role not in link.roles:
            continue
        url = _url_or_none(link.endpoint, **dict(link.values))
        if url is not None:
            result.append({"label": link.label, "url": url, "active": request.path == url})
    return result


def audience_home_url(account: Account | None = None) -> str | None:
    account = account or current_account()
    if account is None:
        return None
    endpoint = _nav(current_app).homes.get(account.role)
    return None if endpoint is None else _url_or_none(endpoint)


def role_label(role: str) -> Any:
    return ROLE_LABELS.get(role, role)


def template_context() -> dict[str, Any]:
    return {
        "current_account": current_account(),
        "nav_links": nav_links,
        "role_label": role_label,
    }


def init_app(app: Flask) -> None:
    app.before_request(_load_account)
    app.context_processor(template_context)
