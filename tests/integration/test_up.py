"""Issue 11 item 12, first run: ``aftersales up`` as a newcomer runs it, in a process of its own on
a free port. It prints counts that agree with each other, then the address and a log-in; the page
answers there (waitress, not werkzeug's development server and its warning) and the printed log-in
logs in; Ctrl-C stops it cleanly. On both stores."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from web.wsgi_server import serve_site, site_url

OPEN_LINE = re.compile(
    r"^Open (?P<url>http://127\.0\.0\.1:\d+/) — log in as (?P<user>\S+) / (?P<password>\S+) "
    r"\((?P<role>\w+)\); all demo log-ins: README or the home page$"
)


class Up:
    """``aftersales up --port 0`` in a child process; its standard output, line by line."""

    def __init__(self, store_url: str, data_dir: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AFTERSALES_")}
        env |= {
            "AFTERSALES_DATABASE_URL": store_url,
            "AFTERSALES_DATA_DIR": str(data_dir),
            "AFTERSALES_SECRET_KEY": "up-test-secret-key-0123456789",
        }
        self.stderr = (data_dir / "up.err").open("w+")
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "aftersales"), "up", "--port", "0"],
            env=env,
            cwd=data_dir,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for_line(self, prefix: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [line for line in self.lines if line.startswith(prefix)]
            if found:
                return found[0]
            if self.process.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.1)
        pytest.fail(f"no line {prefix!r}; stdout {self.lines}; stderr {self.errors()[-2000:]}")

    def errors(self) -> str:
        return Path(self.stderr.name).read_text(errors="replace")

    def interrupt(self) -> int:
        """Ctrl-C, as a person at the terminal stops it."""
        self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()
        self._reader.join(timeout=5)
        return code


@pytest.fixture
def up(store_url: str, tmp_path: Path) -> Iterator[Up]:
    started = Up(store_url, tmp_path)
    yield started
    if started.process.poll() is None:
        started.process.kill()
        started.process.wait()
    started.stderr.close()


def counts(line: str, pattern: str) -> tuple[int, ...]:
    found = re.search(pattern, line)
    assert found, (pattern, line)
    return tuple(int(n) for n in found.groups())


def log_in_over_http(url: str, username: str, password: str) -> tuple[str, str]:
    """The log-in form as a browser posts it (its CSRF token, the session cookie); the page the
    site lands on after it."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    with opener.open(url + "login", timeout=30) as response:
        form = response.read().decode("utf-8")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, form[:2000]
    data = urllib.parse.urlencode(
        {"username": username, "password": password, "csrf_token": token.group(1)}
    ).encode()
    with opener.open(url + "login", data=data, timeout=30) as response:
        assert response.status == 200
        return str(response.geturl()), response.read().decode("utf-8")


def test_up_prints_counts_that_agree_then_the_address_and_a_log_in_that_works(up: Up) -> None:
    up.wait_for_line("Open ", timeout=240)
    demo = up.wait_for_line("demo: ", timeout=1)
    timers = up.wait_for_line("timers: ", timeout=1)
    read = up.wait_for_line("read models: ", timeout=1)

    # Each line says what it counts, and the counts add up: what the demo recorded is what the
    # (fresh) store holds; the timers' events come on top; the read models read all of them.
    new, held = counts(demo, r"(\d+) new events \(the event store holds (\d+)\)")
    assert "15 cases" in demo and new == held > 0
    _deadlines, more, now_held = counts(
        timers, r"(\d+) deadlines had passed; (\d+) new events \(the event store holds (\d+)\)"
    )
    assert now_held == held + more
    (read_all,) = counts(read, r"each has read all (\d+) events")
    assert read_all == now_held

    found = OPEN_LINE.match(open_line := up.wait_for_line("Open ", timeout=1))
    assert found, open_line
    url, user, password = found["url"], found["user"], found["password"]
    assert (user, found["role"]) == ("zhangsan", "consumer")  # the first of the demo cast
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200
        # waitress, named by its ``ident`` (werkzeug's development server says "Werkzeug/...")
        assert response.headers["Server"] == "aftersales"
    landed, page = log_in_over_http(url, user, password)
    assert urllib.parse.urlparse(landed).path != "/login", page[:2000]
    assert "张三" in page  # zhangsan's own pages, by her name

    assert up.interrupt() == 0
    assert up.lines[-1] == "stopped"
    errors = up.errors()
    assert "development server" not in errors and "Traceback" not in errors, errors[-2000:]


def test_a_taken_port_is_one_clear_line_and_the_address_shown_is_one_a_browser_opens() -> None:
    def never(_url: str) -> None:
        raise AssertionError("no address is announced when nothing listens")

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(click.ClickException, match=f"Port {port} is in use by another"):
            serve_site(lambda _environ, _start: [], "127.0.0.1", port, never)
    assert site_url("0.0.0.0", 8000) == "http://127.0.0.1:8000/"  # every address: loopback
    assert site_url("::", 8000) == "http://[::1]:8000/"
    assert site_url("localhost", 5000) == "http://localhost:5000/"
