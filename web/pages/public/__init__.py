"""Public pages, no log-in: the platform's rules (``/rules``), a store's after-sales policy and a
product's after-sales section (R11, R19, R23, P4). ``routes`` the pages; ``rules_text`` the rules
as the public reads them."""

from web.pages.public.routes import bp

__all__ = ["bp"]
