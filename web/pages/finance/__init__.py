"""Finance pages (``/finance``, R3, R3.a, R14): what is owed and by when, the journal, balances,
payments and the reconciliation of payment-provider settlement reports.

- ``refunds``: ``/finance/`` refunds due, earliest R3 deadline first (3-7 working days after
  approval, as live countdowns; overdue ones marked), with "paid" (payment reference) and
  "failed" (reason) on each, and the compensation still owed with "paid";
- ``ledger_pages``: ``/finance/journal`` the double-entry journal, newest first, paged, filtered
  by merchant, CST day, case and entry kind; ``/finance/balances`` balances per account, per
  merchant or per CST day (with the trial balance); ``/finance/cases/<case_no>`` one case's ledger;
- ``reconciliation``: upload a settlement report (CSV) and see past runs; one run's result:
  matched, missing on either side, amount and status mismatches;
- ``discrepancies``: ``/finance/discrepancies`` finance's queue of what settlement reports and the
  ledger disagree on, each resolved by an event (match by hand, mark paid, write off, reopen).

Every table has a CSV twin (``?format=csv`` on the page, or ``/finance/<table>.csv``): UTF-8 with
a BOM for Excel, amounts as yuan with two decimals from integer fen, times in ISO with the
viewer's UTC offset (``web/common/csvexport.py``); ``columns`` defines both. Exports ignore
paging: they hold every row matching the filters. The queries are ``web.common.finance`` (the API
uses them too).
"""

from web.pages.finance import discrepancies, ledger_pages, receivables, reconciliation, refunds
from web.pages.finance.base import bp

__all__ = ["bp", "discrepancies", "ledger_pages", "receivables", "reconciliation", "refunds"]
