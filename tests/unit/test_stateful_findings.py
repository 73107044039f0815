"""Defects found by the service state machine (issue 10, ``stateful_service.CaseMachine``), each
kept as a plain regression test naming the rule."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.case_values import Status
from domain.deadlines import Clock
from domain.errors import IllegalTransition
from domain.process import Move

from .builders import CONSUMER, STEP, Given, given, reject


def _closed_with_its_window_just_ended() -> tuple[Given, datetime]:
    case = given().did(reject())
    case.later(days=30)
    dispute = case.case.deadlines[Clock.CONSUMER_DISPUTE]
    case.when(lambda c, at: c.expire(clock=Clock.CONSUMER_DISPUTE, at=at), at=dispute.due_at)
    assert case.case.status is Status.CLOSED
    window = case.case.deadlines[Clock.POST_CLOSE]
    assert not window.breached  # the timer has not run yet
    return case, window.due_at


def test_r9_a_complaint_is_not_offered_once_the_post_close_window_has_ended() -> None:
    """Found: ``allowed_moves(consumer, at)`` offered file_complaint after the R9 post-close
    window's due time while the timer had not yet recorded its breach; the move then refused."""
    case, ended = _closed_with_its_window_just_ended()
    before = case.case.allowed_moves(CONSUMER, ended - STEP)
    assert Move.FILE_COMPLAINT in before and Move.ESCALATE in before
    after = case.case.allowed_moves(CONSUMER, ended)
    assert Move.FILE_COMPLAINT not in after
    case.when(
        lambda c, at: c.file_complaint(actor=CONSUMER, at=at, channel="store", reason="late"),
        at=ended + timedelta(minutes=1),
    ).then_error(IllegalTransition, rule="R9", match="window")


def test_r10_escalation_is_not_offered_once_the_post_close_window_has_ended() -> None:
    case, ended = _closed_with_its_window_just_ended()
    assert Move.ESCALATE not in case.case.allowed_moves(CONSUMER, ended)
    case.when(lambda c, at: c.escalate(actor=CONSUMER, at=at, reason="late"), at=ended).then_error(
        IllegalTransition, rule="R10", match="window"
    )
