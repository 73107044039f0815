"""The realistic command mix of the benchmarks (issue 12): cases of several kinds walked through
the moves a real case takes — open, accept, ship, receive, inspect, approve, pay, note — some to
their end and some left open in a queue, over many orders, consumers and merchants.

One plan is a list of :class:`CasePlan`; each holds the case's facts and its steps. The same plans
are run two ways:

- through the application service (:func:`setup_commands`, :func:`run_step`): the command
  benchmarks, one command at a time (``AfterSales.open_case`` / ``AfterSales.perform``);
- on the aggregates themselves, in memory (``bench/load.py``), to fill a store fast.

Kinds (weights): no-reason return 35 %, defect return 25 %, refund only (never delivered) 25 %,
complaint 15 %. One case in four stops at a random step (open work in a merchant's queue).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.case_values import Shipment
from domain.lines import OrderLine, Tender
from domain.process import Move
from domain.service import AfterSales, LineRequest, Result
from domain.terms import PolicyTerms
from domain.values import Actor, CaseKind, Reason, Role, TenderKind

SYSTEM = Actor(Role.SYSTEM, "commerce-platform")
AGENT = Actor(Role.PLATFORM_AGENT, "bench-agent")
FINANCE = Actor(Role.FINANCE, "bench-finance")
TERMS = PolicyTerms(categories=("phones", "apparel"))
PAID_FEN = 199_00


def consumer(n: int | str, prefix: str = "bc") -> Actor:
    return Actor(Role.CONSUMER, f"{prefix}{n}")


def staff(merchant_id: str) -> Actor:
    return Actor(Role.MERCHANT, f"{merchant_id}-staff", merchant_id=merchant_id)


def order_lines() -> tuple[OrderLine, ...]:
    return (
        OrderLine(
            1, "SKU-P1", "phone", "phones", 1, PAID_FEN, (Tender(TenderKind.CARD, PAID_FEN),)
        ),
        OrderLine(2, "SKU-A2", "shirt", "apparel", 1, 59_00, (Tender(TenderKind.CARD, 59_00),)),
    )


@dataclass(frozen=True)
class Step:
    move: Move
    actor: Actor
    inputs: dict[str, Any] = field(default_factory=dict)


@dataclass
class CasePlan:
    case_no: str
    order_no: str
    consumer: Actor
    merchant_id: str
    kind: CaseKind
    reason: Reason
    description: str
    steps: list[Step]
    lines: tuple[LineRequest, ...] = (LineRequest(1, 1),)

    @property
    def delivered(self) -> bool:
        """Refund-only cases are for goods never delivered (R3): their order has no delivery."""
        return self.kind is not CaseKind.REFUND_ONLY

    @property
    def commands(self) -> int:
        return 1 + len(self.steps)  # the opening and each step


def _walk(kind: str, plan_consumer: Actor, merchant: Actor, n: int) -> list[Step]:
    note = Step(Move.ADD_NOTE, merchant, {"text": f"called the customer ({n})", "internal": True})
    ship = Step(Move.SHIP_RETURN, plan_consumer, {"shipment": Shipment("SF", f"SF{n:09d}", 1_200)})
    back = [
        ship,
        Step(Move.RECORD_RETURN_DELIVERED, SYSTEM),
        Step(Move.CONFIRM_RECEIPT, merchant),
    ]
    pay = [
        Step(Move.APPROVE_REFUND, AGENT),
        Step(Move.RECORD_REFUND_PAID, FINANCE, {"psp_reference": f"PSP-{n}"}),
    ]
    if kind == "return_no_reason":
        inspect = {"responsibility": "no_fault", "findings": "as sold"}
        return [
            Step(Move.ACCEPT, merchant),
            note,
            *back,
            Step(Move.INSPECT, merchant, inspect),
            *pay,
        ]
    if kind == "return_defect":
        inspect = {"responsibility": "product_defect", "findings": "screen flickers"}
        return [Step(Move.ACCEPT, merchant), *back, Step(Move.INSPECT, merchant, inspect), *pay]
    if kind == "refund_only":
        return [Step(Move.ACCEPT, merchant), note, *pay]
    return [  # complaint
        Step(Move.RESPOND_TO_COMPLAINT, AGENT, {"reason": "looking into it"}),
        Step(Move.ADD_NOTE, AGENT, {"text": "slow answers", "internal": True}),
        Step(Move.GIVE_OPINION, AGENT, {"opinion": "the merchant apologises"}),
        Step(Move.CLOSE, AGENT, {"reason": "answer given"}),
    ]


_KINDS = (
    ("return_no_reason", CaseKind.RETURN_REFUND, Reason.NO_REASON, 35),
    ("return_defect", CaseKind.RETURN_REFUND, Reason.QUALITY_DEFECT, 25),
    ("refund_only", CaseKind.REFUND_ONLY, Reason.NOT_DELIVERED, 25),
    ("complaint", CaseKind.COMPLAINT, Reason.SERVICE, 15),
)


def plan_cases(
    count: int,
    *,
    prefix: str = "B",
    seed: int = 12,
    merchants: int = 20,
    consumers: int = 2_000,
    stop_share: float = 0.25,
    start: int = 0,
    merchant_prefix: str = "bm",
    consumer_prefix: str = "bc",
) -> list[CasePlan]:
    """``count`` cases numbered ``{prefix}{start}`` on, one order each."""
    rng = random.Random(f"{seed}:{prefix}:{start}")
    weights = [w for *_, w in _KINDS]
    plans = []
    for n in range(start, start + count):
        name, kind, reason, _ = rng.choices(_KINDS, weights)[0]
        merchant_id = f"{merchant_prefix}{rng.randrange(merchants)}"
        who = consumer(rng.randrange(consumers), consumer_prefix)
        steps = _walk(name, who, staff(merchant_id), n)
        if rng.random() < stop_share:
            steps = steps[: rng.randrange(len(steps))]
        plans.append(
            CasePlan(
                case_no=f"{prefix}{n}",
                order_no=f"{prefix}O{n}",
                consumer=who,
                merchant_id=merchant_id,
                kind=kind,
                reason=reason,
                description=f"{name} {n}",
                steps=steps,
                lines=() if kind is CaseKind.COMPLAINT else (LineRequest(1, 1),),
            )
        )
    return plans


# ----------------------------------------------------------------------------- through the service
def setup_commands(app: AfterSales, plans: Sequence[CasePlan], now: datetime) -> int:
    """Publish each merchant's policy (once) and record and deliver each plan's order through the
    service; returns the commands made."""
    made = 0
    for merchant_id in sorted({p.merchant_id for p in plans}):
        try:
            app.get_policy(merchant_id)
        except Exception:
            app.publish_policy(
                request_id=f"policy:{merchant_id}",
                actor=SYSTEM,
                merchant_id=merchant_id,
                terms=TERMS,
            )
            made += 1
    for p in plans:
        placed = max(now, app.clock())  # after the policy (R11/R19 read it at placed_at)
        app.record_order(
            request_id=f"order:{p.order_no}",
            actor=SYSTEM,
            order_no=p.order_no,
            consumer_id=p.consumer.id,
            merchant_id=p.merchant_id,
            placed_at=placed,
            lines=order_lines(),
        )
        made += 1
        if p.delivered:
            app.record_delivery(
                request_id=f"delivered:{p.order_no}",
                actor=SYSTEM,
                order_no=p.order_no,
                signed_at=max(placed, app.clock()),
            )
            made += 1
    return made


def run_step(app: AfterSales, plan: CasePlan, index: int, run: str = "") -> Result:
    """Command ``index`` of ``plan`` (0: open the case) through the service."""
    if index == 0:
        return app.open_case(
            request_id=f"{run}open:{plan.case_no}",
            actor=plan.consumer,
            order_no=plan.order_no,
            kind=plan.kind,
            reason_code=plan.reason,
            lines=plan.lines,
            description=plan.description,
            case_no=plan.case_no,
        )
    step = plan.steps[index - 1]
    return app.perform(
        step.move,
        request_id=f"{run}{plan.case_no}:{index}",
        actor=step.actor,
        case_no=plan.case_no,
        **step.inputs,
    )


def interleaved(plans: Sequence[CasePlan], width: int = 50) -> Iterator[tuple[CasePlan, int]]:
    """The commands of ``plans`` as they would arrive: ``width`` cases in progress at once, each
    advanced one step in turn (so a case is reloaded between its commands)."""
    active: list[tuple[CasePlan, int]] = []
    pending = iter(plans)
    while True:
        while len(active) < width:
            nxt = next(pending, None)
            if nxt is None:
                break
            active.append((nxt, 0))
        if not active:
            return
        still = []
        for plan, index in active:
            yield plan, index
            if index < len(plan.steps):
                still.append((plan, index + 1))
        active = still
