"""What the metrics projection holds back while it applies a batch (issue 12): the additions to
the per-day counters (``metrics_merchant_daily``, ``metrics_sku_daily``) summed per row, and each
case's ``metrics_cases`` changes merged, so each row is written once per batch (one
``executemany`` per kind of statement) instead of once per event. Sums and the last value set
are what the event-by-event writes leave, so the tables end the same."""

from __future__ import annotations

from typing import Any

from projections.db import DbConnection

__all__ = ["Pending", "bump_sql"]


def bump_sql(table: str, keys: tuple[str, ...], counts: tuple[str, ...]) -> str:
    """Add ``counts`` to the row of ``keys`` (created at zero)."""
    columns = [*keys, *counts]
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET "
        + ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in counts)
    )


class Pending:
    def __init__(self) -> None:
        self._bumps: dict[tuple[str, tuple[tuple[str, Any], ...]], dict[str, int]] = {}
        self._sets: dict[str, dict[str, Any]] = {}
        self._adds: dict[str, dict[str, int]] = {}
        self._opened: dict[str, dict[str, Any]] = {}  # case id -> its new row (column -> value)

    def open_case(self, row: dict[str, Any]) -> None:
        """A case opened in the batch: inserted at the end with its changes (one write)."""
        self._opened[str(row["case_id"])] = dict(row)

    def bump(self, table: str, keys: dict[str, Any], counts: dict[str, int]) -> None:
        summed = self._bumps.setdefault((table, tuple(keys.items())), {})
        for column, n in counts.items():
            summed[column] = summed.get(column, 0) + n

    def update_case(self, case_id: str, updates: dict[str, Any]) -> None:
        self._sets.setdefault(case_id, {}).update(updates)

    def increment(self, case_id: str, column: str) -> None:
        adds = self._adds.setdefault(case_id, {})
        adds[column] = adds.get(column, 0) + 1

    def write(self, tx: DbConnection) -> None:
        bumps: dict[tuple[str, tuple[str, ...], tuple[str, ...]], list[tuple[Any, ...]]] = {}
        for (table, keys), counts in self._bumps.items():
            names = tuple(sorted(counts))
            bumps.setdefault((table, tuple(k for k, _ in keys), names), []).append(
                (*(v for _, v in keys), *(counts[n] for n in names))
            )
        for (table, key_names, names), rows in bumps.items():
            tx.executemany(bump_sql(table, key_names, names), rows)
        inserts: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
        for case_id, row in self._opened.items():
            row.update(self._sets.pop(case_id, {}))
            for column, n in self._adds.pop(case_id, {}).items():
                row[column] = row.get(column, 0) + n  # the columns incremented start at 0
            names = tuple(row)
            inserts.setdefault(names, []).append(tuple(row[c] for c in names))
        for names, rows in inserts.items():
            tx.executemany(
                f"INSERT INTO metrics_cases ({', '.join(names)}) "
                f"VALUES ({', '.join('?' for _ in names)}) ON CONFLICT (case_id) DO NOTHING",
                rows,
            )
        cases: dict[tuple[tuple[str, ...], tuple[str, ...]], list[tuple[Any, ...]]] = {}
        for case_id in sorted(self._sets.keys() | self._adds.keys()):
            sets, adds = self._sets.get(case_id, {}), self._adds.get(case_id, {})
            set_names, add_names = tuple(sorted(sets)), tuple(sorted(adds))
            cases.setdefault((set_names, add_names), []).append(
                (*(sets[c] for c in set_names), *(adds[c] for c in add_names), case_id)
            )
        for (set_names, add_names), rows in cases.items():
            assignments = [f"{c} = ?" for c in set_names] + [f"{c} = {c} + ?" for c in add_names]
            tx.executemany(
                f"UPDATE metrics_cases SET {', '.join(assignments)} WHERE case_id = ?", rows
            )
