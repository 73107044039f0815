"""Password guessing stopped at the door (issue 10), without letting anyone lock a known user out.

An attempt is counted as a failure *before* its password is checked, in one serialised
transaction (an advisory lock on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), so parallel requests
cannot slip past a count; a success then takes its own failure back. Limits, within a sliding
window of ``LOGIN_LOCK`` (15 minutes):

- ``LOGIN_MAX_FAILURES`` (5) failures of one user name from one address lock that user name for
  that address (429, even with the right password) until the oldest of them is ``LOGIN_LOCK`` old;
- ``LOGIN_MAX_FAILURES_PER_ADDRESS`` (20) failures from one address, whatever the user names, lock
  that address (one address cannot try many accounts);
- ``LOGIN_MAX_FAILURES_PER_USER`` (20) failures of one user name from addresses she has *not*
  logged in from (within ``LOGIN_KNOWN_FOR``, 90 days) lock that user name for every such address.
  Her known addresses are not under this ceiling: a spray of wrong passwords from many addresses
  cannot lock her out where she usually logs in, and cannot make more than 20 guesses of her
  password per window (plus 5 per known address, which an attacker would have to sit on).

This is the "device"/known-client scheme of OWASP's account lock-out advice with the address as
the client. What it costs: during such a spray the user cannot log in from a *new* address until
the window passes (the page says until when). A success clears that user name's failures from
that address only, so the real user logging in does not reset an attacker's count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from projections.db import Database, DbConnection, parse_ts, ts

LOGIN_MAX_FAILURES = 5
LOGIN_MAX_FAILURES_PER_ADDRESS = 20
LOGIN_MAX_FAILURES_PER_USER = 20
LOGIN_LOCK = timedelta(minutes=15)
LOGIN_KNOWN_FOR = timedelta(days=90)

# One short transaction per attempt; on PostgreSQL the count and the insert must not interleave
# with another attempt's (READ COMMITTED would let both count 4 and both insert).
_PG_LOCK = "SELECT pg_advisory_xact_lock(hashtext('aftersales.login-throttle'))"

Scope = Literal["user", "address", "new_address"]


@dataclass(frozen=True)
class LoginRefused:
    until: datetime
    """When the next attempt will be counted again (the oldest counted failure's end)."""
    scope: Scope
    """What is locked: this user name from this address (``user``), the address (``address``),
    or this user name from every address she has not logged in from (``new_address``)."""


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


_FROM_NEW_ADDRESSES = (
    "username = ? AND remote NOT IN "
    "(SELECT remote FROM login_known_addresses WHERE username = ? AND last_success > ?)"
)


def _is_known(tx: DbConnection, user: str, address: str, moment: datetime) -> bool:
    row = tx.execute(
        "SELECT 1 AS yes FROM login_known_addresses "
        "WHERE username = ? AND remote = ? AND last_success > ?",
        (user, address, ts(moment - LOGIN_KNOWN_FOR)),
    ).fetchone()
    return row is not None


def _refusal(tx: DbConnection, user: str, address: str, moment: datetime) -> LoginRefused | None:
    since = moment - LOGIN_LOCK
    until = _limit_reached(
        tx, "username = ? AND remote = ?", (user, address), LOGIN_MAX_FAILURES, since
    )
    if until is not None:
        return LoginRefused(until, "user")
    if not _is_known(tx, user, address, moment):
        known_since = ts(moment - LOGIN_KNOWN_FOR)
        until = _limit_reached(
            tx, _FROM_NEW_ADDRESSES, (user, user, known_since), LOGIN_MAX_FAILURES_PER_USER, since
        )
        if until is not None:
            return LoginRefused(until, "new_address")
    if address:
        until = _limit_reached(tx, "remote = ?", (address,), LOGIN_MAX_FAILURES_PER_ADDRESS, since)
        if until is not None:
            return LoginRefused(until, "address")
    return None


def claim_login_attempt(
    db: Database, username: str, remote: str = "", *, now: datetime | None = None
) -> LoginRefused | None:
    """Count this attempt as a failure before its password is checked, unless a limit is reached
    (then nothing is counted and the refusal says until when). A success then takes it back
    (:func:`record_login_success`)."""
    moment = _now(now)
    user, address = username[:64], remote[:64]
    with db.transaction() as tx:
        if tx.dialect == "postgresql":
            tx.execute(_PG_LOCK).fetchone()
        tx.execute("DELETE FROM login_failures WHERE at < ?", (ts(moment - LOGIN_LOCK),))
        refused = _refusal(tx, user, address, moment)
        if refused is not None:
            return refused
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
    with db.transaction() as tx:
        refused = _refusal(tx, username[:64], remote[:64], moment)
    return None if refused is None else refused.until


def record_login_success(
    db: Database, username: str, remote: str = "", *, now: datetime | None = None
) -> None:
    """A right password from ``remote``: its failures there are forgiven and the address is
    known for ``username`` from now on (out of the reach of the new-address ceiling)."""
    moment = _now(now)
    user, address = username[:64], remote[:64]
    with db.transaction() as tx:
        tx.execute("DELETE FROM login_failures WHERE username = ? AND remote = ?", (user, address))
        tx.execute(
            "INSERT INTO login_known_addresses (username, remote, last_success) VALUES (?, ?, ?) "
            "ON CONFLICT (username, remote) DO UPDATE SET last_success = excluded.last_success",
            (user, address, ts(moment)),
        )


def clear_login_failures(db: Database, username: str) -> None:
    """Every failure of ``username`` from every address (an administrator's reset)."""
    with db.transaction() as tx:
        tx.execute("DELETE FROM login_failures WHERE username = ?", (username[:64],))
