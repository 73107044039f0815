"""The scripted demo (`aftersales demo`): two stores publish policies, orders are handed over,
and at least one case of every kind is walked to its end, plus a few left open for the queues.

Everything runs through the ordinary ``AfterSales`` commands with deterministic request ids, so a
second run records nothing new. Time is simulated: the script starts ``DEMO_DAYS`` ago and moves a
clock forward step by step, never past the real present, so deadlines and breaches are real.

The script reads top to bottom in ``web.demo.script.run_demo``: ``policies_and_orders``, the cases
walked to their end (``cases_closed``: one function per case), then the open work near the present
(``cases_open``). ``cast`` holds who plays, ``orders`` what they bought.
"""

from web.demo.cast import (
    AGENT,
    ARBITRATOR,
    DEMO_ACCOUNTS,
    DIGITAL_STAFF,
    FINANCE,
    FRESH_STAFF,
    LI,
    PLATFORM,
    SHOP_DIGITAL,
    SHOP_FRESH,
    WANG,
    ZHANG,
)
from web.demo.script import DEMO_DAYS, DemoReport, SimClock, demo_is_loaded, run_demo

__all__ = [
    "AGENT",
    "ARBITRATOR",
    "DEMO_ACCOUNTS",
    "DEMO_DAYS",
    "DIGITAL_STAFF",
    "FINANCE",
    "FRESH_STAFF",
    "LI",
    "PLATFORM",
    "SHOP_DIGITAL",
    "SHOP_FRESH",
    "WANG",
    "ZHANG",
    "DemoReport",
    "SimClock",
    "demo_is_loaded",
    "run_demo",
]
