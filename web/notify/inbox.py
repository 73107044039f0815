"""The site inbox (issue 9): the notices of a person's party (``consumer:<id>``,
``merchant:<store>``, or the platform's staff pool of their role), less their own steps and the
kinds they turned off for the inbox (never a locked one, P1). A store's staff share its inbox,
read marks included. Exactly once per notice: the inbox reads the notices table, whose key is the
notice's deterministic id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from projections.db import Database, ts
from web.notify.prefs import load_preferences

__all__ = ["InboxItem", "inbox", "mark_all_read", "mark_read", "party_of_account", "unread_count"]


def party_of_account(account: Any) -> str:
    if account.role == "consumer":
        return f"consumer:{account.party_id}"
    if account.role == "merchant":
        return f"merchant:{account.merchant_id}"
    return str(account.role)


@dataclass(frozen=True)
class InboxItem:
    row: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.row["id"])

    @property
    def read(self) -> bool:
        return self.row["read_at"] is not None


def _filter(db: Database, account: Any) -> tuple[str, list[Any]]:
    prefs = load_preferences(db, account.username, account.role)
    off = sorted(k for (k, ch), on in prefs.chosen.items() if ch == "inbox" and not on)
    sql = "party = ? AND self_action = 0"
    args: list[Any] = [party_of_account(account)]
    if off:
        sql += f" AND (locked = 1 OR notice_kind NOT IN ({', '.join('?' for _ in off)}))"
        args += off
    return sql, args


def unread_count(db: Database, account: Any) -> int:
    where, args = _filter(db, account)
    with db.connect() as conn:
        row = conn.execute(
            f"SELECT COUNT(*) AS n FROM notices WHERE {where} AND read_at IS NULL", args
        ).fetchone()
    return int(row["n"])


def inbox(db: Database, account: Any, *, limit: int = 100, offset: int = 0) -> list[InboxItem]:
    where, args = _filter(db, account)
    with db.connect() as conn:
        rows = conn.execute(
            f"SELECT * FROM notices WHERE {where} ORDER BY at DESC, id LIMIT ? OFFSET ?",
            [*args, limit, offset],
        ).fetchall()
    return [InboxItem(dict(r)) for r in rows]


def mark_read(db: Database, account: Any, notice_id: str, now: datetime) -> bool:
    with db.transaction() as tx:
        return (
            tx.execute(
                "UPDATE notices SET read_at = ? WHERE id = ? AND party = ? AND read_at IS NULL",
                (ts(now), notice_id, party_of_account(account)),
            ).rowcount
            == 1
        )


def mark_all_read(db: Database, account: Any, now: datetime) -> int:
    with db.transaction() as tx:
        return int(
            tx.execute(
                "UPDATE notices SET read_at = ? WHERE party = ? AND read_at IS NULL",
                (ts(now), party_of_account(account)),
            ).rowcount
        )
