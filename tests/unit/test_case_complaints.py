"""Complaints (R9, R9.a): a complaint case or a complaint on a case; the platform responds within
24 hours and gives its handling opinion within 72; then the case closes or goes to arbitration."""

from __future__ import annotations

from domain.case_values import Status
from domain.deadlines import Clock
from domain.errors import IllegalTransition, InvalidInput, NotFound
from domain.values import CaseKind, Channel, Reason

from .builders import (
    AGENT,
    CONSUMER,
    MERCHANT,
    OTHER_CONSUMER,
    accept,
    close,
    cst,
    escalate,
    file_complaint,
    given,
    opinion,
    rate,
    respond,
    withdraw,
)


def complaint(**facts: object):  # type: ignore[no-untyped-def]
    return given(CaseKind.COMPLAINT, Reason.SERVICE, description="staff were rude", **facts)


def test_complaint_case_walked_to_its_end() -> None:
    g = complaint()
    assert (g.case.status, g.case.complaint_open) == (Status.COMPLAINT_OPEN, True)
    g.when(respond()).then_events("ComplaintResponded")
    assert g.case.status is Status.COMPLAINT_ANSWERED
    assert set(g.case.deadlines) == {Clock.PLATFORM_OPINION}
    g.when(opinion()).then_events("OpinionGiven")
    assert (g.case.status, g.case.complaint_open) == (Status.OPINION_GIVEN, False)
    # R10 reading (issue 7): the consumer may dispute the opinion within dispute_days.
    assert set(g.case.deadlines) == {Clock.CONSUMER_DISPUTE}
    g.when(close(AGENT)).then_events("Closed")
    assert (g.case.status, g.case.outcome) == (Status.CLOSED, "closed")
    g.when(rate(2)).then_events("Rated")


def test_complaint_taken_by_platform_customer_service_is_handled_the_same() -> None:
    g = complaint(actor=AGENT, channel=Channel.PLATFORM)
    g.did(respond(), opinion())
    g.when(close(CONSUMER)).then_events("Closed")


def test_the_opinion_comes_after_the_first_response() -> None:
    g = complaint()
    g.when(opinion()).then_error(IllegalTransition, rule="R9.a", match="respond")


def test_only_the_platform_responds_and_gives_the_opinion() -> None:
    g = complaint()
    g.when(respond(MERCHANT)).then_error(IllegalTransition, rule="P2")
    g.when(respond(CONSUMER)).then_error(IllegalTransition, rule="P2")
    g.did(respond())
    g.when(opinion(MERCHANT)).then_error(IllegalTransition, rule="P2")


def test_a_response_and_an_opinion_need_text() -> None:
    g = complaint()
    blank = lambda c, at: c.respond_to_complaint(actor=AGENT, at=at, reason=" ")  # noqa: E731
    g.when(blank).then_error(InvalidInput, rule="R9.a")
    g.did(respond())
    blank = lambda c, at: c.give_opinion(actor=AGENT, at=at, opinion="")  # noqa: E731
    g.when(blank).then_error(InvalidInput, rule="R9.a")


def test_a_complaint_case_cannot_be_closed_before_the_opinion() -> None:
    g = complaint().did(respond())
    g.when(close(AGENT)).then_error(IllegalTransition, rule="R21")


def test_complaint_attached_to_a_return_starts_the_r9a_clocks_beside_the_return() -> None:
    g = given().did(accept())
    g.when(file_complaint(channel=Channel.STORE), at=cst(2026, 9, 25, 8)).then_events(
        "ComplaintFiled"
    )
    assert g.case.status is Status.AWAITING_RETURN  # the return goes on
    assert g.case.deadlines[Clock.PLATFORM_RESPONSE].due_at == cst(2026, 9, 26, 8)
    assert g.case.deadlines[Clock.PLATFORM_OPINION].due_at == cst(2026, 9, 28, 8)
    assert Clock.CONSUMER_SHIP in g.case.deadlines
    g.when(file_complaint()).then_error(IllegalTransition, rule="R9", match="already open")
    g.did(respond())
    g.when(opinion()).then_events("OpinionGiven")
    assert (g.case.status, g.case.complaint_open) == (Status.AWAITING_RETURN, False)
    assert set(g.case.deadlines) == {Clock.CONSUMER_SHIP}


def test_no_complaint_on_a_withdrawn_case() -> None:
    g = given().did(withdraw())
    g.when(file_complaint()).then_error(IllegalTransition, rule="R9")


def test_no_opinion_without_an_open_complaint() -> None:
    g = given().did(accept())
    g.when(respond()).then_error(IllegalTransition, rule="R9.a")
    g.when(opinion()).then_error(IllegalTransition, rule="R9.a")


def test_another_consumer_cannot_complain_on_my_case() -> None:
    g = given()
    g.when(file_complaint(OTHER_CONSUMER)).then_error(NotFound, rule="input")


def test_a_complaint_not_settled_by_the_opinion_goes_to_arbitration() -> None:
    g = complaint().did(respond(), opinion())
    g.when(escalate()).then_events("EscalatedToArbitration")
    assert g.case.status is Status.IN_ARBITRATION
