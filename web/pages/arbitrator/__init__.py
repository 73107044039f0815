"""Arbitrators' pages (R10, ``/arbitration``): the cases waiting for a ruling, the ruled ones, and
the replay viewer.

``base``         the blueprint
``routes``       the list, the replay viewer page and the ruling form's post
``replay``       the case as it was after step N, rebuilt from its events; ``chain`` the stored
                 hashes and the chain check; ``terms`` the policy it is judged by (R19)
``ruling_form``  the ruling form (R10); ``carry_out`` what a ruling leaves to do
"""

from web.pages.arbitrator import routes
from web.pages.arbitrator.base import bp

__all__ = ["bp", "routes"]
