"""Idempotency keys (issue: every command carries a client request id): a repeat with the same
values gets the first result and records nothing; the same id with other values is refused and
records nothing (never silently answered with the first result); an older ``Handled`` event (v1,
before fingerprints) is upcast and compares with nothing."""

from __future__ import annotations

import json
import uuid

import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from domain.errors import InvalidInput
from domain.request import RequestRecord
from domain.service import LineRequest

from .builders import CONSUMER, MERCHANT, FakeClock, cst, memory_app, seed


def test_the_same_request_with_the_same_values_replays_the_first_result() -> None:
    clock = FakeClock()
    shop = seed(memory_app(clock), clock)
    clock.now = cst(2026, 9, 24, 9)
    case_no = shop.open()
    first = shop.app.reject(request_id="r-1", actor=MERCHANT, case_no=case_no, reason="售罄")
    stored = shop.stored()
    again = shop.app.reject(request_id="r-1", actor=MERCHANT, case_no=case_no, reason="售罄")
    assert (again.key, again.version, again.changed) == (first.key, first.version, False)
    assert shop.stored() == stored


def test_the_same_request_id_with_other_values_is_refused_and_records_nothing() -> None:
    clock = FakeClock()
    shop = seed(memory_app(clock), clock)
    clock.now = cst(2026, 9, 24, 9)
    shop.app.open_case(
        request_id="open-1",
        actor=CONSUMER,
        order_no="O1",
        kind="return_refund",
        reason_code="no_reason",
        lines=[LineRequest(1, 1)],
        description="不想要了",
    )
    stored = shop.stored()
    with pytest.raises(InvalidInput) as refused:
        shop.app.open_case(
            request_id="open-1",
            actor=CONSUMER,
            order_no="O1",
            kind="exchange",
            reason_code="quality_defect",
            lines=[LineRequest(1, 1)],
            description="坏了",
        )
    assert refused.value.field == "request_id"
    assert "other values" in refused.value.message
    assert shop.stored() == stored


def test_an_enum_or_its_value_is_the_same_request() -> None:
    clock = FakeClock()
    shop = seed(memory_app(clock), clock)
    clock.now = cst(2026, 9, 24, 9)
    from domain.values import CaseKind, Reason

    kwargs = {
        "actor": CONSUMER,
        "order_no": "O1",
        "lines": [LineRequest(1, 1)],
        "description": "不想要了",
    }
    first = shop.app.open_case(
        request_id="o", kind="return_refund", reason_code="no_reason", **kwargs
    )
    again = shop.app.open_case(
        request_id="o", kind=CaseKind.RETURN_REFUND, reason_code=Reason.NO_REASON, **kwargs
    )
    assert again.key == first.key and not again.changed


def test_a_version_1_handled_event_is_upcast_with_an_empty_fingerprint() -> None:
    app = memory_app(FakeClock())
    record_id = uuid.uuid4()
    v1_state = {
        "timestamp": {"_type_": "datetime_iso", "_data_": "2026-09-24T01:00:00+00:00"},
        "originator_topic": get_topic(RequestRecord),
        "prev_hash": "0" * 64,
        "event_hash": "f" * 64,
        "request_id": "old-1",
        "command": "accept",
        "target_id": {"_type_": "uuid_hex", "_data_": uuid.uuid4().hex},
        "target_version": 2,
        "result": json.dumps({"key": "AS1", "detail": {}}),
        "actor": {
            "_type_": "Actor",
            "_data_": {"role": "merchant", "id": "s1", "merchant_id": "m1"},
        },
        "at": {"_type_": "datetime_iso", "_data_": "2026-09-24T01:00:00+00:00"},
    }
    stored = StoredEvent(
        originator_id=record_id,
        originator_version=1,
        topic=get_topic(RequestRecord.Handled),
        state=json.dumps(v1_state).encode(),
    )
    handled = app.mapper.to_domain_event(stored)
    assert handled.fingerprint == ""  # type: ignore[attr-defined]
    record = handled.mutate(None)  # type: ignore[attr-defined]
    assert isinstance(record, RequestRecord) and record.fingerprint == ""
