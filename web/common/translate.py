"""Flask-Babel's ``gettext`` and ``ngettext``, typed (the library is untyped): they return ``str``.

Use them in views and view models; module-level texts use ``lazy_gettext`` (``_l``)."""

from __future__ import annotations

from typing import Any

from web.common.i18n import translations


def gettext(message: str, /, **values: Any) -> str:
    """The message in the viewer's language, with ``%(name)s`` values filled in (what
    Flask-Babel's ``gettext`` answers, with the catalog found faster: issue 12)."""
    text = str(translations().ugettext(message))
    return text if not values else text % values


def ngettext(singular: str, plural: str, num: int, /, **values: Any) -> str:
    """The singular or plural message for ``num`` in the viewer's language."""
    values.setdefault("num", num)
    return str(translations().ungettext(singular, plural, num)) % values
