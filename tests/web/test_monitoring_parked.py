"""Issue 10: the platform's monitoring page alerts to events a read model could not take (parked),
naming the read model, the event and the error, until they are replayed."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.web.conftest import ROLE_ACCOUNTS, login_as
from tests.web.test_api import World, world  # noqa: F401 - fixture
from web import get_db


def test_monitoring_lists_parked_events(world: World) -> None:  # noqa: F811
    client = world.app.test_client()
    assert login_as(client, ROLE_ACCOUNTS["platform_agent"].username).status_code in (302, 303)
    page = client.get("/agent/monitoring?lang=en").get_data(as_text=True)
    assert 'data-testid="no-parked"' in page

    from projections.parking import park

    with world.app.app_context(), get_db().transaction() as tx:
        park(
            tx,
            "timeline",
            notification_id=42,
            originator_id="00000000-0000-0000-0000-000000000001",
            originator_version=3,
            topic="domain.case:Case.NoteAdded",
            error=ValueError("PostgreSQL text fields cannot contain NUL (0x00) bytes"),
            now=datetime(2026, 9, 21, 2, 0, tzinfo=UTC),
        )
    page = client.get("/agent/monitoring?lang=en").get_data(as_text=True)
    table = page.split('data-testid="parked-events"')[1].split("</table>")[0]
    assert "timeline" in table and "#42" in table and "Case.NoteAdded v3" in table
    assert "cannot contain NUL" in table
    assert "1 event(s) set aside" in page
    assert "读模型无法处理的事件" in client.get("/agent/monitoring?lang=zh_CN").get_data(
        as_text=True
    )
