"""The Flask app: ``create_app(config=None)`` (the Flask tutorial's application factory).

Settings come from environment variables, read once here (``web.settings``); nothing is configured
at import time and creating the app does not touch the database (``aftersales --help`` stays fast):
the ``Database`` is built on first use by ``get_db()``.

Audience blueprints are found by module name (``AUDIENCE_MODULES``): a module that exists is
imported and either its ``init_app(app)`` is called or its ``bp`` blueprint registered, so the
people writing ``web/pages/consumer/`` & co. never edit this file.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, g, request
from flask.wrappers import Response

if TYPE_CHECKING:
    from projections.db import Database

#: Modules providing blueprints, registered in this order when they exist.
AUDIENCE_MODULES: tuple[str, ...] = (
    "web.pages.case",
    "web.pages.consumer",
    "web.pages.merchant",
    "web.pages.agent",
    "web.pages.arbitrator",
    "web.pages.finance",
    "web.pages.public",
    "web.pages.inbox",
    "web.api",
)

#: Content-Security-Policy sent with every response (config ``CONTENT_SECURITY_POLICY``; set it to
#: "" to send none). No inline scripts or styles: put them in ``web/static``.
DEFAULT_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

_DB_KEY = "aftersales.db"
_db_lock = threading.Lock()


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` overrides what the environment gives (tests pass
    ``DATABASE_URL``, ``SECRET_KEY``, ``TESTING``). A ready ``Database`` may be passed as
    ``config["DATABASE"]`` to share one between the app and a test."""
    from web import projection_worker
    from web.common import (
        actions,
        auth,
        csrf,
        errors,
        fresh_reads,
        i18n,
        move_forms,
        platform,
        request_reads,
        rule_citations,
        stores,
        timefmt,
    )
    from web.pages import auth as auth_pages
    from web.settings import load_settings
    from web.users_cli import users_cli

    app = Flask(__name__)
    given = dict(config or {})
    app.config.from_mapping(load_settings(given=given))
    app.config.setdefault("CONTENT_SECURITY_POLICY", DEFAULT_CSP)
    app.config.setdefault("AUDIENCE_MODULES", AUDIENCE_MODULES)
    app.config.update(given)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    # Order matters: who is asking (auth) before the CSRF check, which exempts bearer tokens.
    errors.init_app(app)
    request_reads.init_app(app)
    auth.init_app(app)
    auth_pages.init_app(app)
    app.cli.add_command(users_cli)
    csrf.init_app(app)
    i18n.init_app(app)
    timefmt.init_app(app)
    actions.init_app(app)
    fresh_reads.init_app(app)
    projection_worker.init_app(app)
    stores.init_app(app)
    platform.init_app(app)
    move_forms.init_app(app)
    rule_citations.init_app(app)
    app.after_request(_security_headers)

    for name in app.config["AUDIENCE_MODULES"]:
        _register_module(app, name)
    return app


def _register_module(app: Flask, name: str) -> None:
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name == name:  # not written yet; a broken import inside it still fails loudly
            return
        raise
    if hasattr(module, "init_app"):
        module.init_app(app)
    elif hasattr(module, "bp"):
        app.register_blueprint(module.bp)


def get_db() -> Database:
    """The read-model ``Database`` of the current app, built on first use (never at start).

    With stores split by merchant (``SHARDS``, ``web.shards``): the read model of the store this
    request is about (its case, order or merchant), else the default store's."""
    if current_app.config.get("SHARDS"):
        from web.shards import request_db

        routed = request_db()
        if routed is not None:
            return routed
    return platform_db()


def platform_db(app: Flask | None = None) -> Database:
    """The default store's read model, which also holds the platform's own tables (accounts,
    log-in sessions, API tokens): the one ``get_db()`` returns on a single store."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    db: Database | None = app.extensions.get(_DB_KEY) or app.config.get("DATABASE")
    if db is None:
        from projections.db import Database

        with _db_lock:
            db = app.extensions.get(_DB_KEY)
            if db is None:
                db = Database.from_url(app.config["DATABASE_URL"])
                app.extensions[_DB_KEY] = db
    return db


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    csp = current_app.config.get("CONTENT_SECURITY_POLICY")
    if csp:
        headers.setdefault("Content-Security-Policy", csp)
    if current_app.config.get("HTTPS"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if g.get("account") is not None and request.endpoint != "static":
        headers.setdefault("Cache-Control", "private, no-store")
        response.vary.add("Cookie")
    return response
