"""Every projection of the service, in one place, so the CLI, the web app and the timer worker
build the same ``Runner``. A projection module lists its projections in ``PROJECTIONS`` (classes
or factories taking no arguments)."""

from __future__ import annotations

import importlib
from typing import Any

from projections.db import Database
from projections.runner import Projection, Runner

PROJECTION_MODULES: tuple[str, ...] = (
    "projections.timeline",
    "projections.queues",
    "projections.ledger",
    "projections.metrics",
    "projections.policies",
    "projections.orders",
)


def all_projections() -> list[Projection]:
    found: list[Projection] = []
    for module_name in PROJECTION_MODULES:
        module = importlib.import_module(module_name)
        for factory in getattr(module, "PROJECTIONS", ()):
            found.append(factory())
    return found


def make_runner(app: Any, db: Database, **kwargs: Any) -> Runner:
    return Runner(app, db, all_projections(), **kwargs)
