"""The production WSGI server of ``aftersales up``: waitress (pure Python, installed with the
package), not werkzeug's development server, which ``aftersales serve`` keeps for development.

``serve_site(app, host, port, ready)`` binds, calls ``ready(url)`` with the address a browser on
this machine opens, and serves until Ctrl-C or SIGTERM. A port that is taken is one line and exit
status 1, as with ``serve``."""

from __future__ import annotations

import errno
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

#: Requests served at once (waitress's worker threads).
THREADS = 8


def site_url(host: str, port: int) -> str:
    """``http://host:port/`` as a browser on this machine opens it: a server listening on every
    address (``0.0.0.0``, ``::``) is reached on the loopback address."""
    shown = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def serve_site(app: Any, host: str, port: int, ready: Callable[[str], None]) -> None:
    from waitress import create_server  # type: ignore[import-untyped]

    try:
        server: Any = create_server(app, host=host, port=port, threads=THREADS, ident="aftersales")
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise click.ClickException(
                f"Port {port} is in use by another program. Either stop that program, or start "
                "the server with a different port (--port)."
            ) from None
        raise click.ClickException(f"cannot listen on {host}:{port}: {error}") from None
    except ValueError as error:  # waitress: a host it cannot resolve
        raise click.ClickException(f"cannot listen on {host}:{port}: {error}") from None
    listening = getattr(server, "effective_listen", None) or [
        (server.effective_host, server.effective_port)
    ]
    ready(site_url(host, int(listening[0][1])))
    with _sigterm_stops():
        server.run()  # returns on Ctrl-C (KeyboardInterrupt) or SIGTERM, the server closed


@contextmanager
def _sigterm_stops() -> Iterator[None]:
    """SIGTERM (``kill``, a service manager) ends the server as Ctrl-C does: waitress stops on
    ``SystemExit`` too, finishing what it serves."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(_signum: int, _frame: object) -> None:
        raise SystemExit(0)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
