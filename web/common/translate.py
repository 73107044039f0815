"""Flask-Babel's ``gettext`` and ``ngettext``, typed (the library is untyped): they return ``str``.

Use them in views and view models; module-level texts use ``lazy_gettext`` (``_l``)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _gettext
from flask_babel import ngettext as _ngettext


def gettext(message: str, /, **values: Any) -> str:
    """The message in the viewer's language, with ``%(name)s`` values filled in."""
    return str(_gettext(message, **values))


def ngettext(singular: str, plural: str, num: int, /, **values: Any) -> str:
    """The singular or plural message for ``num`` in the viewer's language."""
    return str(_ngettext(singular, plural, num, **values))
