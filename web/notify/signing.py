"""Webhook signatures (issue 9), the scheme of Stripe's and Shopify's webhooks: HMAC-SHA256 over
``"<timestamp>.<body>"`` with the store's secret, sent as ``Aftersales-Signature:
t=<unix seconds>,v1=<hex digest>``. A receiver recomputes the digest over the raw body and
rejects a signature whose timestamp is older than its tolerance (a replayed request)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

__all__ = [
    "SIGNATURE_HEADER",
    "TOLERANCE_SECONDS",
    "SignatureError",
    "new_secret",
    "sign",
    "verify",
]

SIGNATURE_HEADER = "Aftersales-Signature"
DELIVERY_HEADER = "Aftersales-Delivery"
"""The delivery's id: the same on every attempt, the receiver's idempotency key."""
TOLERANCE_SECONDS = 300


class SignatureError(ValueError):
    """A webhook request whose signature is missing, malformed, wrong or too old."""


def new_secret() -> str:
    return "whsec_" + secrets.token_hex(24)


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The header value for ``body`` signed at ``timestamp`` (default: now)."""
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},v1={_digest(secret, t, body)}"


def verify(
    secret: str,
    header: str | None,
    body: bytes,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> int:
    """Check a received ``Aftersales-Signature`` against the raw ``body``; return its timestamp.

    Raises :class:`SignatureError` when the header is missing or malformed, no ``v1`` digest
    matches, or the timestamp is more than ``tolerance`` seconds from ``now`` (a replay)."""
    if not header:
        raise SignatureError("no signature header")
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if not sep:
            raise SignatureError("malformed signature header")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        raise SignatureError("no timestamp in the signature header") from None
    expected = _digest(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, v) for v in parts.get("v1", [])):
        raise SignatureError("signature does not match the body")
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise SignatureError("signature timestamp outside the tolerance (replayed request?)")
    return timestamp
