"""Workers supervise themselves (issue 10): a loop that survives a database going away.

:func:`supervise` calls one step of work every ``interval`` seconds until stopped. When a step
raises, the error is logged and the next attempt waits an exponentially growing delay
(:class:`Backoff`: 0.5 s, 1 s, 2 s ... at most 30 s, with jitter); the first step that succeeds
resets it. Connection loss (psycopg ``OperationalError``, a terminated backend, the pool timing
out) and a locked SQLite file are logged as one line each; anything else with its traceback. The
step resumes from committed state — the runner from its positions, the timer worker from the
queue — so nothing is lost or repeated by retrying, and no restart is needed.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from projections.parking import is_transient

__all__ = ["Backoff", "supervise", "until_done"]

logger = logging.getLogger("aftersales.supervise")

T = TypeVar("T")


@dataclass
class Backoff:
    """Delays between failed attempts: ``initial * factor**n``, at most ``maximum``, each with
    up to ``jitter`` of itself added at random (so restarted workers do not retry in step)."""

    initial: float = 0.5
    maximum: float = 30.0
    factor: float = 2.0
    jitter: float = 0.1
    failures: int = field(default=0, init=False)

    def next_delay(self) -> float:
        delay = min(self.maximum, self.initial * self.factor**self.failures)
        self.failures += 1
        return delay * (1 + self.jitter * random.random())

    def reset(self) -> None:
        self.failures = 0


def _log_unavailable(name: str, error: Exception, backoff: Backoff, delay: float) -> None:
    logger.warning(
        "%s: database unavailable (%s: %s); attempt %d failed, retrying in %.1f s",
        name,
        type(error).__name__,
        str(error).strip().splitlines()[0] if str(error).strip() else "",
        backoff.failures,
        delay,
    )


def until_done(
    step: Callable[[], T],
    *,
    name: str,
    stop: threading.Event | None = None,
    backoff: Backoff | None = None,
) -> T | None:
    """Call ``step`` until it returns, and return its result; while the database is away (a
    transient error, ``projections.parking.is_transient``) log it and retry with backoff. Any
    other error propagates (a start-up that cannot work should say so). None when ``stop`` is
    set first. For what a process must do once before its loop: migrate, load, open."""
    stop = stop if stop is not None else threading.Event()
    backoff = backoff if backoff is not None else Backoff()
    while not stop.is_set():
        try:
            result = step()
        except Exception as error:
            if not is_transient(error):
                raise
            delay = backoff.next_delay()
            _log_unavailable(name, error, backoff, delay)
            stop.wait(delay)
            continue
        if backoff.failures:
            logger.warning("%s: recovered after %d failed attempt(s)", name, backoff.failures)
        return result
    return None


def supervise(
    step: Callable[[], object],
    *,
    name: str,
    interval: float,
    stop: threading.Event | None = None,
    backoff: Backoff | None = None,
    wake: threading.Event | None = None,
) -> None:
    """Run ``step`` every ``interval`` seconds until ``stop`` is set; never exits on an error
    of ``step`` (it backs off and tries again). KeyboardInterrupt and SystemExit propagate.

    ``wake``: setting it runs the next step at once instead of at the end of the interval (it is
    cleared before each step, so a wake during a step runs one more)."""
    if interval <= 0:
        raise ValueError("interval must be positive")
    stop = stop if stop is not None else threading.Event()
    backoff = backoff if backoff is not None else Backoff()
    while not stop.is_set():
        if wake is not None:
            wake.clear()
        try:
            step()
        except Exception as error:
            delay = backoff.next_delay()
            if is_transient(error):
                _log_unavailable(name, error, backoff, delay)
            else:
                logger.exception("%s: step failed; retrying in %.1f s", name, delay)
            stop.wait(delay)
            continue
        if backoff.failures:
            logger.warning("%s: recovered after %d failed attempt(s)", name, backoff.failures)
            backoff.reset()
        if wake is not None:
            wake.wait(interval)
        else:
            stop.wait(interval)
