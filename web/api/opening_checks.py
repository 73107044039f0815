"""Checks on opening a case that the API makes before the domain is asked: the R5 component must
be one the site offers for every line named (``domain.warranty.parts_offered``: the whole unit,
or a part the policy in force lists for the line's category). The domain still accepts an
unlisted name as the unit (cases stored before the list existed); a new application names one
of the offers, and a wrong one is a 400 on ``component`` listing them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import ValidationError

from domain.errors import DomainError
from domain.warranty import UNIT, parts_offered
from web.services import get_service


def check_component(order_no: str, lines: Iterable[Mapping[str, Any]], component: str) -> None:
    """Refuse (400, field ``component``) a component no named line offers (R5). An unknown
    order or line, or a store without a policy, is left to the domain's own refusal."""
    if component == UNIT:
        return
    service = get_service()
    try:
        order = service.get_order(order_no)
        _version, terms = service.get_policy(order.merchant_id).applicable(
            order.placed_at, service.clock()
        )
        order_lines = [order.line(int(line["line_no"])) for line in lines]
    except DomainError:
        return
    for line in order_lines:
        offered = [o.component for o in parts_offered(line, terms, order.delivered_at)]
        if component not in offered:
            message = (
                f"{component!r} is not a part offered for line {line.line_no} "
                f"({line.category}): choose one of {', '.join(offered)} (R5)."
            )
            raise ValidationError({"component": [message]})
