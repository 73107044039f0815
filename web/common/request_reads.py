"""One read connection per page request (issue 12): a GET or HEAD request's reads of the read
model share one pooled PostgreSQL connection and one read-only snapshot
(``projections.db.Database.reading``), taken at its first read and given back when the request
ends. Other methods keep a connection per read (their writes and the reads after them must not
share a snapshot taken before)."""

from __future__ import annotations

from contextlib import ExitStack

from flask import Flask, g, request

_KEY = "_aftersales_reads"
READ_METHODS = frozenset({"GET", "HEAD"})


def _begin() -> None:
    if request.method not in READ_METHODS or request.endpoint == "static":
        return
    from web import get_db

    stack = ExitStack()
    stack.enter_context(get_db().reading())
    setattr(g, _KEY, stack)


def _end(_error: BaseException | None) -> None:
    stack: ExitStack | None = g.pop(_KEY, None)
    if stack is not None:
        stack.close()


def init_app(app: Flask) -> None:
    # Registered first: every other hook's reads (the account of the session ...) share it too.
    app.before_request_funcs.setdefault(None, []).insert(0, _begin)
    app.teardown_request(_end)
