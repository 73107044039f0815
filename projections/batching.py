"""Helpers for projections that apply a batch of events at once (issue 12: few round trips).

:func:`select_in` reads the rows for many keys in one query on both stores (PostgreSQL
``= ANY(?)`` with one array parameter; SQLite ``IN (?, ?, ...)`` in chunks under its variable
limit).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from projections.db import DbConnection, check_identifier

__all__ = ["SQLITE_CHUNK", "select_in"]

SQLITE_CHUNK = 500
"""Keys per SQLite query (its default limit of bound variables is 999 before 3.32)."""


def select_in(tx: DbConnection, select: str, column: str, keys: Collection[str]) -> list[Any]:
    """Rows of ``select`` (ending in ``WHERE``, e.g. ``"SELECT * FROM t WHERE"``) whose
    ``column`` is one of ``keys``; no query at all for no keys."""
    check_identifier(column)
    wanted = list(keys)
    if not wanted:
        return []
    if tx.dialect == "postgresql":
        return list(tx.execute(f"{select} {column} = ANY(?)", (wanted,)).fetchall())
    rows: list[Any] = []
    for i in range(0, len(wanted), SQLITE_CHUNK):
        chunk = wanted[i : i + SQLITE_CHUNK]
        marks = ", ".join("?" for _ in chunk)
        rows.extend(tx.execute(f"{select} {column} IN ({marks})", chunk).fetchall())
    return rows
