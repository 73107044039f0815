"""Web and API from the same table (issue 7): every move's request schema is generated from the
process declaration, the API's commands are the declaration's moves, the forms read through the
same schemas, the declaration's labels are translatable, and no page decides which moves are
legal from status strings."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from werkzeug.datastructures import MultiDict

from domain.process import MOVES, InputType, Move
from domain.values import Role
from web.api.cases import COMMANDS
from web.common.move_labels import LABELS
from web.common.move_schemas import schema_for
from web.common.moves import form_arguments

WEB = Path(__file__).resolve().parents[2] / "web"


def test_every_move_has_a_schema_naming_its_declared_inputs() -> None:
    for move, spec in MOVES.items():
        fields = set(schema_for(move)().fields)
        assert "request_id" in fields
        for item in spec.inputs:
            if item.type is InputType.SHIPMENT:
                assert {"carrier", "tracking_no"} <= fields, move
            else:
                assert item.name in fields, (move, item.name)


def test_the_api_commands_are_the_declarations_moves_with_its_roles_and_rules() -> None:
    by_move = {command.move: command for command in COMMANDS}
    for move, spec in MOVES.items():
        people = {r.value for r in spec.all_roles} - {Role.SYSTEM.value}
        if not people:
            assert move not in by_move
            continue
        command = by_move[move]
        assert set(command.roles) == people
        assert command.rules[0] == spec.rule
        assert command.schema is schema_for(move)


def test_every_label_of_the_declaration_is_translatable() -> None:
    labels = {spec.label for spec in MOVES.values()}
    labels |= {item.label for spec in MOVES.values() for item in spec.inputs if item.label}
    assert labels <= set(LABELS), sorted(labels - set(LABELS))


def test_a_form_is_read_through_the_moves_schema(app: Flask) -> None:
    with app.test_request_context():
        form = MultiDict({"amount": "20.50", "reason": " 发错货 "})
        arguments, errors = form_arguments(Move.GRANT_COMPENSATION, form)
        assert errors == {} and arguments == {"amount_fen": 2_050, "reason": "发错货"}

        arguments, errors = form_arguments(Move.RATE, MultiDict({"score": "9"}))
        assert arguments == {} and "R18" in errors["score"]

        form = MultiDict({"carrier": "顺丰", "tracking_no": "SF1", "fee": "12.5"})
        arguments, errors = form_arguments(Move.SHIP_RETURN, form)
        assert arguments == {"carrier": "顺丰", "tracking_no": "SF1", "fee_fen": 1_250}

        arguments, errors = form_arguments(
            Move.ADD_NOTE, MultiDict({"text": "x", "internal": "on"})
        )
        assert arguments == {"text": "x", "internal": True}

        arguments, errors = form_arguments(Move.REJECT, MultiDict({"reason": "   "}))
        assert "R12" in errors["reason"]


def test_no_page_decides_legal_moves_from_status_strings() -> None:
    found = [
        f"{path.relative_to(WEB)}:{n}"
        for path in sorted(WEB.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r'status(\.value)? == "', line)
    ]
    assert found == []


def test_an_internal_note_is_offered_to_staff_only(demo_app: Flask) -> None:
    """P4, "only offer what can succeed": the domain refuses a consumer's note marked internal,
    so the consumer's note form has no such box; the store's staff see it on the same case."""
    from tests.web.conftest import DEMO_PASSWORDS, login_as

    consumer, merchant = demo_app.test_client(), demo_app.test_client()
    login_as(consumer, "zhangsan", DEMO_PASSWORDS["consumer"])
    login_as(merchant, "shanhai", DEMO_PASSWORDS["merchant"])

    consumer_page = consumer.get("/my/cases/DEMO-C-0010?lang=en").get_data(as_text=True)
    merchant_page = merchant.get("/merchant/cases/DEMO-C-0010?lang=en").get_data(as_text=True)

    # issue 11 item 11: the merchant ticks "visible to the consumer", as the agent does
    assert "Add a note" in consumer_page and 'name="visible_to_consumer"' not in consumer_page
    assert 'name="visible_to_consumer"' in merchant_page
