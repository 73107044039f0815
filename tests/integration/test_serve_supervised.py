"""Issue 10: ``aftersales serve`` (and ``up``) runs under the workers' supervisor. A database that
is down when it starts is waited for (logged, retried with backoff), not a traceback and exit;
once up, every backend terminated (``pg_terminate_backend``) or the database stopped again never
ends the process: the site answers again and the background projections catch up, unrestarted.

"Stopped" is real: the server is reached through a TCP relay on a free loopback port that the
test starts and stops (nothing listens there while stopped: connection refused).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from domain.policy import PolicyTerms
from domain.values import Actor, Role
from projections.event_store import open_service
from tests.integration.test_supervise import terminate_other_backends

pytestmark = pytest.mark.postgres

PLATFORM = Actor(Role.SYSTEM, "commerce-platform")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Relay:
    """A loopback TCP relay to the PostgreSQL server: ``start`` is the database coming up,
    ``stop`` it going down (the listening socket and every relayed connection closed)."""

    def __init__(self, port: int, target: tuple[str, int]) -> None:
        self.port, self.target = port, target
        self.listener: socket.socket | None = None
        self.sockets: list[socket.socket] = []

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        if self.listener is not None:
            with contextlib.suppress(OSError):  # wakes the blocked accept() (Linux)
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
        for sock in self.sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            except OSError:
                pass
        self.sockets.clear()


def wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def status_of(url: str) -> int:
    """The status of a request that reads the database (a bearer token is looked up): 401 while
    the database answers, 503 while it is away."""
    request = urllib.request.Request(url, headers={"Authorization": "Bearer as_" + "x" * 43})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return 0


@pytest.fixture
def relayed(pg_url: str) -> Iterator[tuple[str, Relay]]:
    params = conninfo_to_dict(pg_url)
    target = (str(params.get("host") or "127.0.0.1"), int(params.get("port") or 5432))
    relay = Relay(free_port(), target)
    host_port = f"{target[0]}:{target[1]}"
    assert host_port in pg_url
    yield pg_url.replace(host_port, f"127.0.0.1:{relay.port}", 1), relay
    relay.stop()


def record_policy(url: str, merchant_id: str) -> None:
    """One event the site's background projections must take (a store's policy, R19)."""
    open_service(url).publish_policy(
        request_id=f"policy:{merchant_id}",
        actor=PLATFORM,
        merchant_id=merchant_id,
        terms=PolicyTerms(categories=("phone",)),
    )


def projected(url: str, merchant_id: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            row = conn.execute(
                "SELECT 1 FROM policy_merchants WHERE merchant_id = %s", (merchant_id,)
            ).fetchone()
    except psycopg.Error:
        return False
    return row is not None


def test_serve_waits_for_a_stopped_database_and_outlives_every_outage(
    pg_url: str, relayed: tuple[str, Relay], tmp_path: Path
) -> None:
    via_relay, relay = relayed
    port = free_port()
    site = f"http://127.0.0.1:{port}/api/v1/cases"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AFTERSALES_")}
    env |= {"AFTERSALES_DATABASE_URL": via_relay, "AFTERSALES_DATA_DIR": str(tmp_path)}
    log = (tmp_path / "serve.log").open("w+")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "aftersales"), "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
    )
    try:
        # 1. The database is down at start: logged and retried, the process stays.
        assert wait_for(lambda: "serve: migrate: database unavailable" in _text(log), 40)
        assert server.poll() is None
        relay.start()
        assert wait_for(lambda: status_of(site) == 401, 60), _text(log)[-2000:]
        record_policy(pg_url, "O-1")
        assert wait_for(lambda: projected(pg_url, "O-1"), 30), _text(log)[-2000:]

        # 2. Every backend terminated, three times: the background loop logs and recovers.
        for _ in range(3):
            terminate_other_backends(pg_url)
            time.sleep(0.5)
        record_policy(pg_url, "O-2")
        assert wait_for(lambda: projected(pg_url, "O-2"), 60), _text(log)[-2000:]
        assert wait_for(lambda: status_of(site) == 401, 30)

        # 3. The database stopped while serving: 503 (not 500), then back without a restart.
        relay.stop()
        seen: list[int] = []
        assert wait_for(lambda: seen.append(status_of(site)) or seen[-1] == 503, 60), (
            seen,
            _text(log)[-3000:],
        )
        assert server.poll() is None
        relay.start()
        record_policy(pg_url, "O-3")
        assert wait_for(lambda: projected(pg_url, "O-3"), 90), _text(log)[-2000:]
        assert wait_for(lambda: status_of(site) == 401, 30)
        text = _text(log)
        # Issue 12: the projections have their own loop. Whether it meets the outage (and logs
        # it) or only waits in its pool until the relay is back depends on where its 0.1 s polls
        # fall; either way it must have carried on (O-3 is projected above), and when it did log
        # the outage it logged the recovery too.
        if "serve: projections: database unavailable" in text:
            assert "serve: projections: recovered after" in text
        assert "Traceback" not in text
        assert server.poll() is None
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _text(log: IO[str]) -> str:
    """What the child has written so far (read fresh from the file)."""
    return Path(log.name).read_text(errors="replace")
