"""Real receivers for the notification tests (issue 9): an SMTP server (aiosmtpd) and an HTTP
webhook endpoint, both on 127.0.0.1 in the test process, recording what they receive."""

from __future__ import annotations

import asyncio
import email
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from flask import Flask

from tests.web.conftest import load_demo, make_app
from web import get_db, projection_worker
from web.common.accounts import set_preferences
from web.demo import DEMO_ACCOUNTS, SHOP_DIGITAL
from web.notify.settings import notify_settings
from web.notify.stores import register_webhook, set_contact
from web.notify.worker import NotifyWorker

LOOPBACK = "127.0.0.1"


@dataclass
class Mail:
    to: list[str]
    message: Message

    @property
    def delivery_id(self) -> str:
        return str(self.message["X-Aftersales-Delivery"])

    @property
    def subject(self) -> str:
        from email.header import decode_header, make_header

        return str(make_header(decode_header(str(self.message["Subject"]))))

    def part(self, subtype: str) -> str:
        for part in self.message.walk():
            if part.get_content_type() == f"text/{subtype}":
                payload = part.get_payload(decode=True)
                assert isinstance(payload, bytes)
                return payload.decode(part.get_content_charset() or "utf-8")
        raise AssertionError(f"no text/{subtype} part")


@dataclass
class SmtpSink:
    mails: list[Mail] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0
    delay: float = 0.0  # seconds before answering 250 (a slow server, for the kill test)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        with self.lock:
            self.mails.append(Mail(list(envelope.rcpt_tos), message))
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 OK"

    @property
    def url(self) -> str:
        return f"smtp://{LOOPBACK}:{self.port}"

    def to(self, address: str) -> list[Mail]:
        with self.lock:
            return [m for m in self.mails if address in m.to]


@contextmanager
def smtp_server(delay: float = 0.0) -> Iterator[SmtpSink]:
    sink = SmtpSink(delay=delay)
    with socket.socket() as probe:  # a free port (the controller's ready check needs one)
        probe.bind((LOOPBACK, 0))
        sink.port = probe.getsockname()[1]
    controller = Controller(sink, hostname=LOOPBACK, port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@dataclass
class Hit:
    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """Answers 500 to the first ``fail_first`` requests of each delivery id, then 200."""

    fail_first: int = 0
    hits: list[Hit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def answer(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            delivery = headers.get("Aftersales-Delivery", "")
            seen = sum(1 for h in self.hits if h.headers.get("Aftersales-Delivery") == delivery)
            status = 500 if seen < self.fail_first else 200
            self.hits.append(Hit(headers, body, status))
            return status

    def ok(self) -> list[Hit]:
        with self.lock:
            return [h for h in self.hits if h.status == 200]


@contextmanager
def webhook_receiver(fail_first: int = 0) -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(fail_first)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = receiver.answer(dict(self.headers.items()), body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
    receiver.url = f"http://{LOOPBACK}:{server.server_port}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def address(username: str) -> str:
    return f"{username}@example.test"


@dataclass
class Notified:
    app: Flask
    smtp: SmtpSink
    hooks: WebhookReceiver
    secret: str
    now: list[datetime]

    def worker(self) -> NotifyWorker:
        return NotifyWorker(get_db(), notify_settings(self.app.config), clock=lambda: self.now[0])

    def run(self) -> Any:
        return self.worker().run_once()

    def rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        with get_db().connect() as conn:
            return [dict(r) for r in conn.execute(sql, args).fetchall()]


def notify_app(tmp_path: Path, store_url: str, smtp: SmtpSink, hooks: WebhookReceiver) -> Notified:
    app = make_app(
        tmp_path,
        DATABASE_URL=store_url,
        SMTP_URL=smtp.url,
        WEBHOOK_ALLOW_LOOPBACK="1",
        NOTIFY_RETRY_SECONDS="30",
    )
    load_demo(app)
    with app.app_context():
        db = get_db()
        for username, *_ in DEMO_ACCOUNTS:
            set_contact(db, username, email=address(username), phone=None)
        set_preferences(db, "lisi", locale="en", timezone="Europe/Berlin")
        hook = register_webhook(
            db, SHOP_DIGITAL, hooks.url, allow_loopback=True, now=datetime.now(UTC)
        )
    return Notified(app, smtp, hooks, hook.secret, [datetime.now(UTC)])


def close_app(app: Flask) -> None:
    """Close what the app opened on the store: the read-model pool and the event store's (on
    PostgreSQL each holds connections until closed), after stopping its projection worker."""
    projection_worker.stop(app)
    with app.app_context():
        get_db().close()
    service = app.extensions.pop("aftersales.service", None)
    if service is not None:
        service.close()
