"""Amounts typed in yuan, read exactly to integer fen (never through a float)."""

from __future__ import annotations

import re
import unicodedata

from web.common.translate import gettext

_YUAN = re.compile(r"^(\d{1,10})(?:\.(\d{0,2}))?$")


class AmountError(ValueError):
    """A typed amount that is not a yuan amount: ``code`` is ``format``, ``negative`` or
    ``decimals``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def parse_yuan(text: str) -> int:
    """``"69.90"`` -> 6990 fen, exactly: the decimal string is split, never turned into a float.

    Accepts full-width digits and a leading ``¥``/``￥`` and thousands commas (``1,299.00``).
    Raises :class:`AmountError` for anything else, a negative amount or more than two decimals.
    """
    value = unicodedata.normalize("NFKC", text or "").strip()
    value = value.replace(",", "").replace(" ", "")
    value = value.removeprefix("¥").removeprefix("CNY")
    if value.startswith("-"):
        raise AmountError("negative")
    if re.fullmatch(r"\d+\.\d{3,}", value):
        raise AmountError("decimals")
    match = _YUAN.fullmatch(value)
    if match is None:
        raise AmountError("format")
    yuan = int(match.group(1))
    fen = int((match.group(2) or "").ljust(2, "0"))
    return yuan * 100 + fen


def amount_error_text(label: str, error: AmountError) -> str:
    """The message for a field whose amount could not be read, naming the field."""
    if error.code == "negative":
        return gettext("%(field)s: the amount cannot be negative.", field=label)
    if error.code == "decimals":
        return gettext("%(field)s: at most two decimals (yuan and fen), like 69.90.", field=label)
    return gettext("%(field)s: enter an amount in yuan, like 69.90.", field=label)
