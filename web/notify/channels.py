"""The channels outside the site (issue 9): email over SMTP, SMS through a provider, webhooks
over HTTPS. Each send carries the delivery's id as the idempotency key (email ``Message-ID``,
webhook ``Aftersales-Delivery`` header and body ``id``, the SMS provider's ``key``), so a
duplicate after a crash is recognisable by the receiver. A send raises on failure; the worker
records it and retries."""

from __future__ import annotations

import importlib
import ipaddress
import json
import logging
import smtplib
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from web.notify.signing import DELIVERY_HEADER, SIGNATURE_HEADER, sign

__all__ = [
    "DeliveryError",
    "EmailChannel",
    "LogSmsProvider",
    "SmsProvider",
    "load_sms_provider",
    "post_webhook",
    "webhook_url_problem",
]

logger = logging.getLogger(__name__)
MESSAGE_ID_DOMAIN = "aftersales.notify"
WEBHOOK_TIMEOUT_SECONDS = 10.0


class DeliveryError(Exception):
    """A send that failed; ``status_code`` for an HTTP answer that was not 2xx."""

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


# -- email -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmailChannel:
    """SMTP from ``AFTERSALES_SMTP_URL``: ``smtp://`` plain, ``smtp+starttls://``, ``smtps://``;
    ``user:password@`` in the URL logs in."""

    url: str
    sender: str

    def send(
        self, *, delivery_id: str, to: str, subject: str, text: str, html: str, lang: str
    ) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message["Message-ID"] = f"<{delivery_id}@{MESSAGE_ID_DOMAIN}>"
        message["X-Aftersales-Delivery"] = delivery_id
        message["Date"] = format_datetime(datetime.now(UTC))
        message["Content-Language"] = lang.replace("_", "-")
        message.set_content(text)
        message.add_alternative(html, subtype="html")
        parts = urlsplit(self.url)
        host, port = parts.hostname or "localhost", parts.port
        try:
            if parts.scheme == "smtps":
                client: smtplib.SMTP = smtplib.SMTP_SSL(host, port or 465, timeout=30)
            else:
                client = smtplib.SMTP(host, port or 25, timeout=30)
            with client:
                if parts.scheme == "smtp+starttls":
                    client.starttls(context=ssl.create_default_context())
                if parts.username:
                    client.login(unquote(parts.username), unquote(parts.password or ""))
                client.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(f"SMTP: {error}") from error


# -- SMS -------------------------------------------------------------------------------------


class SmsProvider(Protocol):
    """The plug-in point for an SMS gateway: ``send`` delivers ``text`` to ``to`` or raises.
    ``key`` is the delivery id, to pass on as the gateway's idempotency key where it has one.
    Name the class in ``AFTERSALES_SMS_PROVIDER=package.module:Class``; it is built with
    ``Class(sender=..., log_path=...)``."""

    def send(self, *, to: str, text: str, key: str) -> None: ...


class LogSmsProvider:
    """Writes each message as one line to a file instead of sending it (no network here)."""

    def __init__(self, *, sender: str, log_path: Path) -> None:
        self.sender = sender
        self.log_path = log_path

    def send(self, *, to: str, text: str, key: str) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"key": key, "from": self.sender, "to": to, "text": text}, ensure_ascii=False
        )
        with self.log_path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")
        logger.info("sms %s to %s written to %s", key, to, self.log_path)


def load_sms_provider(spec: str, *, sender: str, log_path: Path) -> SmsProvider:
    if not spec:
        return LogSmsProvider(sender=sender, log_path=log_path)
    module_name, _, class_name = spec.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    provider: SmsProvider = cls(sender=sender, log_path=log_path)
    return provider


# -- webhooks ----------------------------------------------------------------------------------


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def webhook_url_problem(url: str, *, allow_loopback: bool) -> str | None:
    """Why ``url`` cannot be a webhook endpoint (a code: ``not_https``, ``no_host``,
    ``too_long``, ``credentials``), or None. HTTPS only; ``http://`` to a loopback address only
    when the setting allows it (tests, a local receiver)."""
    if len(url) > 2000:
        return "too_long"
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return "no_host"
    if not host:
        return "no_host"
    if parts.username or parts.password:
        return "credentials"
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and allow_loopback and _loopback(host):
        return None
    return "not_https"


def post_webhook(
    url: str,
    body: bytes,
    *,
    secret: str,
    delivery_id: str,
    timeout: float = WEBHOOK_TIMEOUT_SECONDS,
) -> int:
    """POST ``body`` signed with ``secret``; the status code of a 2xx answer, else raises."""
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "aftersales-webhooks/1",
            SIGNATURE_HEADER: sign(secret, body),
            DELIVERY_HEADER: delivery_id,
            "Idempotency-Key": delivery_id,
        },
    )
    try:
        # no proxies from the environment: the request goes to the endpoint itself
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=timeout) as response:
            status = int(response.status)
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"HTTP {error.code}", status_code=error.code) from error
    except (OSError, ValueError) as error:
        raise DeliveryError(f"{type(error).__name__}: {error}") from error
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status}", status_code=status)
    return status
