"""Fixtures for the browser tests: Debian's chromium driven by Playwright against a live server.

- ``browser``: one headless chromium per session (``/usr/bin/chromium``, never a downloaded one).
  Missing chromium or playwright: the tests FAIL when ``CI=true`` and are skipped elsewhere.
- ``new_page``: ``new_page(locale="zh-CN")`` opens a page in a fresh browser context (closed after
  the test) that records server errors, page errors and console errors; ``check_page(page)``
  fails the test with whatever it recorded.
- helpers: ``log_in(page, server, username, role, lang)`` through the log-in form and the language
  switch link; ``Texts(server, lang)`` the app's own wording in a language (its catalogs).
- ``live_server``: the demo (``load_demo``) on a fresh SQLite file, served by werkzeug on
  127.0.0.1 with a random port in a thread; a second thread keeps every projection caught up
  every 0.2 s while the browser acts. ``demo_server`` is the same, shared by a module (for tests
  that only read).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_babel import gettext
from werkzeug.serving import WSGIRequestHandler, make_server

from projections.labels import STEP_LABELS
from tests.web.conftest import DEMO_PASSWORDS, load_demo, make_app
from web import get_db
from web.common import labels
from web.common.i18n import LANGUAGES

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK = "127.0.0.1"
CATCH_UP_SECONDS = 0.2
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _unavailable(reason: str) -> None:
    """Fail in CI (the browser tests must run there), skip elsewhere, with the reason."""
    if in_ci():
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).is_file():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class PageProblems:
    """What went wrong while a page was driven: server errors, script errors, CSP reports."""

    server_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def all(self) -> list[str]:
        return self.server_errors + self.page_errors + self.console_errors


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """``new_page(locale="zh-CN")``: a page in its own fresh context (cookies, language)."""
    contexts: list[Any] = []

    def open_page(locale: str = "zh-CN") -> Any:
        context = browser.new_context(
            locale=locale,
            timezone_id="Asia/Shanghai",
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        problems = PageProblems()
        page.on(
            "response",
            lambda r: (
                problems.server_errors.append(f"{r.status} {r.request.method} {r.url}")
                if r.status >= 500
                else None
            ),
        )
        page.on("pageerror", lambda e: problems.page_errors.append(f"page error: {e}"))
        page.on(
            "console",
            lambda m: (
                problems.console_errors.append(f"console {m.type}: {m.text} ({page.url})")
                if m.type == "error"
                else None
            ),
        )
        page.problems = problems
        return page

    yield open_page
    for context in contexts:
        context.close()


def check_page(page: Any) -> None:
    """Fail with every server error (5xx), script error or console error the page recorded."""
    problems = page.problems.all()
    assert not problems, "the browser saw problems:\n" + "\n".join(problems)


@dataclass
class LiveServer:
    url: str
    app: Flask
    catch_up_errors: list[BaseException]

    def path(self, path: str) -> str:
        return self.url + path

    def catch_up(self) -> None:
        """Bring the read models up to date now (the background thread does it every 0.2 s)."""
        from projections.registry import make_runner
        from web.services import get_service

        with self.app.app_context():
            make_runner(get_service(), get_db()).catch_up()


def _keep_caught_up(app: Flask, stop: threading.Event, errors: list[BaseException]) -> None:
    from projections.registry import make_runner
    from web.services import get_service

    with app.app_context():
        runner = make_runner(get_service(), get_db())
        while not stop.is_set():
            try:
                runner.catch_up()
            except Exception as error:  # reported by the fixture at teardown
                errors.append(error)
            stop.wait(CATCH_UP_SECONDS)


class _QuietHandler(WSGIRequestHandler):
    """No access log line per request (errors are still logged)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@contextmanager
def serve(app: Flask) -> Iterator[LiveServer]:
    """Serve ``app`` on 127.0.0.1 (random port) while keeping its projections caught up."""
    server = make_server(LOOPBACK, 0, app, threaded=True, request_handler=_QuietHandler)
    serving = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    stop = threading.Event()
    errors: list[BaseException] = []
    follower = threading.Thread(
        target=_keep_caught_up, args=(app, stop, errors), name="catch-up", daemon=True
    )
    serving.start()
    follower.start()
    try:
        yield LiveServer(f"http://{LOOPBACK}:{server.server_port}", app, errors)
    finally:
        stop.set()
        server.shutdown()
        serving.join(timeout=10)
        follower.join(timeout=10)
        server.server_close()
    assert not errors, f"catching up the projections failed: {errors!r}"


@contextmanager
def demo_app_at(directory: Path) -> Iterator[Flask]:
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("AFTERSALES_"):
                patch.delenv(name)
        app = make_app(directory)
        load_demo(app)
        try:
            yield app
        finally:
            with app.app_context():
                get_db().close()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The demo, served for one test (which may change it)."""
    with demo_app_at(tmp_path) as app, serve(app) as server:
        yield server


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The demo, served for a whole module of tests that only read."""
    with demo_app_at(tmp_path_factory.mktemp("demo-server")) as app, serve(app) as server:
        yield server


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


# --- helpers for the tests ------------------------------------------------------------------


@dataclass
class Texts:
    """The app's own wording in one language (``?lang=`` picks the catalog, as on the site)."""

    server: LiveServer
    lang: str

    def __call__(self, msgid: Any, **values: Any) -> str:
        with self.server.app.test_request_context(f"/?lang={self.lang}"):
            if isinstance(msgid, str):
                return str(gettext(msgid, **values))
            return str(msgid)  # a lazy_gettext string, rendered now in this language

    def status(self, code: str) -> str:
        return self(labels.STATUS_LABELS[code])

    def step(self, code: str, **values: str) -> str:
        return self(STEP_LABELS[code]).format(**values)


def log_in(page: Any, server: LiveServer, username: str, role: str, lang: str = "zh_CN") -> None:
    """Log in through the form (a Chinese page), then pick ``lang`` with the switch link."""
    t = Texts(server, "zh_CN")
    page.goto(server.path("/login"))
    page.get_by_label(t("Username")).fill(username)
    page.get_by_label(t("Password")).fill(DEMO_PASSWORDS[role])
    with page.expect_navigation():
        page.locator("form[action$='/login'] button[type=submit]").click()
    assert page.get_by_test_id("current-user").is_visible(), f"{username} is not logged in"
    if lang != "zh_CN":
        switch_language(page, lang)


def switch_language(page: Any, lang: str) -> None:
    """Click the language switch link in the page header (never a typed URL)."""
    with page.expect_navigation():
        page.locator("nav.lang-switch").get_by_role("link", name=LANGUAGES[lang]).click()
    expected = {"zh_CN": "zh-CN", "en": "en"}[lang]
    assert page.locator("html").get_attribute("lang") == expected
