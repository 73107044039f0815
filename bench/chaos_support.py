"""What ``bench/kill_chaos.py`` sets up and checks: a store (SQLite file or PostgreSQL schema),
its accounts, policy and orders, and after each run the checks (stored once, ledger, parked,
verify, read models equal a rebuild in a copy)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

CLI = str(Path(sys.executable).parent / "aftersales")
ROLES = {  # username, role, party id, merchant id
    "consumer": ("chaos.consumer", "consumer", "C-CHAOS", None),
    "merchant": ("chaos.merchant", "merchant", "S-CHAOS", "M-CHAOS"),
    "platform_agent": ("chaos.agent", "platform_agent", "A-CHAOS", None),
    "finance": ("chaos.finance", "finance", "F-CHAOS", None),
}


@dataclass
class RunReport:
    acknowledged: int = 0
    retries: int = 0
    errors_500: int = 0
    duplicates: int = 0
    kills: Counter[str] = field(default_factory=Counter)
    terminations: int = 0
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


class Store:
    """A fresh store for one run (a SQLite file, or a PostgreSQL schema) and its environment."""

    def __init__(self, kind: str, folder: Path, pg_url: str | None) -> None:
        self.kind, self.folder, self.pg_url = kind, folder, pg_url
        self.schema = f"chaos_{uuid.uuid4().hex[:12]}"
        if kind == "sqlite":
            self.url = f"sqlite:///{folder / 'store.db'}"
        else:
            assert pg_url is not None
            self._sql(f"CREATE SCHEMA {self.schema}")
            self.url = f"{pg_url}?options=-csearch_path%3D{self.schema}"

    def _sql(self, statement: str) -> None:
        import psycopg

        assert self.pg_url is not None
        with psycopg.connect(self.pg_url, autocommit=True) as conn:
            conn.execute(statement)

    def env(self) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith("AFTERSALES_")}
        return {
            **keep,
            "AFTERSALES_DATABASE_URL": self.url,
            "AFTERSALES_DATA_DIR": str(self.folder),
            "AFTERSALES_SECRET_KEY": "chaos-secret-key-0123456789",
            "PYTHONUNBUFFERED": "1",
        }

    def drop(self) -> None:
        if self.kind == "postgresql":
            self._sql(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")


def cli(store: Store, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [CLI, *args], env=store.env(), capture_output=True, text=True, timeout=300, check=False
    )
    if check and done.returncode != 0:
        raise RuntimeError(f"aftersales {' '.join(args)}: {done.returncode}\n{done.stderr[-2000:]}")
    return done


def setup_store(store: Store) -> dict[str, str]:
    """Migrate, accounts and their tokens, the merchant's policy (published a month ago)."""
    from domain.terms import PolicyTerms
    from domain.values import Actor, Role
    from projections.db import Database
    from projections.event_store import open_service
    from web.common import accounts

    migrate_store(store.url)
    tokens: dict[str, str] = {}
    with Database.from_url(store.url) as db:
        for key, (username, role, party, merchant) in ROLES.items():
            accounts.create_account(db, username, "chaos-password-1", role, key, party, merchant)
            tokens[key] = f"Bearer {accounts.issue_token(db, username)}"
    now = datetime.now(UTC)
    month_ago = open_service(store.url, clock=lambda: now - timedelta(days=30))
    month_ago.publish_policy(
        request_id="policy-1",
        actor=Actor(Role.MERCHANT, "S-CHAOS", merchant_id="M-CHAOS"),
        merchant_id="M-CHAOS",
        terms=PolicyTerms(categories=("phone",)),
    )
    month_ago.close()
    return tokens


def record_orders(store: Store, run: int, cases: int) -> list[str]:
    """One delivered order per case of this run (the commerce platform records them)."""
    from domain.lines import OrderLine, Tender
    from domain.values import Actor, Role, TenderKind
    from projections.event_store import open_service

    service = open_service(store.url)
    platform = Actor(Role.SYSTEM, "commerce-platform")
    now = datetime.now(UTC)
    paid = (Tender(TenderKind.CARD, 1999_00),)
    orders = []
    for i in range(cases):
        order_no = f"O-{run:03d}-{i:02d}"
        service.record_order(
            request_id=f"order:{order_no}",
            actor=platform,
            order_no=order_no,
            consumer_id="C-CHAOS",
            merchant_id="M-CHAOS",
            placed_at=now - timedelta(days=3),
            lines=[OrderLine(1, "SKU-1", "手机", "phone", 1, 1999_00, paid)],
            shipping_fee_fen=0,
        )
        service.record_delivery(
            request_id=f"delivery:{order_no}",
            actor=platform,
            order_no=order_no,
            signed_at=now - timedelta(days=2),
        )
        orders.append(order_no)
    service.close()
    return orders


def digests(url: str) -> dict[str, str]:
    from projections.db import Database
    from projections.event_store import open_service
    from projections.registry import make_runner
    from projections.tablehash import table_digest

    service = open_service(url)
    out: dict[str, str] = {}
    with Database.from_url(url) as db:
        runner = make_runner(service, db)
        for projection in runner.projections.values():
            for table in projection.tables:
                with db.connect() as conn:
                    row = conn.execute(f"SELECT * FROM {table} LIMIT 1").fetchone()
                out[table] = table_digest(db, table, sorted(dict(row))) if row else "empty"
    service.close()
    return out


def migrate_store(url: str) -> None:
    """What ``aftersales migrate`` does: the read model's tables and the event store's."""
    from projections.db import Database
    from projections.event_store import create_event_store_tables
    from projections.migrate import migrate

    with Database.from_url(url) as db:
        migrate(db)
    create_event_store_tables(url)


def check_run(
    store: Store, folder: Path, acked: list[tuple[str, str]], report: RunReport, pg_url: str | None
) -> None:
    from projections.backup import export_events, import_events
    from projections.db import Database
    from projections.event_store import open_service
    from projections.ledger import trial_balance
    from projections.parking import parked_events
    from projections.registry import make_runner

    service = open_service(store.url)
    with Database.from_url(store.url) as db:
        for currency, (debits, credits) in trial_balance(db).items():
            if debits != credits:
                report.problems.append(f"ledger {currency}: debits {debits} != credits {credits}")
        parked = parked_events(db)
        if parked:
            report.problems.append(f"{len(parked)} parked event(s): {parked[:3]}")
    stored: Counter[tuple[str, str]] = Counter()
    for case_no in {c for c, _ in acked}:
        case = service.get_case(case_no)
        stored.update((case_no, type(e).__name__) for e in service.events.get(case.id))
    for key in acked:
        if stored[key] != 1:
            report.problems.append(f"{key[0]}: {key[1]} stored {stored[key]} times")
    report.duplicates += sum(n - 1 for n in stored.values() if n > 1)
    backup = folder / "backup.jsonl"
    with backup.open("w", encoding="utf-8") as out:
        export_events(service, out)
    verified = service.verify_store()  # what `aftersales verify` runs (the CLI: at the end)
    if not verified.ok:
        report.problems.append(f"verify: {verified.problems} {verified.broken_chains}")
    service.close()
    # A rebuild in a copy: the export imported into a new store, projected from scratch.
    copy_folder = folder / "copy"
    copy_folder.mkdir()
    copy = Store(store.kind, copy_folder, pg_url)
    try:
        migrate_store(copy.url)
        copied = open_service(copy.url)
        with backup.open(encoding="utf-8") as lines:
            import_events(copied, lines)
        with Database.from_url(copy.url) as db:
            make_runner(copied, db).rebuild()
        copied.close()
        mine, rebuilt = digests(store.url), digests(copy.url)
        for table in sorted(mine):
            if mine[table] != rebuilt.get(table):
                report.problems.append(f"read model {table} differs from a rebuild")
    finally:
        copy.drop()


def caught_up(store: Store, timeout: float = 300.0) -> bool:
    """Until the running projection runner has every event (it recovers by itself)."""
    from projections.db import Database
    from projections.event_store import open_service
    from projections.registry import make_runner

    service = open_service(store.url)
    end = time.monotonic() + timeout
    try:
        with Database.from_url(store.url) as db:
            runner = make_runner(service, db)
            while time.monotonic() < end:
                if all(s.lag_events == 0 for s in runner.status()):
                    return True
                time.sleep(0.2)
    finally:
        service.close()
    return False


def terminator(pg_url: str) -> Callable[[], int]:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    database = conninfo_to_dict(pg_url)["dbname"]

    def terminate() -> int:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (database,),
            ).fetchall()
        return len(rows)

    return terminate


def own_database(server_url: str) -> tuple[str, Callable[[], None]]:
    """A database for this script alone (terminating its connections touches nobody else)."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    name = f"aftersales_chaos_{os.getpid()}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    params = conninfo_to_dict(server_url)
    url = (
        f"postgresql://{params.get('user', 'postgres')}@{params.get('host', '127.0.0.1')}:"
        f"{params.get('port', 5432)}/{name}"
    )
    _ = make_conninfo

    def drop() -> None:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    return url, drop
