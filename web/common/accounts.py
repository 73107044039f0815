"""Who may log in: accounts, API tokens and log-in sessions, kept in SQL (migrations/0010).

Plain functions over a ``projections.db.Database``; no Flask here, so the CLI, the tests and other
engineers' fixtures call them directly:

    create_account(db, "li.lei", "s3cret-pass", "consumer", "李雷", "C1001")
    token = issue_token(db, "li.lei")          # shown once; only its sha256 is stored

Passwords are hashed with ``werkzeug.security`` (scrypt). API tokens and session nonces are random
(``secrets``) and stored as sha256 hex digests, so a copy of the tables gives no working secret.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from werkzeug.security import check_password_hash, generate_password_hash

from domain.values import Actor, Role
from projections.db import INTEGRITY_ERRORS, Database, parse_ts, ts
from web.common.login_throttle import (  # noqa: F401 - the failed log-ins, kept in accounts.*
    LOGIN_LOCK,
    LOGIN_MAX_FAILURES,
    LOGIN_MAX_FAILURES_PER_ADDRESS,
    LOGIN_MAX_FAILURES_PER_USER,
    LoginRefused,
    claim_login_attempt,
    clear_login_failures,
    login_locked_until,
    record_login_failure,
    record_login_success,
)
from web.settings import valid_timezone

#: Roles a person can log in with (``Role.SYSTEM`` is for timers, never a log-in).
ACCOUNT_ROLES: tuple[str, ...] = tuple(r.value for r in Role if r is not Role.SYSTEM)
LOCALES: tuple[str, ...] = ("zh_CN", "en")
MIN_PASSWORD_LENGTH = 8
TOKEN_PREFIX = "as_"
#: werkzeug hash method for new passwords; tests swap in a fast one (tests/web/conftest.py).
PASSWORD_HASH_METHOD = "scrypt"

_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{2,63}$")
_PARTY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}$")


class AccountError(ValueError):
    """A refused account operation; ``field`` names the offending input for the CLI and forms."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    display_name: str
    party_id: str
    merchant_id: str | None
    locale: str | None
    timezone: str | None
    created_at: str

    @property
    def actor(self) -> Actor:
        """The actor this person is in domain events: ``party_id`` is the consumer or staff id;
        merchant staff also carry their store."""
        return Actor(Role(self.role), self.party_id, self.merchant_id or "")

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Account:
        return cls(
            username=row["username"],
            role=row["role"],
            display_name=row["display_name"],
            party_id=row["party_id"],
            merchant_id=row["merchant_id"],
            locale=row["locale"],
            timezone=row["timezone"],
            created_at=row["created_at"],
        )


_ACCOUNT_COLUMNS = (
    "a.username, a.role, a.display_name, a.party_id, a.merchant_id, a.locale, a.timezone, "
    "a.created_at"
)


def utc_now() -> datetime:
    return datetime.now(UTC)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _role(role: str | Role) -> str:
    value = role.value if isinstance(role, Role) else str(role)
    if value not in ACCOUNT_ROLES:
        raise AccountError(
            f"unknown role {value!r}; choose one of {', '.join(ACCOUNT_ROLES)}", field="role"
        )
    return value


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"the password must have at least {MIN_PASSWORD_LENGTH} characters", field="password"
        )


def create_account(
    db: Database,
    username: str,
    password: str,
    role: str | Role,
    display_name: str,
    party_id: str,
    merchant_id: str | None = None,
    *,
    locale: str | None = None,
    timezone: str | None = None,
    now: datetime | None = None,
) -> Account:
    """Add a person who can log in. Merchant staff must name their store (``merchant_id``);
    nobody else may. Raises ``AccountError`` on bad input or a taken username/party id."""
    role_value = _role(role)
    if not _USERNAME.match(username or ""):
        raise AccountError(
            "a username has 3 to 64 characters: letters, digits and _ . @ - "
            "(starting with a letter or digit)",
            field="username",
        )
    _check_password(password)
    if not _PARTY_ID.match(party_id or ""):
        raise AccountError(
            "the party id has 1 to 64 characters: letters, digits and _ . : @ -", field="party_id"
        )
    if role_value == Role.MERCHANT.value:
        if not merchant_id or not _PARTY_ID.match(merchant_id):
            raise AccountError(
                "merchant staff must be bound to one store: give --merchant-id", field="merchant_id"
            )
    elif merchant_id:
        raise AccountError("only merchant staff have a merchant id", field="merchant_id")
    display_name = (display_name or "").strip() or username
    if len(display_name) > 100:
        raise AccountError("the display name is longer than 100 characters", field="display_name")
    if locale is not None and locale not in LOCALES:
        raise AccountError(f"unknown locale {locale!r}", field="locale")
    if timezone is not None and valid_timezone(timezone) is None:
        raise AccountError(f"unknown time zone {timezone!r}", field="timezone")
    created_at = ts(now or utc_now())
    password_hash = generate_password_hash(password, method=PASSWORD_HASH_METHOD)
    try:
        with db.transaction() as tx:
            taken = tx.execute(
                "SELECT username, role, party_id FROM accounts WHERE username = ? "
                "OR (role = ? AND party_id = ?)",
                (username, role_value, party_id),
            ).fetchone()
            if taken is not None:
                if taken["username"] == username:
                    raise AccountError(f"the username {username!r} is taken", field="username")
                raise AccountError(
                    f"{role_value} {party_id!r} already has an account ({taken['username']})",
                    field="party_id",
                )
            tx.execute(
                "INSERT INTO accounts (username, password_hash, role, display_name, party_id, "
                "merchant_id, locale, timezone, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    username,
                    password_hash,
                    role_value,
                    display_name,
                    party_id,
                    merchant_id,
                    locale,
                    timezone,
                    created_at,
                ),
            )
    except INTEGRITY_ERRORS:  # a concurrent create won the race
        raise AccountError(f"the username {username!r} is taken", field="username") from None
    return Account(
        username, role_value, display_name, party_id, merchant_id, locale, timezone, created_at
    )


def get_account(db: Database, username: str) -> Account | None:
    with db.connect() as conn:
        row = conn.execute(
            f"SELECT {_ACCOUNT_COLUMNS} FROM accounts a WHERE a.username = ?", (username,)
        ).fetchone()
    return None if row is None else Account.from_row(row)


def list_accounts(db: Database) -> list[Account]:
    with db.connect() as conn:
        rows = conn.execute(
            f"SELECT {_ACCOUNT_COLUMNS} FROM accounts a ORDER BY a.role, a.username"
        ).fetchall()
    return [Account.from_row(row) for row in rows]


_DUMMY_HASH: list[str] = []


def authenticate(db: Database, username: str, password: str) -> Account | None:
    """The account if ``password`` is right, else None (same work for unknown usernames)."""
    with db.connect() as conn:
        row = conn.execute(
            f"SELECT {_ACCOUNT_COLUMNS}, a.password_hash FROM accounts a WHERE a.username = ?",
            (username,),
        ).fetchone()
    if row is None:
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(
                generate_password_hash(secrets.token_hex(16), method=PASSWORD_HASH_METHOD)
            )
        check_password_hash(_DUMMY_HASH[0], password)
        return None
    if not check_password_hash(row["password_hash"], password):
        return None
    return Account.from_row(row)


def set_password(db: Database, username: str, password: str) -> None:
    """Change a password and end every log-in session of the account."""
    _check_password(password)
    with db.transaction() as tx:
        cursor_row = tx.execute(
            "SELECT username FROM accounts WHERE username = ?", (username,)
        ).fetchone()
        if cursor_row is None:
            raise AccountError(f"no account {username!r}", field="username")
        tx.execute(
            "UPDATE accounts SET password_hash = ? WHERE username = ?",
            (generate_password_hash(password, method=PASSWORD_HASH_METHOD), username),
        )
        tx.execute("DELETE FROM web_sessions WHERE username = ?", (username,))


def set_preferences(
    db: Database, username: str, *, locale: str | None = None, timezone: str | None = None
) -> None:
    """Store the account's language and/or time zone (None leaves a value as it is)."""
    if locale is not None and locale not in LOCALES:
        raise AccountError(f"unknown locale {locale!r}", field="locale")
    if timezone is not None and valid_timezone(timezone) is None:
        raise AccountError(f"unknown time zone {timezone!r}", field="timezone")
    with db.transaction() as tx:
        if locale is not None:
            tx.execute("UPDATE accounts SET locale = ? WHERE username = ?", (locale, username))
        if timezone is not None:
            tx.execute("UPDATE accounts SET timezone = ? WHERE username = ?", (timezone, username))


# --- API tokens -----------------------------------------------------------------------------


def issue_token(db: Database, username: str, *, now: datetime | None = None) -> str:
    """A new API token for ``username``. The caller shows it once; only its hash is kept."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with db.transaction() as tx:
        if tx.execute("SELECT 1 FROM accounts WHERE username = ?", (username,)).fetchone() is None:
            raise AccountError(f"no account {username!r}", field="username")
        tx.execute(
            "INSERT INTO api_tokens (token_hash, username, created_at, last_used_at) "
            "VALUES (?, ?, ?, NULL)",
            (_digest(token), username, ts(now or utc_now())),
        )
    return token


def account_for_token(db: Database, token: str, *, now: datetime | None = None) -> Account | None:
    """The account a bearer token belongs to (recording its use), or None if unknown/revoked."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    digest = _digest(token)
    with db.transaction() as tx:
        row = tx.execute(
            f"SELECT {_ACCOUNT_COLUMNS} FROM api_tokens t "
            "JOIN accounts a ON a.username = t.username WHERE t.token_hash = ?",
            (digest,),
        ).fetchone()
        if row is None:
            return None
        tx.execute(
            "UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ?",
            (ts(now or utc_now()), digest),
        )
    return Account.from_row(row)


def revoke_token(db: Database, token: str) -> bool:
    """Forget one token; True if it existed."""
    with db.transaction() as tx:
        found = tx.execute(
            "SELECT 1 FROM api_tokens WHERE token_hash = ?", (_digest(token),)
        ).fetchone()
        tx.execute("DELETE FROM api_tokens WHERE token_hash = ?", (_digest(token),))
    return found is not None


def revoke_tokens(db: Database, username: str) -> int:
    """Forget every token of ``username``; returns how many there were."""
    with db.transaction() as tx:
        row = tx.execute(
            "SELECT COUNT(*) AS n FROM api_tokens WHERE username = ?", (username,)
        ).fetchone()
        tx.execute("DELETE FROM api_tokens WHERE username = ?", (username,))
    return int(row["n"])


# --- log-in sessions ------------------------------------------------------------------------


def open_session(db: Database, username: str, *, hours: int, now: datetime | None = None) -> str:
    """A fresh random session nonce for a log-in; the cookie carries it, the table its hash."""
    moment = now or utc_now()
    nonce = secrets.token_urlsafe(32)
    with db.transaction() as tx:
        tx.execute(
            "DELETE FROM web_sessions WHERE username = ? AND expires_at < ?",
            (username, ts(moment)),
        )
        tx.execute(
            "INSERT INTO web_sessions (session_hash, username, created_at, expires_at) "
            "VALUES (?, ?, ?, ?)",
            (_digest(nonce), username, ts(moment), ts(moment + timedelta(hours=hours))),
        )
    return nonce


def account_for_session(db: Database, nonce: str, *, now: datetime | None = None) -> Account | None:
    """The logged-in account for a session nonce, or None if logged out, expired or unknown."""
    with db.connect() as conn:
        row = conn.execute(
            f"SELECT {_ACCOUNT_COLUMNS}, s.expires_at FROM web_sessions s "
            "JOIN accounts a ON a.username = s.username WHERE s.session_hash = ?",
            (_digest(nonce),),
        ).fetchone()
    if row is None:
        return None
    if parse_ts(row["expires_at"]) <= (now or utc_now()):
        return None
    return Account.from_row(row)


def close_session(db: Database, nonce: str) -> None:
    """Log out: the nonce (and any copy of the old cookie) stops working."""
    with db.transaction() as tx:
        tx.execute("DELETE FROM web_sessions WHERE session_hash = ?", (_digest(nonce),))


def close_sessions(db: Database, username: str) -> int:
    """Log ``username`` out everywhere; returns how many sessions ended."""
    with db.transaction() as tx:
        row = tx.execute(
            "SELECT COUNT(*) AS n FROM web_sessions WHERE username = ?", (username,)
        ).fetchone()
        tx.execute("DELETE FROM web_sessions WHERE username = ?", (username,))
    return int(row["n"])
