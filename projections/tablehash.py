"""A stable digest of a table's contents, to prove that a rebuild reproduces a read model."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from projections.db import Database, check_identifier

__all__ = ["table_digest"]


def _canonical(value: Any) -> Any:
    """A JSON-able form of a column value that keeps its type distinct (1 vs "1" vs True)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return {"bool": value}
    if isinstance(value, int):
        return {"int": str(value)}
    if isinstance(value, float):
        return {"float": repr(value)}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"bytes": bytes(value).hex()}
    if isinstance(value, datetime | date | time):
        return {type(value).__name__: value.isoformat()}
    return {type(value).__name__: str(value)}


def table_digest(db: Database, table: str, order_by: str | Sequence[str]) -> str:
    """SHA-256 (hex) of ``table``'s rows sorted by ``order_by`` (a column or list of columns).

    Each row is hashed as its columns sorted by name with type-tagged values, so the digest
    depends on the data only, not on column order or driver row type. ``order_by`` should be a
    unique key, otherwise rows with equal keys may come back in either order.
    """
    columns = [order_by] if isinstance(order_by, str) else list(order_by)
    if not columns:
        raise ValueError("order_by needs at least one column")
    order = ", ".join(check_identifier(c) for c in columns)
    check_identifier(table)
    digest = hashlib.sha256()
    with db.connect() as conn:
        for row in conn.execute(f"SELECT * FROM {table} ORDER BY {order}"):
            mapping = dict(row)
            line = json.dumps(
                [[key, _canonical(mapping[key])] for key in sorted(mapping)],
                ensure_ascii=False,
                separators=(",", ":"),
            )
            digest.update(line.encode())
            digest.update(b"\n")
    return digest.hexdigest()
