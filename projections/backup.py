"""Backups of the event store (issue 10): ``aftersales export`` / ``aftersales import``.

The file is JSON lines: a header ``{"format": "aftersales-events/1", "cases": [...]}``, one line
per stored event in notification order (``notification_id``, ``originator_id``, ``version``,
``topic`` and ``state`` as base64 of the stored bytes, so every hash survives), and a trailer
``{"end": true, "events": N, "head": "ID:HASH"}``: the store chain (``domain.store_chain``) over
the lines. ``import`` reads and checks the whole file (every line, the count, the head) before it
writes anything, then inserts the rows with their notification ids, in one transaction, into an
empty store only. Afterwards ``aftersales verify`` gives the same head as the exported store.

An export of some cases holds their events and the request records that name them (so a
repeated request is still answered), not their orders or policies.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO
from uuid import UUID

from psycopg import sql

from domain import ids
from domain.chain import StoredShape
from domain.service import AfterSales
from domain.store_chain import StoreHead, StoreWalk
from domain.store_verification import PAGE

FORMAT = "aftersales-events/1"


class BackupError(Exception):
    """A file that cannot be imported, or a store that must not receive it."""


@dataclass(frozen=True)
class Row:
    notification_id: int
    originator_id: UUID
    version: int
    topic: str
    state: bytes

    def to_json(self) -> str:
        return json.dumps(
            {
                "notification_id": self.notification_id,
                "originator_id": str(self.originator_id),
                "version": self.version,
                "topic": self.topic,
                "state": base64.b64encode(self.state).decode("ascii"),
            },
            separators=(",", ":"),
        )


@dataclass(frozen=True)
class Summary:
    events: int
    head: StoreHead
    cases: tuple[str, ...] = ()  # an export of these cases only (empty: the whole store)


def _wanted(app: AfterSales, notification: Any, cases: set[UUID]) -> bool:
    if not cases:
        return True
    if UUID(str(notification.originator_id)) in cases:
        return True
    shape = app.decode_stored(notification)
    return isinstance(shape, StoredShape) and shape.attributes.get("target_id") in cases


def export_events(app: AfterSales, out: TextIO, case_nos: Sequence[str] = ()) -> Summary:
    """Write the store (or the given cases) to ``out``; the head is the chain over what was
    written."""
    cases = {ids.case_id(no) for no in case_nos}
    for no in case_nos:
        if not app.recorder.select_events(ids.case_id(no), limit=1):
            raise BackupError(f"unknown case {no!r}: nothing exported")
    out.write(json.dumps({"format": FORMAT, "cases": list(case_nos)}) + "\n")
    walk = StoreWalk(gaps_are_breaks=False)
    start = 1
    while True:
        page = app.recorder.select_notifications(start, PAGE)
        if not page:
            break
        for n in page:
            if not _wanted(app, n, cases):
                continue
            row = Row(n.id, UUID(str(n.originator_id)), n.originator_version, n.topic, n.state)
            walk.add(row.notification_id, row.originator_id, row.version, row.topic, row.state)
            out.write(row.to_json() + "\n")
        start = page[-1].id + 1
    out.write(json.dumps({"end": True, "events": walk.count, "head": str(walk.head)}) + "\n")
    return Summary(walk.count, walk.head, tuple(case_nos))


def read_backup(lines: Iterable[str]) -> tuple[list[Row], Summary]:
    """Every row of a backup file, checked: format, fields, order, count and head."""
    rows: list[Row] = []
    walk = StoreWalk(gaps_are_breaks=False)
    trailer: dict[str, Any] | None = None
    cases: tuple[str, ...] = ()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if trailer is not None:
            raise BackupError(f"line {number}: data after the end line")
        try:
            item = json.loads(line)
        except ValueError:
            raise BackupError(f"line {number}: not JSON") from None
        if not isinstance(item, dict):
            raise BackupError(f"line {number}: not a JSON object")
        if number == 1:
            if item.get("format") != FORMAT:
                raise BackupError(f"line 1: not an aftersales export (format {FORMAT} expected)")
            cases = tuple(str(c) for c in item.get("cases") or ())
            continue
        if item.get("end") is True:
            trailer = item
            continue
        row = _row(number, item)
        if rows and row.notification_id <= rows[-1].notification_id:
            raise BackupError(f"line {number}: notification ids out of order")
        walk.add(row.notification_id, row.originator_id, row.version, row.topic, row.state)
        rows.append(row)
    if trailer is None:
        raise BackupError("the file has no end line: it was cut short (truncated)")
    if trailer.get("events") != len(rows) or trailer.get("head") != str(walk.head):
        raise BackupError(
            f"the file's end line says {trailer.get('events')} event(s), head "
            f"{trailer.get('head')}; its lines give {len(rows)}, head {walk.head}: "
            "the file was altered"
        )
    return rows, Summary(len(rows), walk.head, cases)


def _row(number: int, item: dict[str, Any]) -> Row:
    try:
        nid, version = item["notification_id"], item["version"]
        if not isinstance(nid, int) or not isinstance(version, int) or nid < 1 or version < 1:
            raise ValueError
        topic = item["topic"]
        if not isinstance(topic, str) or not topic:
            raise ValueError
        state = base64.b64decode(str(item["state"]), validate=True)
        return Row(nid, UUID(str(item["originator_id"])), version, topic, state)
    except (KeyError, ValueError, binascii.Error):
        raise BackupError(
            f"line {number}: an event line has notification_id, originator_id, version, "
            "topic and state (base64)"
        ) from None


def import_events(app: AfterSales, lines: Iterable[str]) -> Summary:
    """Restore a backup into ``app``'s store, which must be empty."""
    rows, summary = read_backup(lines)
    recorder = app.recorder
    table = recorder.events_table_name
    postgres = type(recorder).__module__.startswith("eventsourcing.postgres")
    with recorder.datastore.transaction(commit=True) as cursor:
        if postgres:
            name = sql.Identifier(recorder.datastore.schema, table)
            cursor.execute(sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(name))
            cursor.execute(sql.SQL("SELECT 1 FROM {} LIMIT 1").format(name))
        else:
            cursor.execute(f"SELECT 1 FROM {table} LIMIT 1")
        if cursor.fetchone() is not None:
            raise BackupError(
                "the store is not empty: import restores into an empty store only "
                "(point AFTERSALES_DATABASE_URL at a new database or schema)"
            )
        if postgres:
            insert = sql.SQL(
                "INSERT INTO {} (notification_id, originator_id, originator_version, topic, "
                "state) VALUES (%s, %s, %s, %s, %s)"
            ).format(name)
            for r in rows:
                values = (r.notification_id, r.originator_id, r.version, r.topic, r.state)
                cursor.execute(insert, values)
            if rows:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'notification_id'), %s)",
                    (name.as_string(cursor), rows[-1].notification_id),
                )
        else:
            for r in rows:
                cursor.execute(
                    f"INSERT INTO {table} (rowid, originator_id, originator_version, topic, "
                    "state) VALUES (?, ?, ?, ?, ?)",
                    (r.notification_id, r.originator_id.hex, r.version, r.topic, r.state),
                )
    return summary
