"""Consumer pages (``/my``): orders and what can still be done with each line (R1, R1.a-c, R5,
R16), opening a case with photos (R20 triage on success), the case page with the moves open now
(R6, R9, R10, R13, R18, R21, R25), the case list, and evidence downloads.

Every route is for consumers only (``restrict_blueprint``) and shows only the person's own orders
and cases: anyone else's order, case or evidence is a 404, whatever the route.

``base`` the blueprint and shared helpers; ``orders`` + ``order_view``; ``opening`` + ``open_form``;
``cases`` (list and case page); ``case_actions`` (the moves); ``assistant_view`` (the R16
assistant's answers on the order and case pages). Importing the package registers
every route on ``bp``.
"""

from web.pages.consumer import assistant_view, case_actions, cases, opening, orders
from web.pages.consumer.base import bp

__all__ = ["assistant_view", "bp", "case_actions", "cases", "opening", "orders"]
