"""Issue 12: the runner reads and decodes each batch once for every projection, and the
projections that apply a batch at once (``process_batch``) write the very rows they write event
by event; each case's summary is written once per batch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.service import AfterSales
from projections.db import Database, DbConnection
from projections.migrate import migrate
from projections.registry import make_runner
from projections.runner import Runner
from tests.integration.test_demo_projections import digests
from web.demo import run_demo


@dataclass
class OneByOne:
    """The same projection without its ``process_batch``: the runner calls ``process``."""

    inner: Any

    @property
    def name(self) -> str:
        return str(self.inner.name)

    @property
    def tables(self) -> tuple[str, ...]:
        return tuple(self.inner.tables)

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(self.inner.topics)

    def process(self, tx: DbConnection, event: Any, notification_id: int) -> None:
        self.inner.process(tx, event, notification_id)


def test_batched_projections_write_the_rows_they_write_event_by_event(store_url: str) -> None:
    run_demo(lambda clock: AfterSales.from_url(store_url, clock=clock))
    app = AfterSales.from_url(store_url)
    with Database.from_url(store_url) as db:
        migrate(db)
        runner = make_runner(app, db)
        assert runner.catch_up(batch_size=500) > 0
        tables = [t for p in runner.projections.values() for t in p.tables]
        batched = digests(db, tables)

        one_by_one = Runner(app, db, [OneByOne(p) for p in runner.projections.values()])
        one_by_one.rebuild(batch_size=7)
        assert digests(db, tables) == batched
    app.close()


def test_each_notification_is_decoded_once_for_all_projections(store_url: str) -> None:
    run_demo(lambda clock: AfterSales.from_url(store_url, clock=clock))
    app = AfterSales.from_url(store_url)
    decoded: list[int] = []
    decode = app.mapper.to_domain_event

    def counting(notification: Any) -> Any:
        decoded.append(notification.id)
        return decode(notification)

    app.mapper.to_domain_event = counting  # type: ignore[method-assign]
    with Database.from_url(store_url) as db:
        migrate(db)
        runner = make_runner(app, db)
        assert runner.catch_up() > 0
    assert len(decoded) == len(set(decoded))  # six+ projections, one decoding each
    app.close()
