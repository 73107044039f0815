"""kill -9 under load (issue 10): the real web server (``aftersales serve --no-follow``), the
projection runner (``aftersales projections run``) and the timer worker (``aftersales timers run``)
run as processes on one store. Each run, client threads walk new return-refund cases (opening to
the refund's payment, 8 commands a case) through the JSON API on 127.0.0.1, retrying every command
with the same request id until it is answered, while a killer sends SIGKILL to one of the three at
random moments (1 to ``--max-kills`` a run, 0.2-1.5 s apart, the next once the server listens
again) and restarts it
(PostgreSQL with ``--terminate``: a quarter of its turns end every connection to the script's own
database with ``pg_terminate_backend`` instead). Then, the killer stopped and the processes left
running, the run is checked:

- every acknowledged command is stored once: each case holds each step's event exactly once;
- no answer was a 500;
- the running projection runner catches up by itself, and its read models equal a rebuild: the
  store is exported, imported into a new store, rebuilt there (``export_events`` /
  ``import_events`` / ``Runner.rebuild``, what ``aftersales export / import / projections
  rebuild`` run) and every projection's tables compared by digest;
- the ledger is balanced (debits = credits per currency), no event is parked, and the whole store
  verifies (``verify_store``); after the last run ``aftersales verify`` itself must exit 0.

    .venv/bin/python bench/kill_chaos.py [--runs 100] [--cases 4] [--clients 2]
        [--store sqlite|postgresql] [--pg-url URL] [--terminate] [--seed N]

``tests/integration/test_kill_chaos.py`` runs 3 runs (SQLite) and 1 (PostgreSQL, --terminate).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from chaos_support import (  # noqa: E402 - after the path
    CLI,
    RunReport,
    Store,
    caught_up,
    check_run,
    cli,
    own_database,
    record_orders,
    setup_store,
    terminator,
)

# Each case's script: (who, command, body, the event it records).
STEPS: tuple[tuple[str, str, dict[str, Any], str], ...] = (
    ("merchant", "accept", {}, "Accepted"),
    ("consumer", "ship-return", {"carrier": "顺丰速运", "tracking_no": "SF1001"}, "ReturnShipped"),
    ("merchant", "return-delivered", {}, "ReturnDelivered"),
    ("merchant", "confirm-receipt", {}, "ReceiptConfirmed"),
    ("merchant", "inspect", {"responsibility": "no_fault", "findings": "完好"}, "Inspected"),
    ("platform_agent", "approve-refund", {}, "RefundApproved"),
    ("finance", "refund-paid", {"psp_reference": "PSP-{case}"}, "RefundPaid"),
)
PROCESSES = ("web", "projections", "timers")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Fleet:
    """The three processes; ``kill`` sends SIGKILL to one and starts it again."""

    def __init__(self, store: Store, port: int) -> None:
        self.store, self.port = store, port
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.log = open(store.folder / "processes.log", "ab")  # noqa: SIM115
        for name in PROCESSES:
            self.start(name)

    def command(self, name: str) -> list[str]:
        return {
            "web": [CLI, "serve", "--no-follow", "--port", str(self.port)],
            "projections": [CLI, "projections", "run", "--interval", "0.2"],
            "timers": [CLI, "timers", "run", "--interval", "0.5"],
        }[name]

    def start(self, name: str) -> None:
        self.procs[name] = subprocess.Popen(
            self.command(name), env=self.store.env(), stdout=self.log, stderr=self.log
        )

    def kill(self, name: str) -> None:
        proc = self.procs[name]
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        self.start(name)

    def wait_for_web(self, timeout: float = 60.0) -> None:
        """Until the server accepts connections (a kill lands on a working server)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)

    def stop(self) -> None:
        for proc in self.procs.values():
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        self.log.close()


class Client:
    """HTTP against 127.0.0.1 that retries one request (same body, same request id) until it is
    answered by anything but a lost connection or a 503."""

    def __init__(self, port: int, tokens: dict[str, str], report: RunReport, deadline: float):
        self.base = f"http://127.0.0.1:{port}/api/v1"
        self.tokens, self.report, self.deadline = tokens, report, deadline
        self.lock = threading.Lock()

    def post(self, who: str, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        data = json.dumps(body).encode()
        while time.monotonic() < self.deadline:
            request = urllib.request.Request(
                self.base + path,
                data=data,
                method="POST",
                headers={"Content-Type": "application/json", "Authorization": self.tokens[who]},
            )
            try:
                with urllib.request.urlopen(request, timeout=20) as response:
                    return response.status, json.loads(response.read() or b"{}")
            except urllib.error.HTTPError as error:
                status = error.code
                payload = error.read()
                if status == 500:
                    with self.lock:
                        self.report.errors_500 += 1
                if status not in (500, 502, 503):
                    return status, json.loads(payload or b"{}")
            except (OSError, TimeoutError):  # connection refused / reset: the server was killed
                pass
            with self.lock:
                self.report.retries += 1
            time.sleep(0.1)
        raise TimeoutError(f"{path}: no answer before the run's deadline")


def _walk(client: Client, order_no: str, run_id: str, acked: list[tuple[str, str]]) -> None:
    """One case from its opening to the refund's payment, each step retried with its id."""
    status, body = client.post(
        "consumer",
        "/cases",
        {
            "request_id": f"{run_id}:{order_no}:open",
            "order_no": order_no,
            "kind": "return_refund",
            "reason_code": "no_reason",
            "lines": [{"line_no": 1, "quantity": 1}],
            "description": "不想要了",
        },
    )
    if status not in (200, 201):
        raise AssertionError(f"open {order_no}: {status} {body}")
    case_no = str(body["case_no"])
    acked.append((case_no, "Opened"))
    for who, command, extra, event in STEPS:
        payload = {k: v.format(case=case_no) if isinstance(v, str) else v for k, v in extra.items()}
        payload["request_id"] = f"{run_id}:{case_no}:{command}"
        status, body = client.post(who, f"/cases/{case_no}/{command}", payload)
        if status != 200:
            raise AssertionError(f"{command} on {case_no}: {status} {body}")
        acked.append((case_no, event))


def _killer(
    max_kills: int,
    fleet: Fleet,
    stop: threading.Event,
    rng: random.Random,
    report: RunReport,
    terminate: Callable[[], int] | None,
) -> None:
    for _ in range(rng.randint(1, max_kills)):
        fleet.wait_for_web()
        if stop.wait(rng.uniform(0.2, 1.5)):
            return
        if terminate is not None and rng.random() < 0.25:
            report.terminations += terminate()
            continue
        name = rng.choice(PROCESSES)
        fleet.kill(name)
        report.kills[name] += 1


def one_run(
    args: argparse.Namespace,
    n: int,
    store: Store,
    fleet: Fleet,
    tokens: dict[str, str],
    rng: random.Random,
    pg_url: str | None,
) -> RunReport:
    """Clients walk this run's cases while the killer works; then, with the killer stopped and
    the three processes left running, every check."""
    report = RunReport()
    started = time.monotonic()
    orders = record_orders(store, n, args.cases)
    client = Client(fleet.port, tokens, report, time.monotonic() + args.run_timeout)
    stop = threading.Event()
    terminate = terminator(pg_url) if args.terminate and pg_url else None
    killer = threading.Thread(
        target=_killer, args=(args.max_kills, fleet, stop, rng, report, terminate)
    )
    acked: list[tuple[str, str]] = []
    failures: list[str] = []

    def walk_all(mine: list[str]) -> None:
        for order_no in mine:
            try:
                _walk(client, order_no, f"run{n}", acked)
            except (AssertionError, TimeoutError) as error:
                failures.append(str(error))

    clients = [
        threading.Thread(target=walk_all, args=(orders[i :: args.clients],))
        for i in range(args.clients)
    ]
    killer.start()
    for t in clients:
        t.start()
    for t in clients:
        t.join()
    stop.set()
    killer.join()
    report.problems += failures
    report.acknowledged = len(acked)
    fleet.wait_for_web()
    if not caught_up(store):
        report.problems.append("the projection runner did not catch up by itself")
    run_folder = store.folder / f"run-{n}"
    run_folder.mkdir()
    check_run(store, run_folder, acked, report, pg_url)
    report.seconds = time.monotonic() - started
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--cases", type=int, default=3, help="cases walked per run")
    parser.add_argument("--clients", type=int, default=2, help="client threads")
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--max-kills", type=int, default=3, help="kills at most a run (1..N)")
    parser.add_argument("--terminate", action="store_true", help="also pg_terminate_backend")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--run-timeout", type=float, default=240.0)
    parser.add_argument("--keep", action="store_true", help="keep every run's folder")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    pg_url, drop = (None, lambda: None)
    if args.store == "postgresql":
        pg_url, drop = own_database(args.pg_url)
    totals = RunReport()
    failed = 0
    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="chaos-run-"))
    store = Store(args.store, folder, pg_url)
    fleet: Fleet | None = None
    try:
        tokens = setup_store(store)
        fleet = Fleet(store, _free_port())
        for n in range(1, args.runs + 1):
            report = one_run(args, n, store, fleet, tokens, rng, pg_url)
            totals.acknowledged += report.acknowledged
            totals.retries += report.retries
            totals.errors_500 += report.errors_500
            totals.kills.update(report.kills)
            totals.terminations += report.terminations
            totals.duplicates += report.duplicates
            failed += bool(report.problems or report.errors_500)
            kills = ", ".join(f"{k} {v}" for k, v in sorted(report.kills.items())) or "none"
            print(
                f"run {n}: {report.acknowledged} acknowledged, kills: {kills}, "
                f"{report.terminations} connections terminated, {report.retries} retries, "
                f"{report.errors_500} x 500, {report.seconds:.1f} s"
                + ("".join(f"\n  PROBLEM {p}" for p in report.problems) or ""),
                flush=True,
            )
        fleet.stop()
        fleet = None
        verify = cli(store, "verify", check=False)  # the operator's command, on the final store
        print(f"aftersales verify: exit {verify.returncode}: {verify.stdout.strip()[-300:]}")
        failed += verify.returncode != 0
    finally:
        if fleet is not None:
            fleet.stop()
        store.drop()
        drop()
        if failed or args.keep:
            print(f"(kept {folder})")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    elapsed = time.monotonic() - started
    kills = ", ".join(f"{k} {v}" for k, v in sorted(totals.kills.items()))
    print(
        f"\n{args.runs} runs ({args.store}), {failed} with a problem; "
        f"kills: {sum(totals.kills.values())} ({kills}); "
        f"{totals.terminations} connections terminated; commands acknowledged: "
        f"{totals.acknowledged}; duplicates: {totals.duplicates}; "
        f"500s: {totals.errors_500}; retries {totals.retries}; {elapsed:.0f} s"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
