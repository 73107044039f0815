"""Carrying out a ruling (R10): what remains to be done after it, and what was done."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from projections.timeline import TimelineStep
from web.common.translate import gettext

# --- carrying out a ruling (R10) ------------------------------------------------------------


@dataclass(frozen=True)
class CarryOut:
    label: str
    done: bool
    version: int | None


def carry_out_steps(
    ruling: Mapping[str, Any], ruled_version: int, steps: Sequence[TimelineStep]
) -> list[CarryOut]:
    """What remains to be done after a ruling, and what was done (from the timeline)."""
    later = [s for s in steps if s.version > ruled_version]

    def done(code: str) -> int | None:
        return next((s.version for s in later if s.step == code), None)

    wanted: list[tuple[str, str]] = []
    outcome = ruling["outcome"]
    if ruling["return_required"] and outcome in ("refund", "exchange", "repair"):
        wanted += [
            (gettext("The consumer ships the goods back (R13)"), "return_shipped"),
            (gettext("The merchant confirms receipt (R3)"), "receipt_confirmed"),
        ]
    if outcome == "refund":
        wanted += [
            (
                gettext("The platform approves the ruled refund of %(amount)s (R3)")
                % {"amount": ruling["refund"]},
                "refund_approved",
            ),
            (gettext("Finance pays the refund back to the original tenders (R3.a)"), "refund_paid"),
        ]
    elif outcome == "exchange":
        wanted.append((gettext("The merchant ships the replacement (R8)"), "exchange_shipped"))
    elif outcome == "repair":
        wanted.append((gettext("The merchant completes the repair (R7)"), "repair_completed"))
    if ruling["compensation_fen"]:
        wanted += [
            (
                gettext("The compensation of %(amount)s is granted (R14)")
                % {"amount": ruling["compensation"]},
                "compensation_granted",
            ),
            (gettext("Finance pays the compensation"), "compensation_paid"),
        ]
    wanted.append((gettext("The case is closed"), "closed"))
    out = []
    for label, code in wanted:
        version = done(code)
        out.append(CarryOut(label, version is not None, version))
    return out
