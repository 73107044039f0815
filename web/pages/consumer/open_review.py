"""The review step of a new application (issue 11 item 1): what the consumer asks, what comes back,
who pays each shipping leg and the clocks that start, from ``domain.application_preview`` (the
function the filing itself uses), and the signed token that carries the reviewed values to the
confirming post unchanged (no value is read twice from the form)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext
from itsdangerous import BadSignature, URLSafeTimedSerializer

from domain.application_preview import Preview
from domain.case_values import Evidence
from domain.values import CaseKind, Party
from web.common.formats import money
from web.common.labels import clock_label, kind_label, party_label, reason_label, tender_label
from web.pages.consumer.open_form import OpenForm

SALT = "consumer-open-case-review"
#: How long a review may wait before its confirmation (seconds): the clocks shown start at filing.
MAX_AGE = 3600


@dataclass(frozen=True)
class Reviewed:
    """The values the consumer reviewed, as the confirming post carries them back."""

    order_no: str
    line_no: int
    consumer_id: str
    request_id: str
    kind: str
    reason: str
    quantity: int
    opened: bool
    component: str
    description: str
    evidence: tuple[Evidence, ...]

    def as_form(self) -> OpenForm:
        return OpenForm(
            kind=self.kind,
            reason=self.reason,
            quantity=str(self.quantity),
            description=self.description,
            opened=self.opened,
            component=self.component,
        )


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def sign(reviewed: Reviewed) -> str:
    data: dict[str, Any] = dict(reviewed.__dict__)
    data["evidence"] = [e.__dict__ for e in reviewed.evidence]
    return str(_serializer().dumps(data))


def unsign(token: str) -> Reviewed | None:
    """The reviewed values, or None when the token is forged, garbled or older than MAX_AGE."""
    try:
        data = _serializer().loads(token, max_age=MAX_AGE)
        data["evidence"] = tuple(Evidence(**e) for e in data["evidence"])
        return Reviewed(**data)
    except (BadSignature, KeyError, TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Row:
    """One line of the summary: what it is about, what it says; ``testid`` names it for tests."""

    label: str
    text: str
    testid: str
    rule: str = ""


def _payer(party: Party) -> str:
    return gettext("you") if party is Party.CONSUMER else party_label(party.value)


def summary(preview: Preview, reviewed: Reviewed, title: str, part: str) -> dict[str, list[Row]]:
    """The review page's three sections, in the viewer's language."""
    asked = [
        Row(gettext("What you ask for"), kind_label(preview.kind.value), "ask-kind", preview.rule),
        Row(gettext("Reason"), reason_label(preview.reason.value), "ask-reason"),
        Row(
            gettext("Item"),
            gettext("%(title)s × %(n)s", title=title, n=preview.units),
            "ask-item",
        ),
    ]
    if part:
        asked.append(Row(gettext("Faulty part"), part, "ask-part"))
    if reviewed.opened:
        asked.append(Row(gettext("Opened"), gettext("You have opened it."), "ask-opened"))
    asked.append(
        Row(
            gettext("Your description"),
            reviewed.description or gettext("(none)"),
            "ask-description",
        )
    )
    asked.append(
        Row(
            gettext("Photos and documents"),
            gettext("%(n)s file(s)", n=len(reviewed.evidence)),
            "ask-files",
        )
    )
    back: list[Row] = []
    if preview.refund_bearing:
        back.append(
            Row(gettext("At most"), money(preview.cap_fen), "back-cap", "R3.a"),
        )
        back.append(Row(gettext("For the goods"), money(preview.goods_fen), "back-goods"))
        if preview.shipping_fen:
            back.append(
                Row(gettext("Shipping paid back"), money(preview.shipping_fen), "back-shipping")
            )
        for part_back in preview.split:
            back.append(
                Row(
                    gettext("Back to your %(tender)s", tender=tender_label(part_back.kind.value)),
                    money(part_back.amount_fen),
                    f"back-{part_back.kind.value}",
                )
            )
        if preview.return_leg_refunded:
            back.append(
                Row(
                    gettext("Return shipping"),
                    gettext("What you pay the carrier to send it back is paid back too."),
                    "back-return-leg",
                    "R2",
                )
            )
    elif preview.kind is CaseKind.EXCHANGE:
        back.append(Row(gettext("You get"), gettext("The same item, new."), "back-exchange", "R8"))
    elif preview.kind is CaseKind.REPAIR:
        back.append(Row(gettext("You get"), gettext("Your item, repaired."), "back-repair", "R6"))
    else:
        back.append(
            Row(
                gettext("You get"),
                gettext("Platform customer service looks into it and answers you."),
                "back-complaint",
                "R9",
            )
        )
    shipping: list[Row] = []
    if preview.shipping is not None and preview.kind is not CaseKind.REFUND_ONLY:
        outbound = (
            gettext("Sending the replacement to you")
            if preview.kind is CaseKind.EXCHANGE
            else gettext("The original delivery to you")
        )
        shipping += [
            Row(
                gettext("Sending it back"),
                _payer(preview.shipping.return_leg),
                "pays-return",
                "R2",
            ),
            Row(outbound, _payer(preview.shipping.outbound_leg), "pays-outbound", "R2"),
        ]
    clocks = [
        Row(
            clock_label(clock.name.value),
            gettext(
                "%(party)s, within %(hours)s hours of filing",
                party=_payer(Party.CONSUMER)
                if clock.party.value == "consumer"
                else party_label(clock.party.value),
                hours=clock.hours,
            ),
            f"clock-{clock.name.value}",
            clock.rule,
        )
        for clock in preview.clocks
    ]
    return {"asked": asked, "back": back, "shipping": shipping, "clocks": clocks}
