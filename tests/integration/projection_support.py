"""Shared set-up for the timeline, queue and timer tests: an AfterSales app on a controlled clock,
its event store next to (SQLite) or inside the schema of (PostgreSQL) the migrated read model,
and a few helpers to open cases.

The event store URL for ``AfterSales.from_url``: on SQLite a second file ``events.db`` next to the
read model; on PostgreSQL the read model's database with ``?schema=<the test's schema>``
(``domain.service.event_store_env`` reads ``?schema=``, not the ``options=-csearch_path`` the
``pg_url`` fixture uses), so every test has its own event tables and read-model tables.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from psycopg.conninfo import conninfo_to_dict

from domain import ids
from domain.case import Case
from domain.lines import OrderLine, Tender
from domain.service import AfterSales, LineRequest
from domain.terms import PolicyTerms
from domain.values import Actor, Role, TenderKind
from projections.db import Database
from projections.migrate import migrate
from projections.queues import QueueProjection
from projections.runner import Runner
from projections.timeline import TimelineProjection
from tests.conftest import pg_schema_of

# Monday 21 September 2026, 10:00 in Shanghai: cases open here unless a test says otherwise.
START = datetime(2026, 9, 21, 2, 0, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)

PLATFORM = Actor(Role.SYSTEM, "platform")
AGENT = Actor(Role.PLATFORM_AGENT, "agent1")
FINANCE = Actor(Role.FINANCE, "fin1")
ARBITRATOR = Actor(Role.ARBITRATOR, "arb1")


def consumer(consumer_id: str = "c1") -> Actor:
    return Actor(Role.CONSUMER, consumer_id)


def merchant(merchant_id: str = "m1", staff: str = "staff1") -> Actor:
    return Actor(Role.MERCHANT, staff, merchant_id=merchant_id)


class ManualClock:
    """The app's clock: stands still until a test moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        self.now = now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def event_store_url(store_url: str, tmp_path: Path) -> str:
    """Where the AfterSales events live for a read model at ``store_url``."""
    if store_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'events.db'}"
    params = conninfo_to_dict(store_url)
    user = quote(str(params.get("user") or "postgres"), safe="")
    host = params.get("host") or "127.0.0.1"
    port = params.get("port") or "5432"
    dbname = quote(str(params["dbname"]), safe="")
    return f"postgresql://{user}@{host}:{port}/{dbname}?schema={pg_schema_of(store_url)}"


class World:
    """One test's application, read model and runner, and helpers to make cases."""

    def __init__(self, store_url: str, tmp_path: Path) -> None:
        self.store_url = store_url
        self.app_url = event_store_url(store_url, tmp_path)
        self.clock = ManualClock(START)
        self.app = AfterSales.from_url(self.app_url, clock=self.clock)
        self.db = Database.from_url(store_url)
        migrate(self.db)
        self.runner = Runner(
            self.app, self.db, [TimelineProjection(), QueueProjection()], clock=self.clock
        )
        self._ids = itertools.count(1)
        self._others: list[AfterSales] = []
        self._dbs: list[Database] = []
        self.merchants: set[str] = set()

    # -- plumbing --------------------------------------------------------------------------

    def rid(self, what: str = "r") -> str:
        return f"{what}-{next(self._ids)}"

    def another_app(self) -> AfterSales:
        """A second application on the same event store (another process, in effect)."""
        app = AfterSales.from_url(self.app_url, clock=self.clock)
        self._others.append(app)
        return app

    def another_db(self) -> Database:
        db = Database.from_url(self.store_url)
        self._dbs.append(db)
        return db

    def close(self) -> None:
        for app in [self.app, *self._others]:
            app.close()
        for db in [self.db, *self._dbs]:
            db.close()

    def catch_up(self) -> int:
        return self.runner.catch_up()

    def case(self, case_no: str) -> Case:
        return self.app.get_case(case_no)

    def events(self, case_no: str) -> list[Any]:
        return list(self.app.repository.event_store.get(ids.case_id(case_no)))

    def breaches(self, case_no: str, clock: str) -> list[Any]:
        return [
            e
            for e in self.events(case_no)
            if type(e).__name__ == "SlaBreached" and getattr(e.clock, "value", e.clock) == clock
        ]

    # -- making cases ----------------------------------------------------------------------

    def policy(self, merchant_id: str = "m1", **terms: Any) -> None:
        self.app.publish_policy(
            request_id=self.rid("policy"),
            actor=PLATFORM,
            merchant_id=merchant_id,
            terms=PolicyTerms(categories=("electronics",), **terms),
        )
        self.merchants.add(merchant_id)

    def order(
        self, *, consumer_id: str = "c1", merchant_id: str = "m1", paid_fen: int = 10000
    ) -> str:
        """An order placed and delivered before ``START`` (clock put back to where it was)."""
        if merchant_id not in self.merchants:
            back = self.clock.now
            self.clock.set(START - timedelta(days=30))
            self.policy(merchant_id)
            self.clock.set(back)
        order_no = self.rid("O")
        now = self.clock.now
        self.app.record_order(
            request_id=self.rid("order"),
            actor=PLATFORM,
            order_no=order_no,
            consumer_id=consumer_id,
            merchant_id=merchant_id,
            placed_at=now - timedelta(days=3),
            lines=[
                OrderLine(
                    1,
                    "sku-1",
                    "Phone",
                    "electronics",
                    1,
                    paid_fen,
                    (
                        Tender(TenderKind.CARD, paid_fen - paid_fen // 10),
                        Tender(TenderKind.POINTS, paid_fen // 10),
                    ),
                )
            ],
        )
        self.app.record_delivery(
            request_id=self.rid("delivery"),
            actor=PLATFORM,
            order_no=order_no,
            signed_at=now - timedelta(days=2),
        )
        return order_no

    def open(
        self,
        kind: str = "return_refund",
        reason: str = "no_reason",
        *,
        consumer_id: str = "c1",
        merchant_id: str = "m1",
        description: str = "不想要了",
        evidence: Sequence[Any] = (),
    ) -> str:
        order_no = self.order(consumer_id=consumer_id, merchant_id=merchant_id)
        result = self.app.open_case(
            request_id=self.rid("open"),
            actor=consumer(consumer_id),
            order_no=order_no,
            kind=kind,
            reason_code=reason,
            lines=[] if kind == "complaint" else [LineRequest(1, 1)],
            description=description,
            evidence=list(evidence),
        )
        return str(result.key)
