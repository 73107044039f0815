"""Case numbers on the site and the API (issue 11 item 7): a case opened now gets the short format
(``AS`` + yyMMdd + six of ``domain.ids.CASE_ALPHABET``); a case of the former, long format keeps
its number, and every route that takes a case number takes either."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from domain import ids
from domain.service import LineRequest
from domain.values import Actor, Role
from tests.web.conftest import login_as
from tests.web.test_api import CONSUMER_ID, World, make_world

OLD_FORMAT = "AS20261202FA1AB9013E"


@pytest.fixture
def world(tmp_path: Path, clean_environ: None) -> Iterator[World]:
    built = make_world(tmp_path)
    yield built
    built.app.config["SERVICE"].close()


def test_both_formats_are_taken_by_every_route_that_names_a_case(world: World) -> None:
    new = world.open_case(world.order())  # through the API, as a consumer's app does
    assert ids.CASE_NUMBER.fullmatch(new), new
    with world.app.app_context():
        world.service.open_case(
            request_id="opened-before-issue-11",
            actor=Actor(Role.CONSUMER, CONSUMER_ID),
            order_no=world.order(),
            kind="return_refund",
            reason_code="no_reason",
            lines=[LineRequest(1, 1)],
            description="旧编号的售后单",
            case_no=OLD_FORMAT,
        )
    world.settle()

    clients = {}
    for role, username in (
        ("consumer", "li.lei"),
        ("merchant", "han.meimei"),
        ("platform_agent", "agent.wang"),
    ):
        clients[role] = world.app.test_client()
        assert login_as(clients[role], username).status_code == 302
    for case_no in (new, OLD_FORMAT):
        api = world.get("consumer", f"/api/v1/cases/{case_no}")
        assert api.status_code == 200 and api.json is not None, api.json
        assert api.json["case"]["case_no"] == case_no
        for role, page in (
            ("consumer", f"/my/cases/{case_no}"),
            ("merchant", f"/merchant/cases/{case_no}"),
            ("platform_agent", f"/agent/cases/{case_no}"),
        ):
            response = clients[role].get(page)
            assert response.status_code == 200, (page, response.status_code)
            assert case_no in response.get_data(as_text=True)
        # The agent's "find a case" box, typed in lower case.
        found = clients["platform_agent"].get(f"/agent/find?case_no={case_no.lower()}")
        assert found.status_code == 303 and found.location.endswith(f"/agent/cases/{case_no}")
        # A command on it through the API.
        accepted = world.command("merchant", case_no, "accept", reason="同意退货")
        assert accepted.status_code == 200, accepted.json
