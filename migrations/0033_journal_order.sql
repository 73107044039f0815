-- The finance journal page reads newest first: one index scan, no sort (projections/ledger.py
-- journal_page).
CREATE INDEX journal_newest ON journal (at, case_no, event_version, line_no);
