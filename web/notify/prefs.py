"""Who wants what where (issue 9): each person's channels per kind of notice.

Defaults (no row): the site inbox on for every kind; email on for every kind (when the person
has an address and the site has SMTP); SMS only for deadline notices (when the person has a
phone number). P1: a notice marked ``locked`` (a deadline that costs the consumer a right:
``domain.process.audience.RIGHTS_CLOCKS``) reaches the consumer's inbox and email whatever the
preferences say, and a consumer cannot turn deadline notices off in the inbox or by email.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.process.audience import NoticeKind
from projections.db import Database, DbConnection

__all__ = [
    "CHANNELS",
    "PreferenceError",
    "Preferences",
    "load_preferences",
    "locked_choice",
    "set_preference",
]

CHANNELS = ("inbox", "email", "sms")


class PreferenceError(ValueError):
    """A choice that cannot be made; ``code`` names why (the web words it)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _default(kind: str, channel: str) -> bool:
    if channel == "sms":
        return kind == NoticeKind.DEADLINE.value
    return True


def locked_choice(role: str, kind: str, channel: str) -> bool:
    """P1: the consumer's deadline notices stay on in the inbox and by email."""
    return role == "consumer" and kind == NoticeKind.DEADLINE.value and channel != "sms"


@dataclass(frozen=True)
class Preferences:
    role: str
    chosen: dict[tuple[str, str], bool]

    def wants(self, kind: str, channel: str, *, locked: bool = False) -> bool:
        if locked and channel != "sms":
            return True
        if locked_choice(self.role, kind, channel):
            return True
        return self.chosen.get((kind, channel), _default(kind, channel))


def load_preferences(conn: DbConnection | Database, username: str, role: str) -> Preferences:
    sql = "SELECT notice_kind, channel, enabled FROM notify_preferences WHERE username = ?"
    if isinstance(conn, Database):
        with conn.connect() as c:
            rows = c.execute(sql, (username,)).fetchall()
    else:
        rows = conn.execute(sql, (username,)).fetchall()
    return Preferences(role, {(r["notice_kind"], r["channel"]): bool(r["enabled"]) for r in rows})


def set_preference(
    db: Database, username: str, role: str, kind: str, channel: str, enabled: bool
) -> None:
    if kind not in {k.value for k in NoticeKind}:
        raise PreferenceError("unknown_kind")
    if channel not in CHANNELS:
        raise PreferenceError("unknown_channel")
    if not enabled and locked_choice(role, kind, channel):
        raise PreferenceError("locked")
    with db.transaction() as tx:
        tx.execute(
            "INSERT INTO notify_preferences (username, notice_kind, channel, enabled) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (username, notice_kind, channel) "
            "DO UPDATE SET enabled = excluded.enabled",
            (username, kind, channel, int(enabled)),
        )
