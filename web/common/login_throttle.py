"""Password guessing stopped at the door (issue 10): failed log-ins are counted per user name and
address, per address and per user name, and an attempt is counted *before* its password is
checked, in one serialised transaction, so parallel requests cannot slip past the count.

Limits within a sliding window of ``LOGIN_LOCK`` (15 minutes):

- ``LOGIN_MAX_FAILURES`` (5) failures of one user name from one address lock that user name for
  that address (429, even with the right password) until the oldest of them is ``LOGIN_LOCK`` old;
- ``LOGIN_MAX_FAILURES_PER_ADDRESS`` (20) failures from one address, whatever the user names, lock
  that address (one address cannot try many accounts);
- ``LOGIN_MAX_FAILURES_PER_USER`` (50) failures of one user name from all addresses together lock
  it (many addresses cannot guess one password); a stranger from one address can lock a known
  user out only for that address, not for everyone.

A successful log-in clears the user name's failures (from every address).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from projections.db import Database, DbConnection, parse_ts, ts

LOGIN_MAX_FAILURES = 5
LOGIN_MAX_FAILURES_PER_ADDRESS = 20
LOGIN_MAX_FAILURES_PER_USER = 50
LOGIN_LOCK = timedelta(minutes=15)

# One short transaction per attempt; on PostgreSQL the count and the insert must not interleave
# with another attempt's (READ COMMITTED would let both count 4 and both insert).
_PG_LOCK = "SELECT pg_advisory_xact_lock(hashtext('aftersales.login-throttle'))"


@dataclass(frozen=True)
class LoginRefused:
    until: datetime
    """When the next attempt will be counted again (the oldest counted failure's end)."""
    scope: Literal["user", "address"]
    """What is locked: this user name (from this address, or from everywhere), or the address."""


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _limit_reached(
    tx: DbConnection, where: str, params: tuple[str, ...], limit: int, since: datetime
) -> datetime | None:
    rows = tx.execute(
        f"SELECT at FROM login_failures WHERE {where} AND at > ? ORDER BY at DESC",
        (*params, ts(since)),
    ).fetchall()
    if len(rows) < limit:
        return None
    return parse_ts(str(rows[limit - 1]["at"])) + LOGIN_LOCK


def claim_login_attempt(
    db: Database, username: str, remote: str = "", *, now: datetime | None = None
) -> LoginRefused | None:
    """Count this attempt as a failure before its password is checked, unless a limit is reached
    (then nothing is counted and the refusal says until when). A success then clears it."""
    moment = _now(now)
    since = moment - LOGIN_LOCK
    user, address = username[:64], remote[:64]
    checks: tuple[tuple[str, tuple[str, ...], int, Literal["user", "address"]], ...] = (
        ("username = ? AND remote = ?", (user, address), LOGIN_MAX_FAILURES, "user"),
        ("username = ?", (user,), LOGIN_MAX_FAILURES_PER_USER, "user"),
        ("remote = ?", (address,), LOGIN_MAX_FAILURES_PER_ADDRESS, "address"),
    )
    with db.transaction() as tx:
        if tx.dialect == "postgresql":
            tx.execute(_PG_LOCK).fetchone()
        tx.execute("DELETE FROM login_failures WHERE at < ?", (ts(since),))
        for where, params, limit, scope in checks:
            if scope == "address" and not address:
                continue
            until = _limit_reached(tx, where, params, limit, since)
            if until is not None:
                return LoginRefused(until, scope)
        tx.execute(
            "INSERT INTO login_failures (username, remote, at) VALUES (?, ?, ?)",
            (user, address, ts(moment)),
        )
    return None


def record_login_failure(
    db: Database, username: str, remote: str = "", *, now: datetime | None = None
) -> None:
    """Count one failure (for callers that check the password first; the site claims first)."""
    moment = _now(now)
    with db.transaction() as tx:
        tx.execute("DELETE FROM login_failures WHERE at < ?", (ts(moment - LOGIN_LOCK),))
        tx.execute(
            "INSERT INTO login_failures (username, remote, at) VALUES (?, ?, ?)",
            (username[:64], remote[:64], ts(moment)),
        )


def login_locked_until(
    db: Database, username: str, remote: str = "", *, now: datetime | None = None
) -> datetime | None:
    """When ``username`` may try again from ``remote``, if failures lock it now; else None."""
    moment = _now(now)
    since = moment - LOGIN_LOCK
    with db.transaction() as tx:
        pair = _limit_reached(
            tx,
            "username = ? AND remote = ?",
            (username[:64], remote[:64]),
            LOGIN_MAX_FAILURES,
            since,
        )
        return pair or _limit_reached(
            tx, "username = ?", (username[:64],), LOGIN_MAX_FAILURES_PER_USER, since
        )


def clear_login_failures(db: Database, username: str) -> None:
    with db.transaction() as tx:
        tx.execute("DELETE FROM login_failures WHERE username = ?", (username[:64],))
