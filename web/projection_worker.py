"""The projections' worker beside a web app (issue 12): projections run here, never in a request.

``aftersales up`` / ``serve`` start one (``web.cli``: ``_follow``); so does an app whose config has
``PROJECTION_WORKER`` set (at its first request, or :func:`start` directly: the web tests). It
follows the notification log in one pass for all projections (``Runner.catch_up``), polls every
``PROJECTION_POLL_SECONDS`` (0.1 s by default) when idle, and is woken at once by a command of
this process (:func:`wake`, called by ``web.common.fresh_reads.remember``), so a page waiting to
read its own write waits about one batch. Separate processes (``aftersales projections run``,
``aftersales workers``) work the same way and need no waking: they poll.

Supervised (``projections.supervise``): a database outage is logged and retried with backoff.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask

__all__ = ["DEFAULT_POLL_SECONDS", "ProjectionWorker", "start", "stop", "wake", "worker_of"]

DEFAULT_POLL_SECONDS = 0.1
_KEY = "aftersales.projection_worker"
_lock = threading.Lock()


class ProjectionWorker:
    """Runs ``step`` (a catch-up) in a daemon thread until :meth:`stop`; :meth:`wake` makes it
    run now instead of at the end of its idle poll."""

    def __init__(self, step: Callable[[], object], *, poll: float, name: str) -> None:
        self.step = step
        self.poll = poll
        self.name = name
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> ProjectionWorker:
        self._thread = threading.Thread(target=self.run, name=self.name, daemon=True)
        self._thread.start()
        return self

    def run(self) -> None:
        from projections.supervise import supervise

        supervise(self.step, name=self.name, interval=self.poll, stop=self._stop, wake=self._wake)

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()


def worker_of(app: Flask) -> ProjectionWorker | None:
    worker: ProjectionWorker | None = app.extensions.get(_KEY)
    return worker


def start(app: Flask, step: Callable[[], object] | None = None) -> ProjectionWorker:
    """Start ``app``'s projection worker (once; later calls return the running one). ``step``
    defaults to catching up every projection on the app's store and read-model database."""
    with _lock:
        running = worker_of(app)
        if running is not None and running.alive:
            return running
        worker = ProjectionWorker(
            step or _catch_up(app),
            poll=float(app.config.get("PROJECTION_POLL_SECONDS", DEFAULT_POLL_SECONDS)),
            name="projections",
        )
        app.extensions[_KEY] = worker
        return worker.start()


def register(app: Flask, worker: ProjectionWorker) -> None:
    """Make ``worker`` (started elsewhere, e.g. ``aftersales up``) the one :func:`wake` wakes."""
    app.extensions[_KEY] = worker


def stop(app: Flask) -> None:
    worker = app.extensions.pop(_KEY, None)
    if worker is not None:
        worker.stop()


def wake(app: Flask) -> None:
    worker = worker_of(app)
    if worker is not None:
        worker.wake()


def _catch_up(app: Flask) -> Callable[[], object]:
    """Catch up every projection of every store (one store unless split by merchant)."""
    runners: list[Any] = []

    def step() -> object:
        if not runners:
            from web.shards import store_runners

            with app.app_context():
                runners.extend(runner for _service, runner in store_runners(app))
        return sum(runner.catch_up() or 0 for runner in runners)

    return step


def init_app(app: Flask) -> None:
    """With ``PROJECTION_WORKER`` set, start the worker at the app's first request."""
    if not app.config.get("PROJECTION_WORKER"):
        return

    def ensure_worker() -> None:
        if worker_of(app) is None:
            start(app)

    app.before_request(ensure_worker)
