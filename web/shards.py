"""Stores split by merchant (issue 12, docs/scaling.md): past the write rate one PostgreSQL event
table allows, each group of merchants gets an event store of its own, each a PostgreSQL primary
with its read model beside it, and the web tier routes every command and page to the store that
holds the merchant.

Configured by ``AFTERSALES_SHARDS`` (config ``SHARDS``), JSON naming the stores besides the
default one (``AFTERSALES_DATABASE_URL``), each with its URL and its merchants::

    {"store2": {"url": "postgresql://app@db2:5432/aftersales", "merchants": ["m1002", "m2001"]}}

Unset (the default), nothing here runs: one store, as before.

- The **default store** holds every merchant not listed, and the platform's own tables (accounts,
  log-in sessions, API tokens): those are always read from ``web.platform_db()``.
- **Why by merchant**: every aggregate a command touches belongs to one merchant (the case, its
  order, the merchant's policy, the consumer's history with that merchant: R2, R3.a, R12.a), so a
  command is one transaction on one store, never a distributed one.
- **Routing a command** (:class:`RoutedService`): by the ``settlement_no`` (the default store:
  settlements are the platform's), ``merchant_id``, ``order_no`` or ``case_no`` it names, in that
  order (``open_case`` names an order and maybe a new case number: the order decides).
- **Finding a case's or an order's store**: its aggregate id is derived from its number
  (``domain.ids``), so each store is asked for one event of that id (a primary-key read of the
  library's table, ≈ 1 ms), and the answer is kept in the process for good: a case never moves.
  No directory table to keep in step: a case opened a moment ago is found at once, where a
  directory filled by a projection would lag behind it.
- **Pages**: a request about one case, order or merchant (its URL names it, or the viewer is that
  merchant's staff) reads that store's read model (``web.get_db()`` returns it); a page that spans
  merchants (a consumer's cases, the platform's queues) reads every store and merges the rows in
  the order the query gives (``web.shard_reads``).
- **Projections and timers**: each store has its own runner writing its own read model with its
  own tracking, e.g. ``AFTERSALES_DATABASE_URL=<store2 url> aftersales projections run``;
  ``aftersales up``/``serve`` follow every store (:func:`store_runners`).
"""

from __future__ import annotations

import inspect
import json
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from flask import Flask, current_app, g, has_request_context, request

if TYPE_CHECKING:
    from domain.service import AfterSales
    from projections.db import Database

SHARDS_SETTING = "AFTERSALES_SHARDS"
DEFAULT = "default"
_NAME = re.compile(r"[a-z][a-z0-9_]{0,30}")
_KEY = "aftersales.stores"
_lock = threading.Lock()
_PIN = "_aftersales_store"


class ShardsError(ValueError):
    """``AFTERSALES_SHARDS`` cannot be used; the message says why."""


@dataclass(frozen=True)
class ShardMap:
    """The stores besides the default: name -> URL, and merchant id -> store name."""

    urls: Mapping[str, str]
    merchants: Mapping[str, str]

    def store_of_merchant(self, merchant_id: str) -> str:
        return self.merchants.get(merchant_id, DEFAULT)


def parse_shards(raw: str | Mapping[str, Any] | None, default_url: str = "") -> ShardMap | None:
    """``AFTERSALES_SHARDS`` (JSON text, or the decoded mapping) as a :class:`ShardMap`; None when
    unset or empty (one store). Raises :class:`ShardsError` naming what is wrong."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as error:
            raise ShardsError(f"{SHARDS_SETTING} is not JSON: {error}") from None
    if not isinstance(raw, Mapping) or not raw:
        raise ShardsError(f'{SHARDS_SETTING}: {{"name": {{"url": ..., "merchants": [...]}}}}')
    urls: dict[str, str] = {}
    merchants: dict[str, str] = {}
    for name, spec in raw.items():
        if not isinstance(name, str) or not _NAME.fullmatch(name) or name == DEFAULT:
            raise ShardsError(f"{SHARDS_SETTING}: {name!r} is not a store name (a-z, 0-9, _)")
        url = spec.get("url") if isinstance(spec, Mapping) else None
        listed = spec.get("merchants") if isinstance(spec, Mapping) else None
        if not isinstance(url, str) or not url.strip():
            raise ShardsError(f"{SHARDS_SETTING}: store {name!r} has no url")
        if url == default_url or url in urls.values():
            raise ShardsError(f"{SHARDS_SETTING}: store {name!r} shares its url with another")
        if (
            not isinstance(listed, list)
            or not listed
            or not all(isinstance(m, str) and m for m in listed)
        ):
            raise ShardsError(f"{SHARDS_SETTING}: store {name!r} lists no merchants")
        for merchant_id in listed:
            if merchant_id in merchants:
                raise ShardsError(f"{SHARDS_SETTING}: merchant {merchant_id!r} listed twice")
            merchants[merchant_id] = name
        urls[name] = url
    return ShardMap(urls, merchants)


class Stores:
    """The app's stores: a service (event store) and a read-model ``Database`` each, opened on
    first use; the default store's are the app's own (``web.services``, ``web.platform_db``)."""

    def __init__(self, app: Flask, shard_map: ShardMap) -> None:
        self.app = app
        self.map = shard_map
        self._services: dict[str, AfterSales] = {}
        self._dbs: dict[str, Database] = {}
        self._cases: dict[str, str] = {}
        self._orders: dict[str, str] = {}
        self._lock = threading.Lock()

    @property
    def names(self) -> tuple[str, ...]:
        return (DEFAULT, *self.map.urls)

    def url(self, name: str) -> str:
        return str(self.app.config["DATABASE_URL"]) if name == DEFAULT else self.map.urls[name]

    def service(self, name: str) -> AfterSales:
        from web.services import service_for

        if name == DEFAULT:
            return service_for(self.app)
        with self._lock:
            if name not in self._services:
                from projections.event_store import open_service

                self._services[name] = open_service(self.map.urls[name])
            return self._services[name]

    def db(self, name: str) -> Database:
        from web import platform_db

        if name == DEFAULT:
            return platform_db(self.app)
        with self._lock:
            if name not in self._dbs:
                from projections.db import Database

                self._dbs[name] = Database.from_url(self.map.urls[name])
            return self._dbs[name]

    # --- where a merchant, an order, a case is -------------------------------------------------
    def store_of_merchant(self, merchant_id: str) -> str:
        return self.map.store_of_merchant(merchant_id)

    def store_of_case(self, case_no: str) -> str:
        from domain import ids

        return self._found(self._cases, case_no, ids.case_id(case_no))

    def store_of_order(self, order_no: str) -> str:
        from domain import ids

        return self._found(self._orders, order_no, ids.order_id(order_no))

    def _found(self, known: dict[str, str], number: str, aggregate_id: UUID) -> str:
        name = known.get(number)
        if name is not None:
            return name
        for name in self.names:
            if self.service(name).recorder.select_events(aggregate_id, limit=1):
                known[number] = name  # kept: a case or an order never moves between stores
                return name
        return DEFAULT  # unknown everywhere: the command refuses it as it does on one store

    def route(self, arguments: Mapping[str, Any]) -> str:
        """The store a command with these arguments runs on."""
        if arguments.get("settlement_no"):
            return DEFAULT
        if arguments.get("merchant_id"):
            return self.store_of_merchant(str(arguments["merchant_id"]))
        if arguments.get("order_no"):
            return self.store_of_order(str(arguments["order_no"]))
        if arguments.get("case_no"):
            return self.store_of_case(str(arguments["case_no"]))
        return DEFAULT

    def close(self) -> None:
        for service in self._services.values():
            with suppress(Exception):
                service.close()
        for db in self._dbs.values():
            with suppress(Exception):
                db.close()
        self._services.clear()
        self._dbs.clear()


def stores_for(app: Flask) -> Stores | None:
    """The app's :class:`Stores`, or None when it runs on one store (``SHARDS`` unset)."""
    raw = app.config.get("SHARDS")
    if not raw:
        return None
    stores: Stores | None = app.extensions.get(_KEY)
    if stores is None:
        with _lock:
            stores = app.extensions.get(_KEY)
            if stores is None:
                shard_map = parse_shards(raw, str(app.config.get("DATABASE_URL", "")))
                assert shard_map is not None
                stores = app.extensions[_KEY] = Stores(app, shard_map)
    return stores


def current_stores() -> Stores | None:
    return stores_for(current_app._get_current_object())  # type: ignore[attr-defined]


# --- the store of the current request ----------------------------------------------------------
def request_store(stores: Stores) -> str | None:
    """The one store this request is about: the case, order or merchant its URL names, or the
    store of the merchant whose staff is asking; None for a page that spans stores."""
    if not has_request_context():
        return None
    pinned: str | None = g.get(_PIN)
    if pinned is not None:
        return pinned
    args = request.view_args or {}
    name: str | None = None
    if args.get("case_no"):
        name = stores.store_of_case(str(args["case_no"]))
    elif args.get("order_no"):
        name = stores.store_of_order(str(args["order_no"]))
    elif args.get("merchant_id"):
        name = stores.store_of_merchant(str(args["merchant_id"]))
    else:
        account = g.get("account")
        if account is not None and account.role == "merchant" and account.merchant_id:
            name = stores.store_of_merchant(account.merchant_id)
    if name is not None and "account" in g:  # decided once the viewer is known
        setattr(g, _PIN, name)
    return name


def request_db() -> Database | None:
    """The read model of the request's store (``web.get_db`` uses it), None for the platform's."""
    stores = current_stores()
    if stores is None:
        return None
    name = request_store(stores)
    return None if name is None else stores.db(name)


def read_dbs() -> list[Database]:
    """The read models a list on this page reads: the request's store when it has one, else every
    store's (a consumer's cases, the platform's queues)."""
    from web import get_db

    stores = current_stores()
    if stores is None:
        return [get_db()]
    name = request_store(stores)
    return [stores.db(name)] if name is not None else [stores.db(n) for n in stores.names]


@contextmanager
def on_store_of(*, case_no: str | None = None, order_no: str | None = None) -> Iterator[None]:
    """Within it, ``get_db()`` and the service read the store holding this case or order: for a
    page that spans stores and then reads more about each row (an order's cases, a case's
    timeline). Nothing on one store."""
    stores = current_stores()
    if stores is None or not has_request_context():
        yield
        return
    name = stores.store_of_case(case_no) if case_no else stores.store_of_order(order_no or "")
    before = g.get(_PIN)
    setattr(g, _PIN, name)
    try:
        yield
    finally:
        if before is None:
            g.pop(_PIN, None)
        else:
            setattr(g, _PIN, before)


def db_for_case(case_no: str) -> Database:
    """The read model holding ``case_no`` (the one read model on one store)."""
    from web import get_db

    stores = current_stores()
    return get_db() if stores is None else stores.db(stores.store_of_case(case_no))


# --- commands ----------------------------------------------------------------------------------
class RoutedService:
    """Looks like ``AfterSales`` to the pages and the API: each command runs on the store that
    holds the merchant, order or case it names (:meth:`Stores.route`); anything else (the recorder
    a runner reads, ...) is the request's store's, or the default's."""

    def __init__(self, stores: Stores) -> None:
        self._stores = stores

    def __getattr__(self, name: str) -> Any:
        from domain.service import AfterSales

        stores = self._stores
        signature = _signature(AfterSales, name)
        if signature is None:
            return getattr(stores.service(request_store(stores) or DEFAULT), name)

        def routed(*args: Any, **kwargs: Any) -> Any:
            given = (None, *args) if "self" in signature.parameters else args
            bound = signature.bind_partial(*given, **kwargs).arguments
            return getattr(stores.service(stores.route(bound)), name)(*args, **kwargs)

        routed.__name__ = name
        return routed


_ROUTING_ARGUMENTS = {"settlement_no", "merchant_id", "order_no", "case_no"}
_signatures: dict[str, inspect.Signature | None] = {}


def _signature(cls: type, name: str) -> inspect.Signature | None:
    """The signature of ``cls.name`` when it is a method naming what it routes by, else None."""
    if name not in _signatures:
        member = getattr(cls, name, None)
        found: inspect.Signature | None = None
        if callable(member) and not name.startswith("_") and not isinstance(member, type):
            with suppress(TypeError, ValueError):
                signature = inspect.signature(member)
                if _ROUTING_ARGUMENTS & set(signature.parameters):
                    found = signature
        _signatures[name] = found
    return _signatures[name]


def routed_service(app: Flask) -> AfterSales:
    stores = stores_for(app)
    assert stores is not None
    return cast("AfterSales", RoutedService(stores))


# --- workers -----------------------------------------------------------------------------------
def each_store(app: Flask) -> Iterator[tuple[str, str]]:
    """(name, URL) of every store of the app: the default first."""
    stores = stores_for(app)
    yield DEFAULT, str(app.config["DATABASE_URL"])
    if stores is not None:
        yield from stores.map.urls.items()


def store_runners(app: Flask) -> list[tuple[AfterSales, Any]]:
    """A projection runner per store, each reading its own event store and writing its own read
    model (its own tracking): (service, runner) pairs."""
    from projections.registry import make_runner
    from web import platform_db
    from web.services import service_for

    stores = stores_for(app)
    if stores is None:
        return [(service_for(app), make_runner(service_for(app), platform_db()))]
    return [(stores.service(n), make_runner(stores.service(n), stores.db(n))) for n in stores.names]


def migrate_stores(app: Flask) -> None:
    """``aftersales migrate`` for the stores besides the default (read model and event tables)."""
    from projections.db import Database
    from projections.event_store import create_event_store_tables
    from projections.migrate import migrate

    for name, url in each_store(app):
        if name == DEFAULT:
            continue
        with Database.from_url(url) as db:
            migrate(db)
        create_event_store_tables(url)
