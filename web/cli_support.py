"""What the ``aftersales`` sub-commands share: a one-line failure, the read model (migrated), the
service and a runner over every projection.

Cheap to import (``aftersales --help`` imports it): the domain, the event store and the database
drivers are imported inside the functions, when a command runs."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click
from flask import current_app

if TYPE_CHECKING:
    from domain.service import AfterSales


def fail(message: str, code: int = 1) -> None:
    click.secho(f"error: {message}", fg="red", err=True)
    sys.exit(code)


def read_db() -> Any:
    from web import get_db

    return get_db()


def app_service(clock: Callable[[], datetime] | None = None) -> AfterSales:
    if clock is None:
        from web.services import get_service

        return get_service()
    from projections.event_store import open_service

    return open_service(current_app.config["DATABASE_URL"], clock=clock)


def migrated_db() -> Any:
    """The read model, migrated, and the event store's tables, created: under locks, so that
    processes starting together never race in the catalogue (issue 10)."""
    from projections.event_store import create_event_store_tables
    from projections.migrate import migrate
    from web.shards import migrate_stores

    db = read_db()
    migrate(db)
    create_event_store_tables(current_app.config["DATABASE_URL"])
    migrate_stores(current_app._get_current_object())  # type: ignore[attr-defined]
    return db


def projection_runner() -> Any:
    from projections.registry import make_runner

    db = migrated_db()
    return make_runner(app_service(), db)
