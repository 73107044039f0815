"""Issue 7: the service's case moves are one declaration-driven path (``AfterSales.perform``);
the old method names are generated from the declaration; inputs are checked by their declared
types; the clock is read after the case is loaded (issue 10 item 4)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from domain.case_values import Status
from domain.commands import every_move_has_a_command
from domain.errors import InvalidInput
from domain.process import MOVES, Move
from domain.service import AfterSales

from .builders import AGENT, CONSUMER, MERCHANT, FakeClock, Shop, cst, memory_app, seed


def shop_at(now: datetime) -> Shop:
    clock = FakeClock()
    shop = seed(memory_app(clock), clock)
    clock.now = now
    return shop


def test_every_move_of_the_declaration_is_a_service_command() -> None:
    assert every_move_has_a_command() == []
    for spec in MOVES.values():
        assert callable(getattr(AfterSales, spec.command_name, None)) or hasattr(
            memory_app(FakeClock()), spec.command_name
        )


def test_perform_and_the_old_name_are_the_same_move() -> None:
    shop = shop_at(cst(2026, 9, 24, 9))
    first, second = shop.open(), shop.open("exchange", "no_reason")  # one line: one refund
    shop.app.perform(Move.ACCEPT, request_id="a-1", actor=MERCHANT, case_no=first)
    shop.app.accept(request_id="a-2", actor=MERCHANT, case_no=second)
    cases = [shop.app.get_case(c) for c in (first, second)]
    assert [c.status for c in cases] == [Status.AWAITING_RETURN] * 2
    # The request record names the command as it always did (a repeat finds it).
    again = shop.app.perform("accept", request_id="a-2", actor=MERCHANT, case_no=second)
    assert not again.changed


def test_inputs_are_the_declared_ones_with_their_types() -> None:
    shop = shop_at(cst(2026, 9, 24, 9))
    case_no = shop.open()
    with pytest.raises(InvalidInput) as unknown:
        shop.app.perform("reject", request_id="r", actor=MERCHANT, case_no=case_no, why="x")
    assert unknown.value.field == "why"
    with pytest.raises(InvalidInput) as missing:
        shop.app.perform("reject", request_id="r", actor=MERCHANT, case_no=case_no)
    assert missing.value.field == "reason"
    with pytest.raises(InvalidInput) as bad_move:
        shop.app.perform("dance", request_id="r", actor=MERCHANT, case_no=case_no)
    assert bad_move.value.field == "move"
    shop.app.perform("accept", request_id="a", actor=MERCHANT, case_no=case_no)
    shop.app.perform(  # a shipment as one value, or as the old flat carrier / tracking_no
        "ship_return",
        request_id="s",
        actor=CONSUMER,
        case_no=case_no,
        shipment={"carrier": "SF", "tracking_no": "SF1", "fee_fen": 12_00},
    )
    case = shop.app.get_case(case_no)
    assert case.return_shipment is not None and case.return_shipment.fee_fen == 12_00


def test_a_control_character_never_reaches_the_store() -> None:
    """issue 10: the floor of domain.inputs under every case move."""
    shop = shop_at(cst(2026, 9, 24, 9))
    case_no = shop.open()
    before = shop.stored()
    with pytest.raises(InvalidInput):
        shop.app.reject(request_id="r", actor=MERCHANT, case_no=case_no, reason="bad\x00")
    assert shop.stored() == before


class RacingClock(FakeClock):
    """Reading the time lets another command land first (a legal move racing this one)."""

    def __init__(self, now: datetime) -> None:
        super().__init__(now)
        self.race: list[object] = []

    def __call__(self) -> datetime:
        if self.race:
            step = self.race.pop()
            self.now += timedelta(seconds=1)
            step()  # type: ignore[operator]
        self.now += timedelta(seconds=1)
        return self.now


def test_the_clock_is_read_after_the_case_is_loaded() -> None:
    """issue 10 item 4: a note racing an acceptance is never refused as "earlier"."""
    clock = RacingClock(cst(2026, 9, 1))
    shop = seed(memory_app(clock), clock)
    clock.now = cst(2026, 9, 24, 9)
    case_no = shop.open()
    clock.race.append(lambda: shop.app.accept(request_id="race", actor=MERCHANT, case_no=case_no))
    shop.app.add_note(request_id="note", actor=CONSUMER, case_no=case_no, text="any news?")
    case = shop.app.get_case(case_no)
    assert case.status is Status.AWAITING_RETURN
    assert [type(e).__name__ for e in shop.app.repository.event_store.get(case.id)][-2:] == [
        "Accepted",
        "NoteAdded",
    ]


def test_every_opening_is_triaged_in_the_same_transaction() -> None:
    """R20 (issue 7): triage belongs to opening a case, whatever door it came in by (the API
    used to skip it): the service routes it as it opens it, with the words that decided."""
    shop = shop_at(cst(2026, 9, 24, 9))
    case_no = shop.open("repair", "quality_defect", description="耳机坏了，需要维修")
    case = shop.app.get_case(case_no)
    events = list(shop.app.repository.event_store.get(case.id))
    assert [type(e).__name__ for e in events] == ["Opened", "Routed"]
    routed = events[1]
    assert (routed.rule, routed.actor.id, routed.queue) == ("R20", "triage", "merchant:m1")
    assert routed.classified_kind == "repair" and "维修" in routed.reason
    assert case.version == 2 and case.queue == "merchant:m1"


def test_an_exchange_that_becomes_a_refund_claims_its_lines_so_none_is_refunded_twice() -> None:
    """R3.a with R8/P1 (issue 7): the line is already under a return; the exchange on the same
    unit, turned into a refund by its clock, cannot be refunded again."""
    from domain.deadlines import Clock
    from domain.errors import IllegalTransition

    from .builders import SYSTEM

    shop = shop_at(cst(2026, 9, 24, 9))
    returned = shop.open()  # claims line 1 (R3.a)
    exchange = shop.open("exchange", "quality_defect", description="wrong colour")
    for case_no in (exchange,):
        shop.do("accept", case_no, MERCHANT)
        shop.do("ship_return", case_no, CONSUMER, carrier="SF", tracking_no="SF1")
        shop.do("record_return_delivered", case_no, SYSTEM)
        shop.do("confirm_receipt", case_no, MERCHANT)
        shop.do("inspect", case_no, MERCHANT, responsibility="product_defect", findings="ok")
    due = shop.app.get_case(exchange).deadlines[Clock.REPLACEMENT_SHIP].due_at
    shop.clock.now = due
    shop.app.expire(case_no=exchange, clock=Clock.REPLACEMENT_SHIP)
    assert shop.app.get_case(exchange).status is Status.AWAITING_REFUND
    with pytest.raises(IllegalTransition) as refused:
        shop.do("approve_refund", exchange, AGENT)
    assert refused.value.rule == "R3.a"
    assert shop.app.get_case(exchange).refund is None
    assert shop.app.get_case(returned).status is Status.REQUESTED


def test_a_refunded_exchange_holds_a_claim_on_its_lines() -> None:
    from domain.deadlines import Clock

    from .builders import SYSTEM

    shop = shop_at(cst(2026, 9, 24, 9))
    exchange = shop.open("exchange", "quality_defect", description="wrong colour")
    shop.do("accept", exchange, MERCHANT)
    shop.do("ship_return", exchange, CONSUMER, carrier="SF", tracking_no="SF1")
    shop.do("record_return_delivered", exchange, SYSTEM)
    shop.do("confirm_receipt", exchange, MERCHANT)
    shop.do("inspect", exchange, MERCHANT, responsibility="product_defect", findings="ok")
    shop.clock.now = shop.app.get_case(exchange).deadlines[Clock.REPLACEMENT_SHIP].due_at
    shop.app.expire(case_no=exchange, clock=Clock.REPLACEMENT_SHIP)
    shop.do("approve_refund", exchange, AGENT)
    assert exchange in shop.app.get_order("O1").claims


def test_an_automatic_approval_refused_by_r3a_escalates_once_instead_of_waiting() -> None:
    """Issue 7 ("no case can wait forever") with R3.a: the platform's review clock runs out on
    an exchange turned into a refund whose line another case holds. The automatic approval is
    refused, so the breach is recorded and the case goes to the supervisors with the refusal; a
    second timer run finds nothing due (no retry on every run)."""
    from domain.deadlines import Clock

    from .builders import SYSTEM

    shop = shop_at(cst(2026, 9, 24, 9))
    shop.open()  # claims line 1 (R3.a)
    exchange = shop.open("exchange", "quality_defect", description="wrong colour")
    shop.do("accept", exchange, MERCHANT)
    shop.do("ship_return", exchange, CONSUMER, carrier="SF", tracking_no="SF1")
    shop.do("record_return_delivered", exchange, SYSTEM)
    shop.do("confirm_receipt", exchange, MERCHANT)
    shop.do("inspect", exchange, MERCHANT, responsibility="product_defect", findings="ok")
    shop.clock.now = shop.app.get_case(exchange).deadlines[Clock.REPLACEMENT_SHIP].due_at
    shop.app.expire(case_no=exchange, clock=Clock.REPLACEMENT_SHIP)
    review = shop.app.get_case(exchange).deadlines[Clock.REFUND_APPROVAL]
    shop.clock.now = review.due_at - timedelta(microseconds=1)
    assert not shop.app.expire(case_no=exchange, clock=Clock.REFUND_APPROVAL).changed
    shop.clock.now = review.due_at

    first = shop.app.expire(case_no=exchange, clock=Clock.REFUND_APPROVAL)

    case = shop.app.get_case(exchange)
    assert first.changed and case.refund is None
    assert case.status is Status.AWAITING_REFUND and case.queue == "platform_supervisor"
    assert case.deadlines[Clock.REFUND_APPROVAL].breached
    assert not shop.app.expire(case_no=exchange, clock=Clock.REFUND_APPROVAL).changed
    assert shop.app.get_case(exchange).version == case.version


def test_a_twin_stored_between_look_up_and_move_is_answered_with_its_result() -> None:
    """Issue 10 item 4: the same request id sent twice at once. The twin is stored after this
    request loaded the case and before it saves (issue 12: the record is inserted first, not
    looked up), so this save conflicts and the move, made again, would be refused (R12: the
    case was accepted already); the answer must be the stored result, not a 409."""
    shop = shop_at(cst(2026, 9, 24, 9))
    case_no = shop.open()
    app = shop.app
    original = app.get_case
    raced: list[object] = []
    started: list[bool] = []

    def load_then_let_the_twin_land(case_no: str, version: int | None = None) -> Any:
        found = original(case_no, version)
        if not started:
            started.append(True)
            raced.append(app.accept(request_id="twin", actor=MERCHANT, case_no=case_no))
        return found

    app.get_case = load_then_let_the_twin_land  # type: ignore[method-assign]
    answer = app.accept(request_id="twin", actor=MERCHANT, case_no=case_no)
    app.get_case = original  # type: ignore[method-assign]

    (twin,) = raced
    assert answer.changed is False
    assert (answer.target_id, answer.key, answer.version) == (
        twin.target_id,  # type: ignore[attr-defined]
        twin.key,  # type: ignore[attr-defined]
        twin.version,  # type: ignore[attr-defined]
    )
    assert app.get_case(case_no).status is Status.AWAITING_RETURN
