"""bench.open_loop (issue 12 §4): the fixed-rate client sends on schedule whatever the server
does, counts non-2xx answers and refused connections, and measures from the scheduled time."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.open_loop import open_loop


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/slow":
            time.sleep(0.2)
        status = 500 if self.path == "/fail" else 200
        body = b"ok" if self.headers.get("Cookie") == "session=abc" else b"no cookie"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_sends_at_the_rate_and_counts_answers(server: str) -> None:
    result = open_loop(f"{server}/ok", cookie="session=abc", rate=50, seconds=1)
    assert result.sent == 50
    assert result.ok == 50 and result.non_2xx == 0 and result.socket_errors == 0
    failed = open_loop(f"{server}/fail", rate=20, seconds=0.5)
    assert failed.non_2xx == 10 and failed.ok == 0


def test_latency_counts_from_the_scheduled_time(server: str) -> None:
    # 0.2 s answers: whatever the client does, no latency can be below the server's time
    result = open_loop(f"{server}/slow", rate=20, seconds=0.5)
    assert result.ok == 10
    assert min(result.latencies_ms) >= 200
    assert result.summary()["p50_ms"] is not None


def test_a_refused_connection_is_a_socket_error() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed when the block ends: nobody listens there
    result = open_loop(f"http://127.0.0.1:{port}/", rate=10, seconds=0.5)
    assert result.socket_errors == 5 and result.ok == 0
