"""CSV downloads of the tables the site shows, made for Excel as Chinese offices use it.

- UTF-8 with a byte-order mark, so Excel opens Chinese text correctly (without it Excel guesses
  GBK and shows mojibake);
- amounts as yuan with exactly two decimals, computed from integer fen with ``divmod`` (never a
  float): ``12345`` fen -> ``123.45``;
- times as ISO-8601 with the UTC offset of the viewer's zone (``2025-03-01T16:00:00+08:00``), so
  a spreadsheet sorts them and nobody has to guess the zone;
- a header row with the column titles in the viewer's language;
- no formulas (issue 10, CSV injection): a text cell that a spreadsheet would take for a formula
  (it begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, or their full-width
  forms) is written with a leading ``'`` (:func:`neutralise`), so finance opening an export sees
  the text a settlement row or a reason held, never runs it. Numbers (``-12.50``) stay numbers.

A table is a list of :class:`Column` (title, how to get the value, how to format it) applied to
each row object. The finance pages and their ``.csv`` twins use the same columns, so what is
downloaded is what is shown.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import Response

from web.common.timefmt import to_viewer

BOM = "\ufeff"

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""What makes Excel, LibreOffice or Google Sheets read a cell as a formula (OWASP CSV injection),
with the full-width forms a Chinese input method types."""
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def neutralise(text: str) -> str:
    """``text`` with a leading ``'`` when a spreadsheet would evaluate it as a formula; plain
    signed numbers (``-0.05``) are left as they are."""
    if text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def yuan(fen: int | None) -> str:
    """``12345`` -> ``"123.45"``; ``-5`` -> ``"-0.05"``; None -> ``""``. Exact: integer fen only."""
    if fen is None:
        return ""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"amounts are whole fen, got {fen!r}")
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def iso_local(value: datetime | str | None) -> str:
    """An instant as ISO-8601 in the viewer's zone with its offset; "" for None."""
    if value is None or value == "":
        return ""
    return to_viewer(value).isoformat(timespec="seconds")


def plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Column:
    """One column: ``title`` (a lazy translated string), ``get`` the raw value from a row,
    ``kind`` how to write it: ``text``, ``fen`` (yuan, 2 decimals) or ``time`` (ISO, viewer's
    zone)."""

    key: str
    title: Any
    get: Callable[[Any], Any]
    kind: str = "text"

    def csv_value(self, row: Any) -> str:
        value = self.get(row)
        if self.kind == "fen":
            return yuan(value)
        if self.kind == "time":
            return iso_local(value)
        return neutralise(plain(value))


def attr(name: str) -> Callable[[Any], Any]:
    """``get`` for a dataclass attribute or a mapping key."""

    def get(row: Any) -> Any:
        if isinstance(row, dict):
            return row.get(name)
        return getattr(row, name)

    return get


def render_csv(columns: Sequence[Column], rows: Iterable[Any]) -> str:
    """The CSV text (BOM first, CRLF line ends as RFC 4180 and Excel expect)."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(str(column.title)) for column in columns])
    for row in rows:
        writer.writerow([column.csv_value(row) for column in columns])
    return buffer.getvalue()


def csv_response(filename: str, columns: Sequence[Column], rows: Iterable[Any]) -> Response:
    """A download of ``rows`` named ``filename`` (ASCII; ``.csv`` appended when missing)."""
    name = filename if filename.endswith(".csv") else f"{filename}.csv"
    body = render_csv(columns, rows).encode("utf-8")
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
