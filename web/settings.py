"""Every setting the web app reads, read once in ``create_app`` from environment variables.

Nothing here runs at import time. ``load_settings(environ)`` returns the Flask config keys this app
uses; ``create_app(config)`` lays the caller's ``config`` over them (tests pass ``DATABASE_URL`` and
``SECRET_KEY`` directly). Bad values stop the start with a ``SettingsError`` naming the variable.

=================================  ======================================  =========================
Environment variable               Flask config key                        Default
=================================  ======================================  =========================
AFTERSALES_DATABASE_URL            DATABASE_URL                            projections.db default
AFTERSALES_DATA_DIR                DATA_DIR                                ./var
AFTERSALES_SECRET_KEY              SECRET_KEY                              generated once, kept in
                                                                           DATA_DIR/secret_key
AFTERSALES_DEFAULT_TIMEZONE        DEFAULT_TIMEZONE, BABEL_DEFAULT_TIMEZONE Asia/Shanghai
AFTERSALES_HTTPS (1/0)             SESSION_COOKIE_SECURE, HTTPS            0
AFTERSALES_MAX_CONTENT_LENGTH      MAX_CONTENT_LENGTH (bytes)              10485760 (10 MB)
AFTERSALES_EVIDENCE_MAX_BYTES      EVIDENCE_MAX_BYTES (one evidence file)  5242880 (5 MB)
AFTERSALES_SESSION_HOURS           SESSION_HOURS (log-in lifetime)         12
AFTERSALES_SHARDS (JSON)           SHARDS (stores split by merchant,       unset: one store
                                   web.shards, docs/scaling.md)
=================================  ======================================  =========================
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_DATA_DIR = "./var"
DEFAULT_TIMEZONE = "Asia/Shanghai"
DEFAULT_MAX_CONTENT_LENGTH = 10 * 1024 * 1024
DEFAULT_EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_SESSION_HOURS = 12
SECRET_KEY_FILE = "secret_key"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingsError(RuntimeError):
    """A setting has a value the app cannot start with; the message names the variable."""


def valid_timezone(name: str | None) -> str | None:
    """``name`` if it is a known IANA zone (``Asia/Shanghai``), else None. Never raises."""
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None
    return name


def _flag(environ: Mapping[str, str], name: str) -> bool:
    raw = environ.get(name, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise SettingsError(f"{name} must be 1 or 0 (got {raw!r})")


def _positive_int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number (got {raw!r})") from None
    if value <= 0:
        raise SettingsError(f"{name} must be greater than 0 (got {value})")
    return value


def secret_key_from_file(data_dir: Path) -> str:
    """The key kept in ``data_dir/secret_key``; generated (mode 0600) the first time.

    Several workers starting at once agree on one key: the file is created exclusively and a loser
    of the race reads the winner's key.
    """
    path = data_dir / SECRET_KEY_FILE
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            key = path.read_text(encoding="ascii").strip()
            if len(key) < 32:
                raise SettingsError(
                    f"{path} holds no usable secret key; delete it or set AFTERSALES_SECRET_KEY"
                ) from None
            return key
        key = secrets.token_urlsafe(48)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key + "\n")
        return key
    except OSError as error:
        raise SettingsError(
            f"cannot keep a secret key in {path} ({error.strerror}); "
            "set AFTERSALES_SECRET_KEY or AFTERSALES_DATA_DIR to a writable folder"
        ) from None


def _default_database_url(environ: Mapping[str, str]) -> str:
    from projections.db import database_url  # the read side owns the URL's default

    return database_url(environ)


def load_settings(
    environ: Mapping[str, str] | None = None,
    *,
    given: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Flask config from ``environ`` (default ``os.environ``).

    Keys already in ``given`` (the ``config`` handed to ``create_app``) are not computed, so a test
    that passes ``SECRET_KEY`` never writes a key file and one that passes ``DATABASE_URL`` never
    consults the environment for it.
    """
    env: Mapping[str, str] = os.environ if environ is None else environ
    given = given or {}

    def pick(key: str, compute: Callable[[], Any]) -> Any:
        return given[key] if key in given else compute()

    data_dir = Path(pick("DATA_DIR", lambda: env.get("AFTERSALES_DATA_DIR") or DEFAULT_DATA_DIR))

    def secret() -> str:
        key = env.get("AFTERSALES_SECRET_KEY", "")
        if key:
            if len(key) < 16:
                raise SettingsError("AFTERSALES_SECRET_KEY must be at least 16 characters")
            return key
        return secret_key_from_file(data_dir)

    def timezone() -> str:
        raw = env.get("AFTERSALES_DEFAULT_TIMEZONE") or DEFAULT_TIMEZONE
        if valid_timezone(raw) is None:
            raise SettingsError(f"AFTERSALES_DEFAULT_TIMEZONE is not a known time zone: {raw!r}")
        return raw

    def shards() -> dict[str, Any] | None:
        from web.shards import ShardsError, parse_shards

        raw = env.get("AFTERSALES_SHARDS", "").strip()
        try:
            parse_shards(raw)  # refused at start, naming what is wrong
        except ShardsError as error:
            raise SettingsError(str(error)) from None
        return json.loads(raw) if raw else None

    https = bool(pick("HTTPS", lambda: _flag(env, "AFTERSALES_HTTPS")))
    default_tz = pick("DEFAULT_TIMEZONE", timezone)
    return {
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": pick("DATABASE_URL", lambda: _default_database_url(env)),
        "SECRET_KEY": pick("SECRET_KEY", secret),
        "DEFAULT_TIMEZONE": default_tz,
        "BABEL_DEFAULT_TIMEZONE": default_tz,
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "HTTPS": https,
        "SESSION_COOKIE_SECURE": https,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "aftersales_session",
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "MAX_CONTENT_LENGTH": pick(
            "MAX_CONTENT_LENGTH",
            lambda: _positive_int(env, "AFTERSALES_MAX_CONTENT_LENGTH", DEFAULT_MAX_CONTENT_LENGTH),
        ),
        "EVIDENCE_MAX_BYTES": pick(
            "EVIDENCE_MAX_BYTES",
            lambda: _positive_int(env, "AFTERSALES_EVIDENCE_MAX_BYTES", DEFAULT_EVIDENCE_MAX_BYTES),
        ),
        "SHARDS": pick("SHARDS", shards),
        "SESSION_HOURS": pick(
            "SESSION_HOURS",
            lambda: _positive_int(env, "AFTERSALES_SESSION_HOURS", DEFAULT_SESSION_HOURS),
        ),
    }
