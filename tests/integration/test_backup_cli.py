"""Backups and kept heads through the ``aftersales`` command, on both stores (issue 10): the demo
store verifies clean across every aggregate type; ``verify --export-head`` prints a head that
``verify --head`` accepts, and that fails once a case is deleted; ``export`` then ``import`` into
an empty store gives the same head; every refusal (a non-empty store, an altered or cut file, an
unknown case, a malformed head) is one clear line and a non-zero exit. PostgreSQL's own path,
``pg_dump -n <schema>`` and ``pg_restore`` into a new database, keeps the head too."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from eventsourcing.persistence import StoredEvent
from psycopg import sql

from domain import ids
from domain.service import AfterSales
from domain.store_chain import StoreHead
from tests.conftest import pg_schema_of
from tests.integration.test_store_tamper import delete_events
from web.cli import main

KINDS = ("15 case(s)", "order(s)", "merchant policy(s)", "consumer history(s)", "request record(s)")


@pytest.fixture
def demo(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("AFTERSALES_DATABASE_URL", store_url)
    monkeypatch.setenv("AFTERSALES_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AFTERSALES_SECRET_KEY", "cli-test-secret-key-0123456789")
    runner = CliRunner()
    result = runner.invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    return runner


@pytest.fixture
def empty_url(store_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty store of the same kind."""
    if not store_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    schema = pg_schema_of(store_url)
    other = f"r_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(store_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(other)))
    yield store_url.replace(schema, other)
    with psycopg.connect(store_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(other)))


def head_of(runner: CliRunner, url: str | None = None) -> str:
    env = {"AFTERSALES_DATABASE_URL": url} if url else None
    result = runner.invoke(main, ["verify", "--export-head"], env=env)
    assert result.exit_code == 0, result.output
    return str(StoreHead.parse(result.stdout.strip().splitlines()[-1]))


def test_the_demo_store_verifies_clean_and_against_its_kept_head(
    demo: CliRunner, store_url: str
) -> None:
    clean = demo.invoke(main, ["verify"])
    assert clean.exit_code == 0, clean.output
    assert all(kind in clean.output for kind in KINDS)
    assert "0 broken chain(s), 0 store problem(s)" in clean.output
    head = head_of(demo)
    kept = demo.invoke(main, ["verify", "--head", head])
    assert kept.exit_code == 0 and "matches the kept head" in kept.output

    delete_events(store_url, ids.case_id("DEMO-C-0003"))
    gone = demo.invoke(main, ["verify", "--head", head])
    assert gone.exit_code == 1
    assert "TAMPERED store:" in gone.output and "case DEMO-C-0003" in gone.output
    assert "(the kept head)" in gone.output
    refused = demo.invoke(main, ["verify", "--export-head"])
    assert refused.exit_code == 1 and "no head exported" in refused.output


def test_export_then_import_into_an_empty_store_gives_the_same_head(
    demo: CliRunner, tmp_path: Path, empty_url: str
) -> None:
    head = head_of(demo)
    backup = tmp_path / "backup.jsonl"
    exported = demo.invoke(main, ["export", "-o", str(backup)])
    assert exported.exit_code == 0 and head in exported.output, exported.output

    env = {"AFTERSALES_DATABASE_URL": empty_url}
    restored = demo.invoke(main, ["import", str(backup)], env=env)
    assert restored.exit_code == 0, restored.output
    assert f"head {head} (equal to the export's)" in restored.output
    assert head_of(demo, empty_url) == head
    again = demo.invoke(main, ["import", str(backup)], env=env)
    assert again.exit_code == 2 and "the store is not empty" in again.output
    # The restored store works: a case loads, and its projections catch up.
    app = AfterSales.from_url(empty_url)
    try:
        assert app.get_case("DEMO-C-0001").case_no == "DEMO-C-0001"
        # The next event gets the next notification id (PostgreSQL's sequence was moved on).
        after = StoredEvent(uuid.uuid4(), 1, "domain.case:Case.Opened", b"{}")
        (next_id,) = app.recorder.insert_events([after]) or [0]
        assert next_id == StoreHead.parse(head).notification_id + 1
    finally:
        app.close()
    status = demo.invoke(main, ["projections", "run", "--once"], env=env)
    assert status.exit_code == 0, status.output


def test_a_case_exports_with_its_request_records(
    demo: CliRunner, tmp_path: Path, empty_url: str
) -> None:
    backup = tmp_path / "case.jsonl"
    exported = demo.invoke(main, ["export", "DEMO-C-0001", "-o", str(backup)])
    assert exported.exit_code == 0, exported.output
    restored = demo.invoke(
        main, ["import", str(backup)], env={"AFTERSALES_DATABASE_URL": empty_url}
    )
    assert restored.exit_code == 0 and "equal to the export's" in restored.output
    app = AfterSales.from_url(empty_url)
    try:
        report = app.verify_store(partial=True)
        assert report.ok and report.count_by_kind()["Case"] == 1
        assert report.count_by_kind()["RequestRecord"] >= 1
    finally:
        app.close()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda lines: lines[:-1], "cut short"),
        (lambda lines: [lines[0], *lines[2:]], "altered"),
        (
            lambda lines: [lines[0], lines[1].replace('"version":1', '"version":2'), *lines[2:]],
            "altered",
        ),
        (lambda lines: ["{}", *lines[1:]], "not an aftersales export"),
        (lambda lines: [lines[0], "nonsense", *lines[1:]], "line 2: not JSON"),
    ],
    ids=["cut", "line-removed", "line-edited", "no-header", "garbage"],
)
def test_a_damaged_backup_is_refused_before_anything_is_written(
    demo: CliRunner, tmp_path: Path, empty_url: str, damage: object, message: str
) -> None:
    backup = tmp_path / "backup.jsonl"
    assert demo.invoke(main, ["export", "-o", str(backup)]).exit_code == 0
    lines = backup.read_text(encoding="utf-8").splitlines()
    backup.write_text("\n".join(damage(lines)) + "\n", encoding="utf-8")  # type: ignore[operator]
    env = {"AFTERSALES_DATABASE_URL": empty_url}
    result = demo.invoke(main, ["import", str(backup)], env=env)
    assert result.exit_code == 2 and message in result.output, result.output
    assert head_of(demo, empty_url) == "0:" + "0" * 64  # nothing was written


def test_verify_of_one_case_names_its_cut_tail_and_its_deletion(
    demo: CliRunner, store_url: str
) -> None:
    case_id = ids.case_id("DEMO-C-0001")
    app = AfterSales.from_url(store_url)
    try:
        version = app.get_case("DEMO-C-0001").version
    finally:
        app.close()
    delete_events(store_url, case_id, from_version=version)
    cut = demo.invoke(main, ["verify", "DEMO-C-0001"])
    assert cut.exit_code == 1, cut.output
    assert f"case DEMO-C-0001: named at version {version}" in cut.output
    assert "truncated" in cut.output
    assert demo.invoke(main, ["verify", "DEMO-C-0002"]).exit_code == 0
    delete_events(store_url, case_id)
    gone = demo.invoke(main, ["verify", "DEMO-C-0001"])
    assert gone.exit_code == 1 and "does not hold it: deleted" in gone.output
    assert "unknown case 'DEMO-C-0001'" in gone.output


def test_refusals_are_one_line_and_non_zero(demo: CliRunner, tmp_path: Path) -> None:
    unknown = demo.invoke(main, ["export", "NO-SUCH", "-o", str(tmp_path / "x.jsonl")])
    assert unknown.exit_code == 2 and "unknown case 'NO-SUCH'" in unknown.output
    assert not (tmp_path / "x.jsonl").exists()
    bad_head = demo.invoke(main, ["verify", "--head", "12:xyz"])
    assert bad_head.exit_code == 2 and "NOTIFICATION_ID:SHA256" in bad_head.output
    mixed = demo.invoke(main, ["verify", "DEMO-C-0001", "--head", "1:" + "0" * 64])
    assert mixed.exit_code == 2 and "give no case number" in mixed.output
    ahead = demo.invoke(main, ["verify", "--head", "999999:" + "0" * 64])
    assert ahead.exit_code == 1 and "truncated" in ahead.output


@pytest.mark.postgres
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not on PATH")
def test_pg_dump_and_pg_restore_keep_the_head(pg_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    env = {
        "AFTERSALES_DATABASE_URL": pg_url,
        "AFTERSALES_DATA_DIR": str(tmp_path),
        "AFTERSALES_SECRET_KEY": "cli-test-secret-key-0123456789",
    }
    assert runner.invoke(main, ["demo"], env=env).exit_code == 0
    head = runner.invoke(main, ["verify", "--export-head"], env=env).stdout.strip()
    schema = pg_schema_of(pg_url)
    server = pg_url.split("?", 1)[0]
    dump = tmp_path / "store.dump"
    subprocess.run(["pg_dump", "-Fc", "-n", schema, "-f", str(dump), server], check=True)
    target = f"restore_{uuid.uuid4().hex[:12]}"
    admin = server.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target)))
    try:
        restored_server = server.rsplit("/", 1)[0] + "/" + target
        subprocess.run(["pg_restore", "--no-owner", "-d", restored_server, str(dump)], check=True)
        restored = pg_url.replace(server, restored_server)
        result = runner.invoke(
            main, ["verify", "--head", head], env={**env, "AFTERSALES_DATABASE_URL": restored}
        )
        assert result.exit_code == 0, result.output
        assert f"head {head} (matches the kept head" in result.output
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target))
            )
