"""Cases as of a version, kept in this process (issue 12): a page that shows a case at the version
its read model holds may need the domain's own answer about it (the R16 assistant); replaying the
case from the event store on every view cost a replay and two pool check-outs per page. A case at
a given version never changes (events are immutable), so ``case_at`` replays it once per
(case, version) and keeps the most recent ``LIMIT`` of them per app; a new event gives a new
version, read afresh.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:
    from domain.case import Case
    from domain.service import AfterSales

LIMIT = 512
_KEY = "aftersales.case_cache"


class CaseCache:
    """A bounded, thread-safe LRU map (case_no, version) -> Case."""

    def __init__(self, limit: int = LIMIT) -> None:
        self._limit = limit
        self._cases: OrderedDict[tuple[str, int], Case] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, service: AfterSales, case_no: str, version: int) -> Case:
        key = (case_no, version)
        with self._lock:
            case = self._cases.get(key)
            if case is not None:
                self._cases.move_to_end(key)
                return case
        case = service.get_case(case_no, version=version)
        with self._lock:
            self._cases[key] = case
            while len(self._cases) > self._limit:
                self._cases.popitem(last=False)
        return case


def case_at(service: AfterSales, case_no: str, version: int) -> Case:
    """``case_no`` as of ``version`` (read-only: the same object serves later views)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    cache: CaseCache | None = app.extensions.get(_KEY)
    if cache is None:
        cache = app.extensions.setdefault(_KEY, CaseCache())
    return cache.get(service, case_no, version)
