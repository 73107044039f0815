"""Numbers as people read them: money from integer fen (never a float), file sizes."""

from __future__ import annotations

_CURRENCY_SIGNS = {"CNY": "¥", "RMB": "¥"}


def money(fen: int | None, currency: str = "CNY") -> str:
    """``¥12.34`` from 1234 fen (integer arithmetic only); ``-¥0.50``; other currencies by code."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    yuan, rest = divmod(abs(int(fen)), 100)
    symbol = _CURRENCY_SIGNS.get(currency)
    if symbol is None:
        return f"{sign}{yuan:,}.{rest:02d} {currency}"
    return f"{sign}{symbol}{yuan:,}.{rest:02d}"


def size_text(size: int) -> str:
    """``812 B``, ``3.4 KB``, ``1.2 MB`` (one decimal, integer arithmetic)."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            tenths = (size * 10 + scale // 2) // scale
            whole, decimal = divmod(tenths, 10)
            return f"{whole}.{decimal} {unit}"
    return f"{size} B"


def yuan_text(fen: int | None) -> str:
    """6990 -> ``"69.90"`` (the value an amount input shows)."""
    if fen is None:
        return ""
    yuan, rest = divmod(int(fen), 100)
    return f"{yuan}.{rest:02d}"
