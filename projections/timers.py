"""The deadline worker: due clocks become ``AfterSales.expire`` commands (actor ``system``).

:meth:`TimerWorker.run_once` first catches the queue projection up (so it never acts on rows
older than the events already recorded), then reads every clock that is due and not yet breached
from ``queue_items`` and calls ``app.expire(case_no=..., clock=...)`` for each. The domain records
the breach (``SlaBreached``) and what policy says follows (R12.a acceptance, R3 receipt taken as
confirmed, R13 case closed, escalation to a platform queue ...), as ordinary events.

Safety with several workers (or a worker and a stale row): ``expire`` is idempotent. Its request
id names the case, the clock and the clock's due time, and the command saves the case and that
request record in one transaction with a version check; a second ``expire`` of the same clock
either replays the first result or finds the clock breached/gone and records nothing. So two
workers never double a breach; the one that loses simply does no work.

Time: the domain stamps the breach with the application's clock. A worker never fires a clock
before that clock says it is due: ``run_once(now)`` uses ``min(now, app.clock())``.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from domain.errors import DomainError
from domain.service import AfterSales
from projections.db import Database
from projections.queues import QUEUE_PROJECTION, QueueItem, QueueProjection, due_items
from projections.runner import Runner
from projections.supervise import Backoff, supervise

__all__ = ["TimerWorker"]

logger = logging.getLogger("aftersales.timers")


class TimerWorker:
    """Fires due deadlines of ``app`` found in ``db``'s queue table.

    ``runner``: a :class:`Runner` that includes the queue projection (by default one with only
    the queue projection). ``batch_size``: due items read per query.
    """

    def __init__(
        self,
        app: AfterSales,
        db: Database,
        *,
        runner: Runner | None = None,
        batch_size: int = 200,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.app = app
        self.db = db
        self.runner = runner or Runner(app, db, [QueueProjection()], clock=app.clock)
        if QUEUE_PROJECTION not in self.runner.projections:
            raise ValueError(f"the runner must include the {QUEUE_PROJECTION!r} projection")
        self.batch_size = batch_size
        self.failures = 0  # expire commands that raised, since this worker started

    def run_once(self, now: datetime | None = None) -> int:
        """Catch the queue up, expire every clock due at ``now`` (default: the app's clock).

        Returns how many breaches this call recorded (clocks another worker fired first, or that
        were satisfied meanwhile, are not counted). A command that fails is logged and skipped.
        """
        self.runner.catch_up(names=[QUEUE_PROJECTION])
        app_now = self.app.clock()
        cutoff = app_now if now is None else min(now, app_now)
        fired = 0
        after: tuple[datetime, str, str] | None = None
        while True:
            page = due_items(self.db, cutoff, self.batch_size, after=after)
            for item in page:
                fired += self._expire(item)
            if len(page) < self.batch_size:
                return fired
            last = page[-1]
            assert last.due_at is not None
            after = (last.due_at, last.case_no, last.clock)

    def _expire(self, item: QueueItem) -> int:
        try:
            result = self.app.expire(case_no=item.case_no, clock=item.clock)
        except DomainError as error:
            self.failures += 1
            logger.warning(
                "timer: expiring %s on case %s (due %s) was refused: %s",
                item.clock,
                item.case_no,
                item.due_at,
                error,
            )
            return 0
        except Exception:
            self.failures += 1
            logger.exception(
                "timer: expiring %s on case %s (due %s) failed",
                item.clock,
                item.case_no,
                item.due_at,
            )
            return 0
        recorded = bool(result.changed and result.detail.get("fired"))
        if recorded:
            logger.info(
                "timer: %s on case %s breached (due %s)", item.clock, item.case_no, item.due_at
            )
        return int(recorded)

    def run_forever(
        self,
        poll_interval: float = 5.0,
        stop: threading.Event | None = None,
        *,
        backoff: Backoff | None = None,
    ) -> None:
        """:meth:`run_once` every ``poll_interval`` seconds until ``stop`` is set. Supervised
        (``projections.supervise``): an error of a whole run (the database is down ...) is logged
        and the next run waits with exponential backoff; the loop never exits on it."""
        supervise(self.run_once, name="timers", interval=poll_interval, stop=stop, backoff=backoff)
