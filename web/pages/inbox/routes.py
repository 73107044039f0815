"""``/inbox``: the notices of the current person's party, newest first; mark one or all read."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from web import get_db
from web.common.auth import current_account, login_required
from web.common.timefmt import select_timezone
from web.notify.inbox import inbox, mark_all_read, mark_read, unread_count
from web.notify.render import notice_line
from web.pages.inbox.base import CASE_ENDPOINTS, bp

PAGE_SIZE = 50


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    account = current_account()
    assert account is not None
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        abort(400, gettext("page: not a page number."))
    db = get_db()
    items = inbox(db, account, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    zone = select_timezone()
    endpoint = CASE_ENDPOINTS.get(account.role)
    rows = [
        {
            "id": item.id,
            "read": item.read,
            "line": notice_line(item.row, zone),
            "case_no": item.row["case_no"],
            "at": item.row["at"],
            "case_url": url_for(endpoint, case_no=item.row["case_no"]) if endpoint else None,
        }
        for item in items[:PAGE_SIZE]
    ]
    return render_template(
        "inbox/index.html",
        rows=rows,
        unread=unread_count(db, account),
        page=page,
        more=len(items) > PAGE_SIZE,
    )


@bp.route("/<notice_id>/read", methods=["POST"])
@login_required
def read(notice_id: str) -> ResponseReturnValue:
    account = current_account()
    assert account is not None
    mark_read(get_db(), account, notice_id, datetime.now(UTC))
    target = request.form.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for("inbox.index"))


@bp.route("/read-all", methods=["POST"])
@login_required
def read_all() -> ResponseReturnValue:
    account = current_account()
    assert account is not None
    count = mark_all_read(get_db(), account, datetime.now(UTC))
    flash(gettext("%(count)s notice(s) marked read.", count=count), "success")
    return redirect(url_for("inbox.index"))
