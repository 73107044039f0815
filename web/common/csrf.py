"""CSRF protection for every request that changes something (POST, PUT, PATCH, DELETE).

The token lives in the session (so it changes at log-in, when the session is cleared) and must come
back as the form field ``csrf_token`` or the header ``X-CSRF-Token``. In templates::

    <form method="post">
      <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">

Requests authenticated by a bearer token are exempt (a browser never adds that header by itself);
an API call made with the session cookie is not. Anonymous calls under ``/api/`` carry no
credentials to abuse and are not checked either (they get the view's 401 instead); anonymous
forms elsewhere (the log-in form) are checked. ``@csrf_exempt`` marks a view that checks its
callers another way (a signed webhook, say); use it rarely.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, g, request, session
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SESSION_KEY = "csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

F = TypeVar("F", bound=Callable[..., Any])


class CSRFError(BadRequest):
    """400: the form's token is missing or wrong (expired page, or another site's form)."""

    description = _l(
        "This form has expired or did not come from this site. Reload the page and try again."
    )


def csrf_token() -> str:
    """The session's token, created on first use."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[SESSION_KEY] = token
    return token


def csrf_exempt(view: F) -> F:
    view.csrf_exempt = True  # type: ignore[attr-defined]
    return view


def _check() -> None:
    if request.method in SAFE_METHODS or request.routing_exception is not None:
        return
    method = g.get("auth_method")
    if method == "token":
        return
    if method is None and (request.path == "/api" or request.path.startswith("/api/")):
        return  # no credentials to abuse: let the view answer 401 rather than "csrf"
    view = current_app.view_functions.get(request.endpoint or "")
    if view is not None and getattr(view, "csrf_exempt", False):
        return
    sent = request.headers.get(HEADER) or request.form.get(FIELD, "")
    expected = session.get(SESSION_KEY)
    if (
        not sent
        or not isinstance(expected, str)
        or not hmac.compare_digest(sent.encode("utf-8"), expected.encode("utf-8"))
    ):
        raise CSRFError()


def init_app(app: Flask) -> None:
    app.before_request(_check)
    app.jinja_env.globals["csrf_token"] = csrf_token
