"""Loading without snapshot look-ups that cannot find one (issue 12, domain/short_reads.py): a
short aggregate is one SELECT of its events, a miss is one SELECT, and a long one still loads
from its snapshot, to the same state."""

from __future__ import annotations

from typing import Any

from domain import ids
from tests.integration.conftest import MakeApp
from tests.unit.builders import MERCHANT, Shop


def _counting(app: Any) -> dict[str, int]:
    counts = {"events": 0, "snapshots": 0}
    repository = app.repository
    events, snapshots = repository.event_store.get, repository.snapshot_store.get

    def get_events(*args: Any, **kwargs: Any) -> Any:
        counts["events"] += 1
        return events(*args, **kwargs)

    def get_snapshots(*args: Any, **kwargs: Any) -> Any:
        counts["snapshots"] += 1
        return snapshots(*args, **kwargs)

    repository.event_store.get = get_events
    repository.snapshot_store.get = get_snapshots
    return counts


def test_short_and_missing_aggregates_are_one_select_long_ones_use_their_snapshot(
    shop: Shop, make_app: MakeApp
) -> None:
    short = shop.open()
    long = shop.open("complaint", "service", lines=())
    for n in range(30):  # past the case's snapshot interval (25)
        shop.app.add_note(request_id=f"n{n}", actor=MERCHANT, case_no=long, text=f"{n}")
    fresh = make_app(shop.clock)  # another process: it has seen none of them
    counts = _counting(fresh)
    assert fresh.get_case(short).version == shop.app.get_case(short).version
    assert counts == {"events": 1, "snapshots": 0}
    assert fresh._find(type(fresh.get_case(short)), ids.case_id("NO-SUCH-CASE")) is None
    assert counts == {"events": 3, "snapshots": 0}
    loaded = fresh.get_case(long)
    assert counts["snapshots"] == 1  # its first 20 events were not all of it: as the library does
    original = shop.app.get_case(long)
    assert loaded.version == original.version == 32
    assert loaded.chain_head == original.chain_head
    assert vars(loaded).keys() == vars(original).keys()
