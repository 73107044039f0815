"""The delivery worker killed mid-batch (issue 9): ``aftersales notify run`` in a subprocess,
SIGKILLed while it sends the demo's notices to a slow SMTP server, then run again. No notice is
lost; the site inbox holds each notice once; an email or webhook is sent twice only when the
worker had not recorded it as sent (the channel's confirmation never reached the ledger), and
both copies carry the same id. On SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from tests.web.notify_support import close_app, notify_app, smtp_server, webhook_receiver
from web import get_db

AFTERSALES = str(Path(sys.executable).parent / "aftersales")


def _env(store_url: str, tmp_path: Path, smtp_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AFTERSALES_")}
    env.update(
        AFTERSALES_DATABASE_URL=store_url,
        AFTERSALES_DATA_DIR=str(tmp_path),
        AFTERSALES_SECRET_KEY="notify-kill-test-secret-0123456789",
        AFTERSALES_SMTP_URL=smtp_url,
        AFTERSALES_WEBHOOK_ALLOW_LOOPBACK="1",
    )
    return env


def _wait_for(condition: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.02)
    raise AssertionError("timed out")


def test_killed_worker_loses_nothing_and_duplicates_only_unconfirmed_sends(
    store_url: str, tmp_path: Path, clean_environ: None
) -> None:
    with smtp_server(delay=0.05) as smtp, webhook_receiver() as hooks:
        n = notify_app(tmp_path, store_url, smtp, hooks)
        with n.app.app_context():
            db = get_db()
            expected = {r["id"] for r in n.rows("SELECT id FROM notices")}
            # the outbox starts from nothing: the killed worker projects the notices too
            with db.transaction() as tx:
                tx.execute("DELETE FROM notices")
                tx.execute("DELETE FROM notify_cases")
                tx.execute("UPDATE projection_tracking SET position = 0 WHERE name = 'outbox'")
            env = _env(store_url, tmp_path, smtp.url)
            worker = subprocess.Popen(
                [AFTERSALES, "notify", "run", "--interval", "0.2", "--lease", "1"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            try:
                _wait_for(lambda: len(smtp.mails) >= 15, timeout=120)
            finally:
                worker.send_signal(signal.SIGKILL)
                worker.wait(timeout=30)
            assert worker.returncode == -signal.SIGKILL
            sent_before = {
                r["id"] for r in n.rows("SELECT id FROM notify_deliveries WHERE status = 'sent'")
            }
            pending = n.rows("SELECT id FROM notify_deliveries WHERE status = 'pending'")
            assert pending, "killed mid-batch: deliveries were left to send"
            time.sleep(1.2)  # the killed worker's lease on its delivery runs out
            again = subprocess.run(
                [AFTERSALES, "notify", "run", "--once", "--lease", "1"],
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert again.returncode == 0, again.stderr
            deliveries = n.rows("SELECT id, channel, status FROM notify_deliveries")
            assert deliveries and {d["status"] for d in deliveries} == {"sent"}, "none lost"
            # the site inbox: every notice once, the same notices as before
            notices = [r["id"] for r in n.rows("SELECT id FROM notices")]
            assert len(notices) == len(set(notices))
            assert set(notices) == expected
            # email: every delivery arrived; a second copy only of one not yet recorded as sent
            mailed = Counter(m.delivery_id for m in smtp.mails)
            emails = {d["id"] for d in deliveries if d["channel"] == "email"}
            assert set(mailed) == emails
            twice = {d for d, count in mailed.items() if count > 1}
            assert not twice & sent_before
            assert len(twice) <= 1, "one worker has one send in flight"
            for d in twice:
                ids = {m.message["Message-ID"] for m in smtp.mails if m.delivery_id == d}
                assert ids == {f"<{d}@aftersales.notify>"}
            hooked = Counter(h.headers["Aftersales-Delivery"] for h in hooks.hits)
            assert set(hooked) == {d["id"] for d in deliveries if d["channel"] == "webhook"}
            assert not {d for d, c in hooked.items() if c > 1} & sent_before
    close_app(n.app)
