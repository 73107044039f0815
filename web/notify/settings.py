"""The notification settings (issue 9), read from environment variables; a Flask config key of
the same name without the ``AFTERSALES_`` prefix overrides each (tests pass them directly).

==================================  ==========================================  ===============
Environment variable                Meaning                                     Default
==================================  ==========================================  ===============
AFTERSALES_SMTP_URL                 ``smtp://[user:pass@]host:port`` (plain),   unset: no email
                                    ``smtp+starttls://...``, ``smtps://...``
AFTERSALES_SMTP_SENDER              the From address                            aftersales@localhost
AFTERSALES_SMS_PROVIDER             ``module:Class`` of an SMS provider         the log provider
AFTERSALES_SMS_SENDER               the sender name / number given to it        AfterSales
AFTERSALES_SMS_LOG                  the log provider's file                     DATA_DIR/sms.log
AFTERSALES_WEBHOOK_ALLOW_LOOPBACK   1: ``http://127.0.0.1`` endpoints allowed   0
AFTERSALES_NOTIFY_RETRY_SECONDS     first retry delay (doubles each time)       30
AFTERSALES_NOTIFY_GIVE_UP_HOURS     retried this long, then parked as failed    24
==================================  ==========================================  ===============
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from web.settings import SettingsError

__all__ = ["NotifySettings", "notify_settings"]


@dataclass(frozen=True)
class NotifySettings:
    smtp_url: str
    smtp_sender: str
    sms_provider: str
    sms_sender: str
    sms_log: Path
    webhook_allow_loopback: bool
    retry_seconds: float
    give_up_hours: float


def _get(config: Mapping[str, Any], environ: Mapping[str, str], name: str, default: str) -> str:
    key = name.removeprefix("AFTERSALES_")
    if key in config and config[key] is not None:
        return str(config[key])
    return environ.get(name, "").strip() or default


def _number(
    config: Mapping[str, Any], environ: Mapping[str, str], name: str, default: str
) -> float:
    raw = _get(config, environ, name, default)
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r}: not a number") from None
    if value < 0:
        raise SettingsError(f"{name}={raw!r}: must not be negative")
    return value


def notify_settings(
    config: Mapping[str, Any] | None = None, environ: Mapping[str, str] = os.environ
) -> NotifySettings:
    config = config or {}
    data_dir = Path(str(config.get("DATA_DIR") or environ.get("AFTERSALES_DATA_DIR") or "./var"))
    loopback = _get(config, environ, "AFTERSALES_WEBHOOK_ALLOW_LOOPBACK", "0").lower()
    return NotifySettings(
        smtp_url=_get(config, environ, "AFTERSALES_SMTP_URL", ""),
        smtp_sender=_get(config, environ, "AFTERSALES_SMTP_SENDER", "aftersales@localhost"),
        sms_provider=_get(config, environ, "AFTERSALES_SMS_PROVIDER", ""),
        sms_sender=_get(config, environ, "AFTERSALES_SMS_SENDER", "AfterSales"),
        sms_log=Path(_get(config, environ, "AFTERSALES_SMS_LOG", str(data_dir / "sms.log"))),
        webhook_allow_loopback=loopback in ("1", "true", "yes", "on"),
        retry_seconds=_number(config, environ, "AFTERSALES_NOTIFY_RETRY_SECONDS", "30"),
        give_up_hours=_number(config, environ, "AFTERSALES_NOTIFY_GIVE_UP_HOURS", "24"),
    )
