"""Reconciliation: a payment provider's refund settlement report against the refund ledger, as
events and work (issue 8; R3, R3.a).

- ``parsers``: WeChat Pay's and Alipay's refund bills (UTF-8 with or without BOM, or GBK) into
  rows normalised to fen; a bad file raises :class:`SettlementFileError` naming line and column
  (``docs/settlement-report.md`` documents both formats);
- ``run``: :func:`reconcile` matches the rows against the ledger's payments
  (``domain.settlement.matching`` decides the outcomes) and records the import as a
  ``Settlement`` aggregate's event (file hash, format, rows, items);
- ``projection``: ``reconciliation_runs`` and ``reconciliation_items`` are the projection of
  those events, resolutions included (no other writer: a rebuild gives them back);
- ``results``: the runs, their items and finance's queue of open discrepancies
  (:func:`discrepancies`); each is resolved through ``AfterSales.resolve_discrepancy``.
"""

from domain.settlement.matching import OUTCOMES
from projections.reconcile.parsers import (
    ALIPAY,
    COLUMNS,
    FORMATS,
    PROVIDER,
    REQUIRED,
    WECHAT,
    ReconciliationError,
    ReportFormat,
    ReportRow,
    SettlementFileError,
    parse_report,
    parse_settlement,
    parse_yuan,
)
from projections.reconcile.projection import (
    PROJECTIONS,
    RECONCILIATION_PROJECTION,
    ReconciliationProjection,
)
from projections.reconcile.results import (
    ReconciliationItem,
    ReconciliationResult,
    ReconciliationRun,
    discrepancies,
    reconciliation_items,
    reconciliation_run,
    reconciliation_runs,
)
from projections.reconcile.run import reconcile

__all__ = [
    "ALIPAY",
    "COLUMNS",
    "FORMATS",
    "OUTCOMES",
    "PROJECTIONS",
    "PROVIDER",
    "RECONCILIATION_PROJECTION",
    "REQUIRED",
    "WECHAT",
    "ReconciliationError",
    "ReconciliationItem",
    "ReconciliationProjection",
    "ReconciliationResult",
    "ReconciliationRun",
    "ReportFormat",
    "ReportRow",
    "SettlementFileError",
    "discrepancies",
    "parse_report",
    "parse_settlement",
    "parse_yuan",
    "reconcile",
    "reconciliation_items",
    "reconciliation_run",
    "reconciliation_runs",
]
