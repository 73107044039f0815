"""Idempotency of commands: a client request id names one request. ``command`` marks a service
method whose arguments (less the request id and the actor) are fingerprinted, so a request id that
comes back with other values is refused instead of answered with the first result."""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar, cast

from domain.chain import canonical

F = TypeVar("F", bound=Callable[..., Any])

# The arguments of the command being run, less its request id and actor (see ``command``).
_ARGUMENTS: ContextVar[Mapping[str, Any] | None] = ContextVar("command_arguments", default=None)


def command(method: F) -> F:
    """Mark a service method as a command: its arguments are fingerprinted, so a request id that
    comes back with a different request is refused rather than answered with the first result."""
    signature = inspect.signature(method)

    @functools.wraps(method)
    def run(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        arguments = {
            k: v for k, v in bound.arguments.items() if k not in ("self", "request_id", "actor")
        }
        token = _ARGUMENTS.set(arguments)
        try:
            return method(*args, **kwargs)
        finally:
            _ARGUMENTS.reset(token)

    return cast(F, run)


def fingerprint(command_name: str, arguments: Mapping[str, Any] | None) -> str:
    if arguments is None:
        return ""
    try:
        values = canonical(dict(arguments))
    except TypeError:  # e.g. a naive datetime: the command refuses it itself, with its field
        values = {k: repr(v) for k, v in arguments.items()}
    body = json.dumps(
        {"command": command_name, "arguments": values},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@contextmanager
def arguments_of(arguments: Mapping[str, Any]) -> Iterator[None]:
    """Run a command whose arguments are ``arguments`` (for commands not made with ``command``,
    such as the generic case move): a repeated request id is compared with them."""
    token = _ARGUMENTS.set(arguments)
    try:
        yield
    finally:
        _ARGUMENTS.reset(token)


def current_arguments() -> Mapping[str, Any] | None:
    """The arguments of the command running now (``None`` outside a ``command``)."""
    return _ARGUMENTS.get()
