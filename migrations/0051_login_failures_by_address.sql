-- Failed log-ins are also limited per address (issue 10, web/common/login_throttle.py): the
-- per-address count reads this index.
CREATE INDEX login_failures_remote ON login_failures (remote, at);
