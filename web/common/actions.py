"""One path from an HTML form to a domain command, shared by every audience's pages.

A form carries a ``request_id`` (a fresh UUID rendered into it by ``form_request_id()``), so a
double submit or a browser retry is recorded once (the service's idempotency). The actor is always
the logged-in account; a refusal comes back as a flashed message naming the rule, and nothing is
stored.
A command never runs the projections: its notification id is remembered (``web.common.fresh_reads``)
and the page it redirects to waits, bounded, for the worker to pass it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from flask import Flask, flash, redirect, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from domain.errors import DomainError
from domain.service import Result
from web.common.auth import current_actor
from web.common.fresh_reads import remember
from web.services import get_service


def form_request_id() -> str:
    """A new idempotency key for one rendered form (template global)."""
    return str(uuid.uuid4())


def request_id_from_form() -> str:
    given = (request.form.get("request_id") or "").strip()
    return given or str(uuid.uuid4())


def refusal_text(error: DomainError) -> Any:
    """A refusal as a person reads it, from the catalog in ``web.common.refusals`` (never the
    domain's developer text); staff also read the rule id."""
    from web.common.auth import current_account
    from web.common.refusals import refusal_sentence

    account = current_account()
    return refusal_sentence(error, account.role if account is not None else None)


def perform(
    command: str,
    back_to: str,
    *,
    success: str | None = None,
    **arguments: Any,
) -> ResponseReturnValue:
    """Run ``AfterSales.<command>(request_id=…, actor=<current account>, **arguments)``; flash the
    outcome and redirect to ``back_to`` (POST-redirect-GET)."""
    method: Callable[..., Result] = getattr(get_service(), command)
    try:
        result = method(request_id=request_id_from_form(), actor=current_actor(), **arguments)
    except DomainError as error:
        flash(refusal_text(error), "error")
    else:
        flash(success or gettext("Done."), "success")
        remember(result)  # the next page waits for the projections it reads (issue 12)
    return redirect(back_to, code=303)


def init_app(app: Flask) -> None:
    app.add_template_global(form_request_id)
