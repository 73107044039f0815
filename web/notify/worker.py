"""The delivery worker (issue 9): ``aftersales notify run [--once]`` and a thread of ``aftersales
up``. Each pass:

1. adds the deadline reminders now due (:func:`projections.outbox.add_reminders`);
2. fans new notices out: for each, the people of its party (accounts) and the store's webhook,
   one delivery per (notice, recipient, channel) the preferences want, with a deterministic id
   (``ON CONFLICT DO NOTHING``), and marks the notice fanned out, in one transaction;
3. sends the deliveries that are due. A delivery is claimed for ``lease`` seconds first (another
   worker leaves it alone), sent, then marked sent in its own transaction. A worker killed
   between the send and the mark sends it again after the lease: at-least-once, with the same
   id (email ``Message-ID``, webhook ``Aftersales-Delivery``), so the receiver can drop the
   duplicate. A failure is recorded as an attempt and retried with exponential backoff
   (``retry_seconds`` doubling) until ``give_up_hours`` after the delivery was created; then it
   is parked as ``failed`` until someone sends it again (:func:`send_again`).

The site inbox needs no delivery: it reads the notices themselves (exactly once by their key).
The worker never runs inside a command: a slow SMTP server or webhook never blocks a step.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from projections.db import Database, DbConnection, parse_ts, ts
from projections.outbox import add_reminders
from projections.supervise import Backoff, supervise
from web.notify.channels import (
    DeliveryError,
    EmailChannel,
    SmsProvider,
    load_sms_provider,
    post_webhook,
)
from web.notify.prefs import load_preferences
from web.notify.render import render_notice
from web.notify.settings import NotifySettings
from web.settings import DEFAULT_TIMEZONE

__all__ = ["NotifyWorker", "PassResult", "delivery_id", "send_again", "webhook_payload"]

logger = logging.getLogger(__name__)
MAX_ERROR = 500


def delivery_id(notice_id: str, recipient: str, channel: str) -> str:
    """Deterministic: one delivery per (notice, recipient, channel), whoever fans it out."""
    return hashlib.sha256(f"{notice_id}\n{recipient}\n{channel}".encode()).hexdigest()[:32]


@dataclass
class PassResult:
    reminders: int = 0
    fanned_out: int = 0
    sent: int = 0
    failed: int = 0
    parked: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return (
            f"{self.reminders} reminder(s), {self.fanned_out} notice(s) fanned out, "
            f"{self.sent} sent, {self.failed} failed attempt(s), {self.parked} parked"
        )


def webhook_payload(notice: Mapping[str, Any], delivery: str) -> bytes:
    """The JSON a store's endpoint receives (docs/notifications.md)."""
    body = {
        "id": delivery,
        "notice_id": notice["id"],
        "type": notice["step"],
        "event": notice["event_name"],
        "case_no": notice["case_no"],
        "case_kind": notice["case_kind"],
        "merchant_id": notice["merchant_id"],
        "status": notice["status"],
        "rule": notice["rule"],
        "actor_role": notice["actor_role"],
        "at": notice["at"],
        "details": json.loads(notice["details"]),
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")


class NotifyWorker:
    def __init__(
        self,
        db: Database,
        settings: NotifySettings,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        lease_seconds: float = 60.0,
        batch_size: int = 100,
        sms: SmsProvider | None = None,
        on_sent: Callable[[str], None] | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.lease = timedelta(seconds=lease_seconds)
        self.batch_size = batch_size
        self.email = (
            EmailChannel(settings.smtp_url, settings.smtp_sender) if settings.smtp_url else None
        )
        self.sms = sms or load_sms_provider(
            settings.sms_provider, sender=settings.sms_sender, log_path=settings.sms_log
        )
        self.on_sent = on_sent  # test seam: called after a send, before it is marked sent

    # -- one pass ------------------------------------------------------------------------

    def run_once(self) -> PassResult:
        result = PassResult()
        now = self.clock()
        result.reminders = add_reminders(self.db, now)
        while True:
            fanned = self._fan_out(now)
            result.fanned_out += fanned
            if fanned < self.batch_size:
                break
        while True:
            due = self._due(self.clock())
            for row in due:
                self._deliver(row, result)
            if len(due) < self.batch_size:
                break
        return result

    def run_forever(self, interval: float = 2.0, stop: threading.Event | None = None) -> None:
        """Passes every ``interval`` seconds under the workers' supervisor: a database that goes
        away is waited out with backoff, never the end of the worker."""
        supervise(self.run_once, name="notify", interval=interval, stop=stop, backoff=Backoff())

    # -- fan-out -------------------------------------------------------------------------

    def _fan_out(self, now: datetime) -> int:
        with self.db.transaction() as tx:
            notices = tx.execute(
                "SELECT * FROM notices WHERE fanned_out = 0 ORDER BY position, id LIMIT ?",
                (self.batch_size,),
            ).fetchall()
            for notice in notices:
                for values in self._deliveries_of(tx, notice, now):
                    tx.execute(
                        "INSERT INTO notify_deliveries (id, notice_id, channel, recipient, "
                        "address, locale, timezone, next_attempt_at, created_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                        values,
                    )
                tx.execute("UPDATE notices SET fanned_out = 1 WHERE id = ?", (notice["id"],))
        return len(notices)

    def _deliveries_of(
        self, tx: DbConnection, notice: Mapping[str, Any], now: datetime
    ) -> list[tuple[Any, ...]]:
        role, _, party_id = str(notice["party"]).partition(":")
        out: list[tuple[Any, ...]] = []
        when = ts(now)
        if role == "merchant":
            hook = tx.execute(
                "SELECT url FROM notify_webhooks WHERE merchant_id = ?", (party_id,)
            ).fetchone()
            if hook is not None:  # every step of the store's cases, its own ones too
                d = delivery_id(notice["id"], party_id, "webhook")
                out.append((d, notice["id"], "webhook", party_id, hook["url"], "", "", when, when))
        if notice["self_action"]:
            return out  # nobody is told by email or SMS of their own step
        if role == "consumer":
            where, args = "a.role = 'consumer' AND a.party_id = ?", (party_id,)
        elif role == "merchant":
            where, args = "a.role = 'merchant' AND a.merchant_id = ?", (party_id,)
        else:
            where, args = "a.role = ?", (role,)
        people = tx.execute(
            "SELECT a.username, a.role, a.locale, a.timezone, c.email, c.phone FROM accounts a "
            f"LEFT JOIN notify_contacts c ON c.username = a.username WHERE {where} "
            "ORDER BY a.username",
            args,
        ).fetchall()
        for person in people:
            prefs = load_preferences(tx, person["username"], person["role"])
            locale = person["locale"] or "zh_CN"
            zone = person["timezone"] or DEFAULT_TIMEZONE
            locked = bool(notice["locked"])
            for channel, address, usable in (
                ("email", person["email"], self.email is not None),
                ("sms", person["phone"], True),
            ):
                if not address or not usable:
                    continue
                if not prefs.wants(notice["notice_kind"], channel, locked=locked):
                    continue
                d = delivery_id(notice["id"], person["username"], channel)
                out.append(
                    (
                        d,
                        notice["id"],
                        channel,
                        person["username"],
                        address,
                        locale,
                        zone,
                        when,
                        when,
                    )
                )
        return out

    # -- sending -------------------------------------------------------------------------

    def _due(self, now: datetime) -> list[Any]:
        with self.db.connect() as conn:
            rows: list[Any] = conn.execute(
                "SELECT * FROM notify_deliveries WHERE status = 'pending' AND next_attempt_at <= ? "
                "ORDER BY next_attempt_at, id LIMIT ?",
                (ts(now), self.batch_size),
            ).fetchall()
        return rows

    def _claim(self, row: Mapping[str, Any], now: datetime) -> bool:
        with self.db.transaction() as tx:
            return (
                tx.execute(
                    "UPDATE notify_deliveries SET next_attempt_at = ? WHERE id = ? "
                    "AND status = 'pending' AND next_attempt_at = ?",
                    (ts(now + self.lease), row["id"], row["next_attempt_at"]),
                ).rowcount
                == 1
            )

    def _deliver(self, row: Mapping[str, Any], result: PassResult) -> None:
        now = self.clock()
        if not self._claim(row, now):
            return  # another worker has it
        with self.db.connect() as conn:
            notice = conn.execute(
                "SELECT * FROM notices WHERE id = ?", (row["notice_id"],)
            ).fetchone()
            hook = None
            if row["channel"] == "webhook":
                hook = conn.execute(
                    "SELECT url, secret FROM notify_webhooks WHERE merchant_id = ?",
                    (row["recipient"],),
                ).fetchone()
        status_code: int | None = None
        try:
            if notice is None:
                raise DeliveryError("the notice is gone")
            status_code = self._send(row, notice, hook)
        except DeliveryError as error:
            self._failed(row, now, str(error), error.status_code, result)
            return
        except Exception as error:  # a bad template, a provider's bug: recorded, retried
            logger.exception("notify: delivery %s failed", row["id"])
            self._failed(row, now, f"{type(error).__name__}: {error}", None, result)
            return
        if self.on_sent is not None:
            self.on_sent(row["id"])
        with self.db.transaction() as tx:
            attempt = int(row["attempts"]) + 1
            tx.execute(
                "UPDATE notify_deliveries SET status = 'sent', attempts = ?, sent_at = ?, "
                "last_error = NULL WHERE id = ?",
                (attempt, ts(self.clock()), row["id"]),
            )
            _record_attempt(tx, row["id"], attempt, self.clock(), True, status_code, None)
        result.sent += 1
        result.by_channel[row["channel"]] = result.by_channel.get(row["channel"], 0) + 1

    def _send(self, row: Mapping[str, Any], notice: Mapping[str, Any], hook: Any) -> int | None:
        channel = row["channel"]
        if channel == "webhook":
            if hook is None:
                raise DeliveryError("the store has no webhook endpoint any more")
            return post_webhook(
                hook["url"],
                webhook_payload(notice, row["id"]),
                secret=hook["secret"],
                delivery_id=row["id"],
            )
        rendered = render_notice(notice, locale=row["locale"], timezone=row["timezone"])
        if channel == "email":
            if self.email is None:
                raise DeliveryError("no SMTP server configured (AFTERSALES_SMTP_URL)")
            self.email.send(
                delivery_id=row["id"],
                to=row["address"],
                subject=rendered.subject,
                text=rendered.text,
                html=rendered.html,
                lang=row["locale"],
            )
        else:
            try:
                self.sms.send(to=row["address"], text=rendered.subject, key=row["id"])
            except DeliveryError:
                raise
            except Exception as error:
                raise DeliveryError(f"SMS: {error}") from error
        return None

    def _failed(
        self,
        row: Mapping[str, Any],
        now: datetime,
        error: str,
        status_code: int | None,
        result: PassResult,
    ) -> None:
        attempt = int(row["attempts"]) + 1
        give_up = parse_ts(row["created_at"]) + timedelta(hours=self.settings.give_up_hours)
        delay = timedelta(seconds=self.settings.retry_seconds * 2 ** (attempt - 1))
        parked = now + delay > give_up
        with self.db.transaction() as tx:
            tx.execute(
                "UPDATE notify_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, "
                "last_error = ? WHERE id = ?",
                (
                    "failed" if parked else "pending",
                    attempt,
                    ts(now + delay),
                    error[:MAX_ERROR],
                    row["id"],
                ),
            )
            _record_attempt(tx, row["id"], attempt, now, False, status_code, error)
        result.failed += 1
        result.parked += int(parked)
        logger.warning(
            "notify: %s delivery %s attempt %d failed: %s%s",
            row["channel"],
            row["id"],
            attempt,
            error,
            " (parked)" if parked else "",
        )


def _record_attempt(
    tx: DbConnection,
    delivery: str,
    attempt: int,
    at: datetime,
    ok: bool,
    status_code: int | None,
    error: str | None,
) -> None:
    tx.execute(
        "INSERT INTO notify_attempts (delivery_id, attempt, at, ok, status_code, error) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (delivery_id, attempt) DO NOTHING",
        (delivery, attempt, ts(at), int(ok), status_code, error[:MAX_ERROR] if error else None),
    )


def send_again(db: Database, delivery: str, *, merchant_id: str | None, now: datetime) -> bool:
    """Put a parked (failed) delivery back in line, retried for another day; ``merchant_id``:
    only that store's webhook deliveries (None: any delivery, for operators). False when there is
    no such parked delivery."""
    sql = (
        "UPDATE notify_deliveries SET status = 'pending', next_attempt_at = ?, created_at = ? "
        "WHERE id = ? AND status = 'failed'"
    )
    args: list[Any] = [ts(now), ts(now), delivery]
    if merchant_id is not None:
        sql += " AND channel = 'webhook' AND recipient = ?"
        args.append(merchant_id)
    with db.transaction() as tx:
        return tx.execute(sql, args).rowcount == 1
