"""``/inbox/settings``: channels per kind of notice (P1: a consumer's deadline notices stay on in
the inbox and by email), and where one is reached (email address, phone number)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from domain.process.audience import NoticeKind
from web import get_db
from web.common.auth import current_account, login_required
from web.notify.prefs import CHANNELS, load_preferences, locked_choice, set_preference
from web.notify.stores import ContactError, set_contact
from web.pages.inbox.base import bp

KIND_LABELS = {
    NoticeKind.NEW_CASE.value: _l("New applications"),
    NoticeKind.STEP.value: _l("Steps of a case"),
    NoticeKind.MONEY.value: _l("Refunds and compensation"),
    NoticeKind.DEADLINE.value: _l("Deadlines about to run out or missed"),
    NoticeKind.NOTE.value: _l("Notes and evidence"),
}
CHANNEL_LABELS = {"inbox": _l("Site inbox"), "email": _l("Email"), "sms": _l("SMS")}
CONTACT_ERRORS = {
    "email": _l("email: enter an address like name@example.com."),
    "phone": _l("phone: enter digits only, 6 to 20, optionally starting with +."),
}


def _contact(username: str) -> dict[str, str]:
    with get_db().connect() as conn:
        row = conn.execute(
            "SELECT email, phone FROM notify_contacts WHERE username = ?", (username,)
        ).fetchone()
    return {"email": (row and row["email"]) or "", "phone": (row and row["phone"]) or ""}


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings() -> ResponseReturnValue:
    account = current_account()
    assert account is not None
    db = get_db()
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            set_contact(
                db,
                account.username,
                email=request.form.get("email", ""),
                phone=request.form.get("phone", ""),
            )
        except ContactError as error:
            errors[error.field] = str(CONTACT_ERRORS[error.field])
        for kind in KIND_LABELS:
            for channel in CHANNELS:
                if locked_choice(account.role, kind, channel):
                    continue
                on = request.form.get(f"{kind}:{channel}") == "on"
                set_preference(db, account.username, account.role, kind, channel, on)
        if not errors:
            flash(gettext("Notification settings saved."), "success")
            return redirect(url_for("inbox.settings"))
    prefs = load_preferences(db, account.username, account.role)
    rows = [
        {
            "kind": kind,
            "label": label,
            "cells": [
                {
                    "name": f"{kind}:{channel}",
                    "channel": CHANNEL_LABELS[channel],
                    "on": prefs.wants(kind, channel),
                    "locked": locked_choice(account.role, kind, channel),
                }
                for channel in CHANNELS
            ],
        }
        for kind, label in KIND_LABELS.items()
    ]
    contact = _contact(account.username)
    if request.method == "POST":
        contact = {k: request.form.get(k, "") for k in ("email", "phone")}
    status = 400 if errors else 200
    return (
        render_template(
            "inbox/settings.html",
            rows=rows,
            channels=[CHANNEL_LABELS[c] for c in CHANNELS],
            contact=contact,
            errors=errors,
        ),
        status,
    )
