"""The benchmark's progress bar: one line per step on stderr, with done/total, percent and ETA.

Not tqdm (not a dependency of the project): on a terminal the line is redrawn in place (at most
five times a second); anywhere else (a pipe, CI's log) it degrades to plain lines: one when the
step starts, one at each quarter done, one when it ends with its elapsed time.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO


def clock_text(seconds: float) -> str:
    """``m:ss`` (or ``h:mm:ss``) for a duration in seconds."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Progress:
    """``progress(done, total)`` for one step, as the section functions expect it."""

    WIDTH = 24

    def __init__(
        self,
        label: str,
        stream: TextIO | None = None,
        *,
        tty: bool | None = None,
        now: Callable[[], float] | None = None,
    ) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self._now = now or time.perf_counter
        self.started = self._now()
        self.done = 0
        self.total = 0
        self._drawn = 0.0
        self._quarter = -1
        self._closed = False
        if not self.tty:
            self._write(f"[{label}] started\n")

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        now = self._now()
        if self.tty:
            if now - self._drawn >= 0.2 or done >= total:
                self._drawn = now
                self._write("\r" + self.line() + "\x1b[K")
            return
        quarter = 4 * done // total if total > 0 else 0
        if quarter > self._quarter and 0 < quarter < 4:
            self._quarter = quarter
            self._write(self.line() + "\n")

    def line(self) -> str:
        elapsed = self._now() - self.started
        if self.total <= 0:
            return f"[{self.label}] {self.done} elapsed {clock_text(elapsed)}"
        share = min(1.0, self.done / self.total)
        filled = int(share * self.WIDTH)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        eta = elapsed / self.done * (self.total - self.done) if self.done else None
        eta_text = clock_text(eta) if eta is not None else "?"
        return (
            f"[{self.label}] {bar} {self.done}/{self.total} {share:4.0%} "
            f"elapsed {clock_text(elapsed)} ETA {eta_text}"
        )

    def close(self, status: str, budget_s: float | None = None) -> float:
        """End the step's line with ``status`` and its time (against ``budget_s``); return the
        elapsed seconds."""
        elapsed = self._now() - self.started
        if not self._closed:
            self._closed = True
            text = f"[{self.label}] {status} in {clock_text(elapsed)}"
            if budget_s is not None:
                over = " — OVER BUDGET" if elapsed > budget_s else ""
                text += f" of its {clock_text(budget_s)} budget{over}"
            self._write(f"\r{text}\x1b[K\n" if self.tty else f"{text}\n")
        return elapsed

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()
