"""The inbox blueprint and the header's unread count."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask

from web import get_db
from web.common.auth import current_account

bp = Blueprint("inbox", __name__, url_prefix="/inbox")

#: The case page of each audience (the inbox links a notice to its case).
CASE_ENDPOINTS = {
    "consumer": "consumer.case",
    "merchant": "merchant.case",
    "platform_agent": "agent.case",
    "arbitrator": "arbitrator.case",
    "finance": "finance.case",
}


def inbox_unread() -> int | None:
    """The current person's unread notices (None when nobody is logged in)."""
    from web.notify.inbox import unread_count

    account = current_account()
    if account is None:
        return None
    return unread_count(get_db(), account)


def _context() -> dict[str, Any]:
    return {"inbox_unread": inbox_unread}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.context_processor(_context)
