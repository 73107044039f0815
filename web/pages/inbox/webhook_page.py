"""``/inbox/webhook`` (merchant staff): the store's HTTPS endpoint (its signing secret shown once,
when set), its latest deliveries with every attempt, and "send again" for a parked one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from domain.values import Role
from web import get_db
from web.common.auth import current_account, login_required
from web.notify.settings import notify_settings
from web.notify.stores import WebhookError, get_webhook, register_webhook, webhook_deliveries
from web.notify.worker import send_again
from web.pages.inbox.base import bp

URL_ERRORS = {
    "not_https": _l("url: the endpoint must be an https:// address."),
    "no_host": _l("url: the address names no host."),
    "too_long": _l("url: the address is longer than 2,000 characters."),
    "credentials": _l("url: the address must not contain a user name or password."),
}


F = TypeVar("F", bound=Callable[..., Any])


def merchant_only(view: F) -> F:
    return cast(F, login_required(Role.MERCHANT)(view))


def _store() -> str:
    account = current_account()
    assert account is not None and account.merchant_id
    return account.merchant_id


@bp.route("/webhook", methods=["GET", "POST"])
@merchant_only
def webhook() -> ResponseReturnValue:
    db = get_db()
    store = _store()
    error = None
    secret = None
    if request.method == "POST":
        allow = notify_settings(current_app.config).webhook_allow_loopback
        try:
            secret = register_webhook(
                db, store, request.form.get("url", ""), allow_loopback=allow, now=datetime.now(UTC)
            ).secret
        except WebhookError as problem:
            error = str(URL_ERRORS[problem.code])
    hook = get_webhook(db, store)
    return (
        render_template(
            "inbox/webhook.html",
            hook=hook,
            secret=secret,
            error=error,
            url=request.form.get("url", "") if error else (hook.url if hook else ""),
            deliveries=webhook_deliveries(db, store),
        ),
        400 if error else 200,
    )


@bp.route("/webhook/<delivery_id>/send-again", methods=["POST"])
@merchant_only
def webhook_send_again(delivery_id: str) -> ResponseReturnValue:
    if not send_again(get_db(), delivery_id, merchant_id=_store(), now=datetime.now(UTC)):
        abort(404)
    flash(gettext("The delivery is queued to be sent again."), "success")
    return redirect(url_for("inbox.webhook"))
