"""An open-loop HTTP/1.1 load generator (issue 12 §4): requests are sent at a fixed arrival
rate whatever the server does, and each latency is measured from the request's *scheduled* send
time, so queueing in the client or the server is never hidden (no coordinated omission).

wrk is closed-loop (a connection waits for its answer before the next request), and neither
Debian nor PyPI offered a small constant-rate tool that runs here (wrk2 is not packaged;
vegeta/oha are not Debian or PyPI packages), so this is a small asyncio client: one new TCP
connection per request (``Connection: close``; gunicorn's sync workers close each connection
anyway), the status line and ``Content-Length`` body read in full. A request still unanswered
``timeout`` seconds after its scheduled time counts as an error.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class OpenLoopResult:
    rate: float
    sent: int = 0
    ok: int = 0
    non_2xx: int = 0
    socket_errors: int = 0
    timeouts: int = 0
    latencies_ms: list[float] = field(default_factory=list)

    def percentile(self, p: float) -> float | None:
        if not self.latencies_ms:
            return None
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    def summary(self) -> dict[str, float | int | None]:
        p50, p99 = self.percentile(50), self.percentile(99)
        return {
            "rate_per_s": round(self.rate, 1),
            "sent": self.sent,
            "ok": self.ok,
            "non_2xx": self.non_2xx,
            "socket_errors": self.socket_errors,
            "timeouts": self.timeouts,
            "p50_ms": None if p50 is None else round(p50, 2),
            "p99_ms": None if p99 is None else round(p99, 2),
            "max_ms": round(max(self.latencies_ms), 2) if self.latencies_ms else None,
        }


async def _one(host: str, port: int, request: bytes, due: float, result: OpenLoopResult) -> None:
    try:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(request)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = None
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            if length is None:
                await reader.read()
            else:
                await reader.readexactly(length)
        finally:
            writer.close()
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
        result.socket_errors += 1
        return
    result.latencies_ms.append((time.perf_counter() - due) * 1000)
    if 200 <= status < 300:
        result.ok += 1
    else:
        result.non_2xx += 1


async def _run(
    url: str, cookie: str, rate: float, seconds: float, timeout: float
) -> OpenLoopResult:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: {cookie}\r\n"
        "Connection: close\r\nAccept: text/html\r\n\r\n"
    ).encode()
    result = OpenLoopResult(rate)
    tasks: list[asyncio.Task[None]] = []
    start = time.perf_counter() + 0.05
    total = int(rate * seconds)
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        result.sent += 1
        sending = _one(host, port, request, due, result)
        task = asyncio.create_task(asyncio.wait_for(sending, timeout))
        tasks.append(task)
    for task in tasks:
        try:
            await task
        except TimeoutError:
            result.timeouts += 1
    return result


def open_loop(
    url: str, *, cookie: str = "", rate: float, seconds: float, timeout: float = 10.0
) -> OpenLoopResult:
    """GET ``url`` ``rate`` times a second for ``seconds`` (open loop); see the module docstring."""
    return asyncio.run(_run(url, cookie, rate, seconds, timeout))
