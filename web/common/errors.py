"""Errors as people and programs should see them; never a traceback.

Under ``/api/`` every error is JSON::

    400 {"error": "invalid", "fields": {"amount": ["Must be positive."]}}   ValidationError
    400 {"error": "invalid", "rule": "input", "message": ..., "field": ..., "fields": {...}}
                                                                      DomainError kind "invalid"
    400 {"error": "csrf", "message": ...}                             missing/wrong CSRF token
    401 {"error": "unauthorized", "message": ...}                     (+ WWW-Authenticate: Bearer)
    403 {"error": "forbidden", "message": ...}
    404 {"error": "not_found", "message": ...}                        also DomainError "forbidden":
                                                                      another party's case is
                                                                      "not found", never "forbidden"
    405 {"error": "method_not_allowed", "message": ...}               (+ Allow)
    409 {"error": "conflict", "rule": "R10", "message": ..., "field": null}   DomainError
    413 {"error": "too_large", "message": ...}                        body over MAX_CONTENT_LENGTH
    500 {"error": "server_error", "message": ...}                     logged with its traceback
    400 {"error": "invalid", "message": ...}                          a JSON body nested too deeply
    503 {"error": "unavailable", "message": ...}                      the database is away (lost
                                                                      connections, locked, pool
                                                                      timeout): + Retry-After

Other paths get a friendly page (templates/errors/error.html) in the viewer's language.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import psycopg
from eventsourcing import persistence
from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from markupsafe import escape
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from domain.errors import DomainError
from projections.db import database_unavailable
from web.common.csrf import CSRFError

log = logging.getLogger(__name__)

CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    413: "too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "too_many_requests",
    500: "server_error",
    503: "unavailable",
}

RETRY_AFTER_SECONDS = 5
"""Sent with a 503 while the database is away (issue 10): the site recovers by itself."""

TITLES: dict[int, Any] = {
    400: _l("The request could not be handled"),
    401: _l("Please log in"),
    403: _l("Not allowed"),
    404: _l("Page not found"),
    405: _l("Not possible here"),
    409: _l("This step is not possible now"),
    413: _l("Too large"),
    500: _l("Something went wrong"),
    503: _l("Temporarily unavailable"),
}

MESSAGES: dict[int, Any] = {
    400: _l("The request was incomplete or malformed."),
    401: _l("You need to log in to see this."),
    403: _l("Your account may not do this."),
    404: _l("There is nothing here. The address may be wrong or the page may have moved."),
    405: _l("This address does not accept this kind of request."),
    409: _l("The case has changed, or the step does not fit its current state."),
    413: _l("The upload is larger than the limit of %(limit)s MB."),
    500: _l("An error on our side stopped this request. It has been recorded; please try again."),
    503: _l(
        "The service cannot reach its database just now. Nothing was changed; "
        "please try again in a few seconds."
    ),
}

DATABASE_ERRORS: tuple[type[Exception], ...] = (
    psycopg.OperationalError,
    psycopg.InterfaceError,
    sqlite3.OperationalError,
    persistence.OperationalError,
    persistence.InterfaceError,
)
"""Errors :func:`handle_database_error` answers (503 when the database is away, else 500)."""

DOMAIN_STATUS = {"invalid": 400, "not_found": 404, "forbidden": 404, "conflict": 409}


def is_api_request() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def _message(code: int) -> str:
    if code == 413:
        limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
        return str(MESSAGES[413]) % {"limit": f"{limit / (1024 * 1024):g}"}
    text = MESSAGES.get(code) or MESSAGES[500 if code >= 500 else 400]
    return str(text)


def _title(code: int) -> str:
    return str(TITLES.get(code) or TITLES[500 if code >= 500 else 400])


def _page(code: int, message: str, **extra: Any) -> Response:
    try:
        body = render_template(
            "errors/error.html", code=code, title=_title(code), message=message, **extra
        )
    except Exception:  # the error page itself failed (a broken database, say): stay plain
        log.exception("error page %s could not be rendered", code)
        body = f"<!doctype html><meta charset='utf-8'><title>{code}</title><p>{escape(message)}"
    response = make_response(body, code)
    response.content_type = "text/html; charset=utf-8"
    return response


def _json(code: int, body: dict[str, Any]) -> ResponseReturnValue:
    response = jsonify(body)
    response.status_code = code
    return response


def handle_http_exception(error: HTTPException) -> ResponseReturnValue:
    code = error.code or 500
    if code < 400:
        return error
    custom = error.description != type(error).description and code < 500
    if isinstance(error, CSRFError):
        message, custom = str(error.description), True
    else:
        message = str(error.description) if custom else _message(code)
    headers: dict[str, str] = {}
    if code == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
    if code == 401 and is_api_request():
        headers["WWW-Authenticate"] = "Bearer"
    if is_api_request():
        kind = "csrf" if isinstance(error, CSRFError) else CODES.get(code, f"http_{code}")
        response = jsonify({"error": kind, "message": message})
        response.status_code = code
        response.headers.update(headers)
        return response
    page = _page(code, message)
    page.headers.update(headers)
    return page


def handle_validation_error(error: ValidationError) -> ResponseReturnValue:
    messages = error.messages
    fields = messages if isinstance(messages, dict) else {"_schema": messages}
    if is_api_request():
        return _json(400, {"error": "invalid", "fields": fields})
    return _page(400, _message(400), fields=fields)


def handle_domain_error(error: DomainError) -> ResponseReturnValue:
    code = DOMAIN_STATUS.get(error.kind, 409)
    if error.kind == "forbidden":  # do not tell whether the thing exists
        if is_api_request():
            return _json(404, {"error": "not_found", "message": _message(404)})
        return _page(404, _message(404))
    if is_api_request():
        body: dict[str, Any] = {
            "error": {400: "invalid", 404: "not_found"}.get(code, "conflict"),
            "rule": error.rule,
            "message": error.message,
            "field": error.field,
        }
        if code == 400:
            body["fields"] = {error.field or "_schema": [error.message]}
        return _json(code, body)
    from web.common.actions import refusal_text  # the sentence, never the developer text

    return _page(code, refusal_text(error), rule=error.rule)


def handle_database_error(error: Exception) -> ResponseReturnValue:
    """503 with ``Retry-After`` while the database is away (issue 10); any other database
    error is a 500, logged with its traceback. Never a stack trace to the client."""
    if not database_unavailable(error):
        log.error("database error", exc_info=error)
        return handle_http_exception(InternalServerError(original_exception=error))
    log.warning("database unavailable: %s: %s", type(error).__name__, str(error).strip()[:200])
    if is_api_request():
        response = jsonify({"error": CODES[503], "message": _message(503)})
        response.status_code = 503
    else:
        response = _page(503, _message(503))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def handle_recursion_error(error: RecursionError) -> ResponseReturnValue:
    """A JSON body nested deeper than Python's parser can follow (issue 10: 100,000 ``[``) is
    the client's mistake: 400. Any other RecursionError is ours: 500, logged."""
    frame = error.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    innermost = frame.tb_frame.f_code.co_filename if frame is not None else ""
    if not innermost.replace("\\", "/").endswith(("json/decoder.py", "json/scanner.py")):
        log.error("recursion error", exc_info=error)
        return handle_http_exception(InternalServerError(original_exception=error))
    message = str(_l("The request body is nested too deeply."))
    if is_api_request():
        body = {"error": "invalid", "message": message, "fields": {"_schema": [message]}}
        return _json(400, body)
    return _page(400, message)


def _refuse_oversized_body() -> None:
    """413 before anyone reads the body (or looks up a token, or checks a CSRF field)."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()


def init_app(app: Flask) -> None:
    app.before_request(_refuse_oversized_body)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(ValidationError, handle_validation_error)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(RecursionError, handle_recursion_error)
    for database_error in DATABASE_ERRORS:
        app.register_error_handler(database_error, handle_database_error)
