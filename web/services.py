"""The application service of the current Flask app, built on first use from its settings.

One ``AfterSales`` instance per app (it holds the event store's connection pool); tests may hand a
ready one in as ``config["SERVICE"]``. The site never creates the event store's tables
(``CREATE_TABLE=no``): ``aftersales migrate`` does, once, under a lock (issue 10: web processes
starting together on a fresh store raced creating them).
"""

from __future__ import annotations

import threading

from flask import Flask, current_app

from domain.service import AfterSales
from projections.event_store import open_service

_KEY = "aftersales.service"
_lock = threading.Lock()


def service_for(app: Flask) -> AfterSales:
    service: AfterSales | None = app.extensions.get(_KEY) or app.config.get("SERVICE")
    if service is None:
        with _lock:
            service = app.extensions.get(_KEY)
            if service is None:
                service = open_service(app.config["DATABASE_URL"])
                app.extensions[_KEY] = service
    return service


def get_service() -> AfterSales:
    """The ``AfterSales`` application of the current app context (with stores split by merchant,
    ``SHARDS``: one that runs each command on the store holding its merchant, ``web.shards``)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("SHARDS"):
        from web.shards import routed_service

        return routed_service(app)
    return service_for(app)
