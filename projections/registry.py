"""Every projection of the service, in one place, so the CLI, the web app and the timer worker
build the same ``Runner``. A projection module lists its projections in ``PROJECTIONS`` (classes
or factories taking no arguments)."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

from projections.db import Database
from projections.runner import Projection, Runner

PROJECTION_MODULES: tuple[str, ...] = (
    "projections.timeline",
    "projections.queues",
    "projections.ledger",
    "projections.reconcile",
    "projections.metrics",
    "projections.policies",
    "projections.orders",
    "projections.outbox",
    "projections.receivables",  # issue 8: R6 repair fees, R2/R8 shipping owed
)


def all_projections() -> list[Projection]:
    found: list[Projection] = []
    for module_name in PROJECTION_MODULES:
        module = importlib.import_module(module_name)
        for factory in getattr(module, "PROJECTIONS", ()):
            found.append(factory())
    return found


def make_runner(
    app: Any, db: Database, names: Sequence[str] | None = None, **kwargs: Any
) -> Runner:
    """A runner for every projection, or only for ``names`` (one process per projection)."""
    projections = all_projections()
    if names:
        known = {p.name: p for p in projections}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise KeyError(f"unknown projection {unknown[0]!r}; known: {sorted(known)}")
        projections = [known[n] for n in names]
    return Runner(app, db, projections, **kwargs)
