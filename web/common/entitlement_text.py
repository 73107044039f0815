"""R3.a (issue 8): a refund approval's basis in words for the timeline: each item of the
entitlement, each deduction (kind, rule, evidence) and the result."""

from __future__ import annotations

from typing import Any

from web.common.formats import money
from web.common.labels import DEDUCTION_LABELS, ENTITLEMENT_LABELS, label_of
from web.common.translate import gettext


def entitlement_amounts(details: dict[str, Any], currency: str) -> list[tuple[str, str]]:
    """Rows ``(label, amount)``: the entitlement's items, its total, each deduction (negative)
    and the refund that is left; nothing for a step that carries no entitlement."""
    entitlement = details.get("entitlement")
    if not isinstance(entitlement, dict):
        return []
    out: list[tuple[str, str]] = []
    total = 0
    for item in entitlement.get("items", ()) or ():
        amount = int(item.get("amount_fen", 0))
        total += amount
        what = label_of(ENTITLEMENT_LABELS, str(item.get("item", "")))
        if item.get("line_no"):
            what = gettext("%(what)s, line %(line)s", what=what, line=item["line_no"])
        declared = int(item.get("declared_fen", 0) or 0)
        if declared > amount:
            what = gettext(
                "%(what)s (declared %(declared)s, without a receipt at most the policy's amount)",
                what=what,
                declared=money(declared, currency),
            )
        out.append((gettext("Entitlement: %(what)s", what=what), money(amount, currency)))
    out.append((gettext("Entitlement (R3.a)"), money(total, currency)))
    taken = 0
    for d in details.get("deductions", ()) or ():
        amount = int(d.get("amount_fen", 0))
        taken += amount
        label = gettext(
            "Deduction: %(kind)s (%(rule)s; evidence: %(evidence)s)",
            kind=label_of(DEDUCTION_LABELS, str(d.get("kind", ""))),
            rule=str(d.get("rule", "")),
            evidence=str(d.get("evidence") or gettext("none stated")),
        )
        out.append((label, "−" + money(amount, currency)))
    out.append((gettext("Refund after deductions"), money(total - taken, currency)))
    return out
