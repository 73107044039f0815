"""A store's webhook endpoint and its deliveries, and people's contacts (issue 9)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from projections.db import Database, ts
from web.notify.channels import webhook_url_problem
from web.notify.signing import new_secret

__all__ = [
    "ContactError",
    "Webhook",
    "WebhookError",
    "get_webhook",
    "register_webhook",
    "remove_webhook",
    "set_contact",
    "webhook_deliveries",
]

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}$")
_PHONE = re.compile(r"^\+?[0-9]{6,20}$")


class WebhookError(ValueError):
    """``code``: ``not_https``, ``no_host``, ``too_long``, ``credentials`` (the web words it)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class ContactError(ValueError):
    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


@dataclass(frozen=True)
class Webhook:
    merchant_id: str
    url: str
    secret: str
    created_at: str


def register_webhook(
    db: Database, merchant_id: str, url: str, *, allow_loopback: bool, now: datetime
) -> Webhook:
    """Register (or replace) the store's endpoint with a new secret."""
    url = url.strip()
    problem = webhook_url_problem(url, allow_loopback=allow_loopback)
    if problem is not None:
        raise WebhookError(problem)
    hook = Webhook(merchant_id, url, new_secret(), ts(now))
    with db.transaction() as tx:
        tx.execute(
            "INSERT INTO notify_webhooks (merchant_id, url, secret, created_at) "
            "VALUES (?, ?, ?, ?) "
            "ON CONFLICT (merchant_id) DO UPDATE SET url = excluded.url, "
            "secret = excluded.secret, created_at = excluded.created_at",
            (hook.merchant_id, hook.url, hook.secret, hook.created_at),
        )
    return hook


def remove_webhook(db: Database, merchant_id: str) -> bool:
    with db.transaction() as tx:
        return (
            tx.execute("DELETE FROM notify_webhooks WHERE merchant_id = ?", (merchant_id,)).rowcount
            == 1
        )


def get_webhook(db: Database, merchant_id: str) -> Webhook | None:
    with db.connect() as conn:
        row = conn.execute(
            "SELECT * FROM notify_webhooks WHERE merchant_id = ?", (merchant_id,)
        ).fetchone()
    return None if row is None else Webhook(**{k: row[k] for k in Webhook.__dataclass_fields__})


def webhook_deliveries(db: Database, merchant_id: str, *, limit: int = 50) -> list[dict[str, Any]]:
    """The store's latest webhook deliveries, each with its attempts (newest first)."""
    with db.connect() as conn:
        rows = [
            dict(r)
            for r in conn.execute(
                "SELECT d.*, n.case_no, n.step, n.event_name FROM notify_deliveries d "
                "JOIN notices n ON n.id = d.notice_id WHERE d.channel = 'webhook' "
                "AND d.recipient = ? ORDER BY d.created_at DESC, d.id LIMIT ?",
                (merchant_id, limit),
            ).fetchall()
        ]
        for row in rows:
            row["attempt_rows"] = [
                dict(a)
                for a in conn.execute(
                    "SELECT * FROM notify_attempts WHERE delivery_id = ? ORDER BY attempt",
                    (row["id"],),
                ).fetchall()
            ]
    return rows


def set_contact(db: Database, username: str, *, email: str | None, phone: str | None) -> None:
    """Where a person is reached by email / SMS ("" clears it)."""
    email = (email or "").strip() or None
    phone = (phone or "").strip().replace(" ", "") or None
    if email is not None and not _EMAIL.match(email):
        raise ContactError("email")
    if phone is not None and not _PHONE.match(phone):
        raise ContactError("phone")
    with db.transaction() as tx:
        tx.execute(
            "INSERT INTO notify_contacts (username, email, phone) VALUES (?, ?, ?) "
            "ON CONFLICT (username) DO UPDATE SET email = excluded.email, phone = excluded.phone",
            (username, email, phone),
        )
