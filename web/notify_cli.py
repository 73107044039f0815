"""``aftersales notify ...``: the delivery worker, store webhooks, contacts (issue 9)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from web.cli_support import app_service, fail

__all__ = ["notify_group", "notify_thread"]


@click.group("notify", cls=AppGroup)
def notify_group() -> None:
    """Notifications: the delivery worker, store webhooks, people's contacts."""


def _worker(lease: float = 60.0) -> Any:
    from web import get_db
    from web.notify.settings import notify_settings
    from web.notify.worker import NotifyWorker

    return NotifyWorker(get_db(), notify_settings(current_app.config), lease_seconds=lease)


@notify_group.command("run")
@click.option("--once", is_flag=True, help="One pass, then stop.")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between passes.")
@click.option(
    "--lease",
    default=60.0,
    show_default=True,
    help="Seconds a claimed delivery is left to its worker before another may send it.",
)
@with_appcontext
def notify_run(once: bool, interval: float, lease: float) -> None:
    """Deliver notices by email, SMS and webhooks (at least once, the delivery id as the
    idempotency key); catches up the outbox and queue projections before each pass."""
    from projections.registry import make_runner
    from projections.supervise import supervise
    from web.workers_cli import _log_to_stderr, _migrated_when_ready

    db = _migrated_when_ready("notify run")
    runner = make_runner(app_service(), db, names=["queues", "outbox"])
    worker = _worker(lease)

    def step() -> Any:
        runner.catch_up()
        return worker.run_once()

    if once:
        click.echo(f"notify: {step()}")
        return
    _log_to_stderr()
    click.echo("notify running (Ctrl-C stops)")
    try:
        supervise(step, name="notify", interval=interval)
    except KeyboardInterrupt:
        click.echo("stopped")


def notify_thread(app: Any, stop: threading.Event) -> threading.Thread:
    """The worker as a daemon thread of ``aftersales up`` / ``serve`` (projections are followed
    by their own thread there)."""

    def run() -> None:
        with app.app_context():
            _worker().run_forever(stop=stop)

    return threading.Thread(target=run, name="notify", daemon=True)


@notify_group.command("webhook")
@click.argument("merchant_id")
@click.argument("url", required=False)
@click.option("--remove", is_flag=True, help="Remove the store's endpoint.")
@with_appcontext
def notify_webhook(merchant_id: str, url: str | None, remove: bool) -> None:
    """Show, set (with a new signing secret, printed once) or remove a store's webhook endpoint
    (HTTPS; http://127.0.0.1 only with AFTERSALES_WEBHOOK_ALLOW_LOOPBACK=1)."""
    from web import get_db
    from web.notify.settings import notify_settings
    from web.notify.stores import WebhookError, get_webhook, register_webhook, remove_webhook

    db = get_db()
    if remove:
        click.echo("removed" if remove_webhook(db, merchant_id) else "no endpoint")
        return
    if url is None:
        hook = get_webhook(db, merchant_id)
        click.echo(hook.url if hook else "no endpoint")
        return
    allow = notify_settings(current_app.config).webhook_allow_loopback
    try:
        hook = register_webhook(db, merchant_id, url, allow_loopback=allow, now=datetime.now(UTC))
    except WebhookError as error:
        fail(f"url: {error.code.replace('_', ' ')} ({url!r})", 2)
        return
    click.echo(f"{hook.url}\nsecret: {hook.secret}")


@notify_group.command("contact")
@click.argument("username")
@click.option("--email", default=None)
@click.option("--phone", default=None)
@with_appcontext
def notify_contact(username: str, email: str | None, phone: str | None) -> None:
    """Set where a person is reached by email and SMS ("" clears)."""
    from web import get_db
    from web.common.accounts import get_account
    from web.notify.stores import ContactError, set_contact

    db = get_db()
    if get_account(db, username) is None:
        fail(f"no account {username!r}", 2)
    try:
        set_contact(db, username, email=email, phone=phone)
    except ContactError as error:
        fail(f"{error.field}: not a valid {error.field}", 2)
    click.echo("saved")


@notify_group.command("send-again")
@click.argument("delivery_id")
@with_appcontext
def notify_send_again(delivery_id: str) -> None:
    """Put a delivery parked as failed back in line."""
    from web import get_db
    from web.notify.worker import send_again

    if not send_again(get_db(), delivery_id, merchant_id=None, now=datetime.now(UTC)):
        fail(f"no failed delivery {delivery_id!r}", 2)
    click.echo("queued")
