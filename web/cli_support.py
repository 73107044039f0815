"""What the ``aftersales`` sub-commands share: one-line failures, the read model (migrated, with
the event store's tables), the service, the projections runner, worker logging."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

import click
from flask import current_app

from domain.service import AfterSales


def _fail(message: str, code: int = 1) -> None:
    click.secho(f"error: {message}", fg="red", err=True)
    sys.exit(code)


def _db() -> Any:
    from web import get_db

    return get_db()


def _service(clock: Callable[[], datetime] | None = None) -> AfterSales:
    if clock is None:
        from web.services import get_service

        return get_service()
    from projections.event_store import open_service

    return open_service(current_app.config["DATABASE_URL"], clock=clock)


def _migrated_db() -> Any:
    """The read model, migrated, and the event store's tables, created: under locks, so that
    processes starting together never race in the catalogue (issue 10)."""
    from projections.event_store import create_event_store_tables
    from projections.migrate import migrate

    db = _db()
    migrate(db)
    create_event_store_tables(current_app.config["DATABASE_URL"])
    return db


def _runner() -> Any:
    from projections.registry import make_runner

    db = _migrated_db()
    return make_runner(_service(), db)


def _log_to_stderr() -> None:
    """Workers' log lines (parked events, lost connections, recoveries) on standard error."""
    import logging

    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
