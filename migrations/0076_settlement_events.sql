-- Reconciliation as events (issue 8): reconciliation_runs and reconciliation_items are now the
-- projection of Settlement events (projections/reconcile/projection.py); a rebuild of the
-- "reconciliation" projection writes them again from the event log. Runs imported before this
-- migration were not events: they stay until that projection is rebuilt (import the file again).
-- Each discrepancy is work for finance: its resolution (match_by_hand, mark_paid, write_off,
-- reopen_payment) is an event.
ALTER TABLE reconciliation_runs ADD COLUMN open_discrepancies INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reconciliation_runs ADD COLUMN imported_by TEXT NOT NULL DEFAULT '';
ALTER TABLE reconciliation_runs ADD COLUMN settlement_id TEXT NULL;   -- the aggregate's id
ALTER TABLE reconciliation_items ADD COLUMN tender TEXT NULL;
ALTER TABLE reconciliation_items ADD COLUMN resolution TEXT NULL;
ALTER TABLE reconciliation_items ADD COLUMN resolution_reason TEXT NULL;
ALTER TABLE reconciliation_items ADD COLUMN resolved_by TEXT NULL;
ALTER TABLE reconciliation_items ADD COLUMN resolved_at TEXT NULL;
ALTER TABLE reconciliation_items ADD COLUMN resolved_case_no TEXT NULL;
CREATE INDEX reconciliation_items_open ON reconciliation_items (resolution, outcome);
