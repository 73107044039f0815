"""Two stores split by merchant on two PostgreSQL databases (issue 12, docs/scaling.md,
``web.shards``): merchant A on store 1 (the default), merchant B on store 2. Cases of both are
opened and moved through the API and the site; each store's projections run; then every event is
in its merchant's store only, each merchant's queue shows its own cases, the consumer's and the
platform agent's pages show both, and a case page reads the store that holds the case."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask import Flask
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from domain import ids
from domain.lines import OrderLine, Tender
from domain.values import Actor, Role, TenderKind
from tests.web.conftest import PASSWORD, csrf_token_for, login_as, make_app
from web import get_db, platform_db, projection_worker
from web.common import accounts
from web.services import get_service, service_for
from web.shards import ShardsError, parse_shards, store_runners, stores_for

PLATFORM = Actor(Role.SYSTEM, "commerce-platform")
MERCHANT_A, MERCHANT_B = "MA100", "MB200"
CONSUMER = "C-SPLIT"
PEOPLE = {  # username: (role, display name, party id, merchant id)
    "gu.ke": ("consumer", "顾客", CONSUMER, None),
    "staff.a": ("merchant", "甲店", "S-A", MERCHANT_A),
    "staff.b": ("merchant", "乙店", "S-B", MERCHANT_B),
    "agent.li": ("platform_agent", "李客服", "A-1", None),
}


def _url(params: dict[str, Any], dbname: str) -> str:
    host, port = params.get("host") or "127.0.0.1", params.get("port") or "5432"
    user, password = params.get("user") or "postgres", params.get("password") or ""
    auth = f"{user}:{password}" if password else user
    return f"postgresql://{auth}@{host}:{port}/{dbname}"


@pytest.fixture
def two_databases(pg_database_url: str) -> Iterator[tuple[str, str]]:
    """Two fresh databases on the test server (the fixtures' PostgreSQL), dropped after."""
    params = dict(conninfo_to_dict(pg_database_url))
    names = [f"aftersales_shard_{uuid.uuid4().hex[:10]}_{n}" for n in (1, 2)]
    with psycopg.connect(pg_database_url, autocommit=True) as admin:
        for name in names:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield _url(params, names[0]), _url(params, names[1])
    finally:
        with psycopg.connect(pg_database_url, autocommit=True) as admin:
            for name in names:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )


@pytest.fixture
def split_app(
    tmp_path: Path, clean_environ: None, two_databases: tuple[str, str]
) -> Iterator[Flask]:
    store1, store2 = two_databases
    shards = {"store2": {"url": store2, "merchants": [MERCHANT_B]}}
    app = make_app(tmp_path, DATABASE_URL=store1, SHARDS=shards)
    stores = stores_for(app)
    assert stores is not None
    from web.shards import migrate_stores

    migrate_stores(app)  # what `aftersales migrate` does for the stores besides the default
    with app.app_context():
        db = platform_db()
        for username, (role, display, party, merchant) in PEOPLE.items():
            accounts.create_account(db, username, PASSWORD, role, display, party, merchant)
    try:
        yield app
    finally:
        projection_worker.stop(app)  # before the stores it reads are closed
        stores.close()
        service_for(app).close()
        with app.app_context():
            platform_db().close()


def _stored_ids(url: str, table: str) -> set[str]:
    with psycopg.connect(url) as conn:
        query = sql.SQL("SELECT DISTINCT originator_id FROM {}").format(sql.Identifier(table))
        rows = conn.execute(query).fetchall()
    return {str(row[0]) for row in rows}


def _case_rows(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        return {row[0] for row in conn.execute("SELECT case_no FROM case_summary").fetchall()}


def _bearer(app: Flask, username: str) -> dict[str, str]:
    with app.app_context():
        return {"Authorization": f"Bearer {accounts.issue_token(platform_db(), username)}"}


def _cases_on(page: str) -> set[str]:
    return set(re.findall(r"AS\d{6}[0-9A-Z]{6}", page))


def _run_projections(app: Flask) -> None:
    """Every store's projections, each its own runner reading its own log into its own read
    model (with its own tracking)."""
    with app.app_context():
        pairs = store_runners(app)
        assert len(pairs) == 2
        for _service, runner in pairs:
            runner.catch_up()


@pytest.mark.postgres
def test_two_stores_split_by_merchant_route_commands_pages_and_projections(
    split_app: Flask, two_databases: tuple[str, str]
) -> None:
    app = split_app
    store1, store2 = two_databases
    api = app.test_client()
    staff = {m: _bearer(app, u) for m, u in ((MERCHANT_A, "staff.a"), (MERCHANT_B, "staff.b"))}
    consumer = _bearer(app, "gu.ke")

    # Each store's policy, published by its staff through the API (routed by merchant id).
    for merchant, token in staff.items():
        response = api.post(
            f"/api/v1/policies/{merchant}",
            json={"request_id": f"policy-{merchant}", "terms": {"categories": ["phone"]}},
            headers=token,
        )
        assert response.status_code == 201, response.json

    # Two orders per merchant, recorded by the commerce platform (routed by merchant id).
    orders: dict[str, list[str]] = {MERCHANT_A: [], MERCHANT_B: []}
    with app.app_context():
        service = get_service()
        paid = (Tender(TenderKind.CARD, 99_900),)
        for merchant in orders:
            for n in (1, 2):
                order_no = f"O-{merchant}-{n}"
                now = datetime.now(UTC)
                service.record_order(
                    request_id=f"order:{order_no}",
                    actor=PLATFORM,
                    order_no=order_no,
                    consumer_id=CONSUMER,
                    merchant_id=merchant,
                    placed_at=now,
                    lines=[OrderLine(1, "SKU-1", "手机", "phone", 1, 99_900, paid)],
                    shipping_fee_fen=0,
                )
                service.record_delivery(
                    request_id=f"delivery:{order_no}",
                    actor=PLATFORM,
                    order_no=order_no,
                    signed_at=now,
                )
                orders[merchant].append(order_no)

    # The consumer opens a case on each order through the API (routed by the order's store).
    cases: dict[str, list[str]] = {MERCHANT_A: [], MERCHANT_B: []}
    for merchant, numbers in orders.items():
        for order_no in numbers:
            response = api.post(
                "/api/v1/cases",
                json={
                    "request_id": str(uuid.uuid4()),
                    "order_no": order_no,
                    "kind": "return_refund",
                    "reason_code": "no_reason",
                    "lines": [{"line_no": 1, "quantity": 1}],
                },
                headers=consumer,
            )
            assert response.status_code == 201, response.json
            cases[merchant].append((response.json or {})["case_no"])
    (a1, a2), (b1, b2) = cases[MERCHANT_A], cases[MERCHANT_B]

    # Merchant A accepts its first case through the API; merchant B through its case page's form
    # (a request routed by the case number in its URL).
    response = api.post(
        f"/api/v1/cases/{a1}/accept",
        json={"request_id": str(uuid.uuid4())},
        headers=staff[MERCHANT_A],
    )
    assert response.status_code == 200, response.json
    _run_projections(app)  # what each store's runner does in the background
    site_b = app.test_client()
    assert login_as(site_b, "staff.b").status_code == 302
    response = site_b.post(
        f"/merchant/cases/{b1}/moves/accept",
        data={"request_id": str(uuid.uuid4()), "csrf_token": csrf_token_for(site_b)},
    )
    assert response.status_code == 303

    _run_projections(app)

    # Each event is in its merchant's store only: cases, orders, policies.
    table = service_for(app).recorder.events_table_name  # type: ignore[attr-defined]
    in_store1, in_store2 = _stored_ids(store1, table), _stored_ids(store2, table)
    mine = {
        MERCHANT_A: {str(ids.case_id(c)) for c in (a1, a2)}
        | {str(ids.order_id(o)) for o in orders[MERCHANT_A]}
        | {str(ids.policy_id(MERCHANT_A))},
        MERCHANT_B: {str(ids.case_id(c)) for c in (b1, b2)}
        | {str(ids.order_id(o)) for o in orders[MERCHANT_B]}
        | {str(ids.policy_id(MERCHANT_B))},
    }
    assert mine[MERCHANT_A] <= in_store1 and not mine[MERCHANT_A] & in_store2
    assert mine[MERCHANT_B] <= in_store2 and not mine[MERCHANT_B] & in_store1
    assert _case_rows(store1) == {a1, a2} and _case_rows(store2) == {b1, b2}
    with app.app_context():  # the accepts moved the cases on their own stores
        assert get_service().get_case(a1).version > get_service().get_case(a2).version
        assert get_service().get_case(b1).version > get_service().get_case(b2).version

    # Each merchant's queue and case list: its own cases only (its store's read model).
    for username, own, other in (("staff.a", {a1, a2}, {b1, b2}), ("staff.b", {b1, b2}, {a1, a2})):
        site = app.test_client()
        assert login_as(site, username).status_code == 302
        queue = site.get("/merchant/queue")
        assert queue.status_code == 200
        shown = _cases_on(queue.get_data(as_text=True))
        assert shown & own and not shown & other, (username, shown)
        listed = _cases_on(site.get("/merchant/cases").get_data(as_text=True))
        assert own <= listed and not listed & other, (username, listed)
        token = staff[MERCHANT_A if username == "staff.a" else MERCHANT_B]
        items = api.get("/api/v1/cases", headers=token).json["items"]  # type: ignore[index]
        assert {item["case_no"] for item in items} == own
        # Another store's case is not this merchant's: 404, as on one store.
        assert site.get(f"/merchant/cases/{next(iter(other))}").status_code == 404

    # Pages that span the stores show both merchants' cases, merged.
    site = app.test_client()
    assert login_as(site, "gu.ke").status_code == 302
    assert {a1, a2, b1, b2} <= _cases_on(site.get("/my/cases").get_data(as_text=True))
    items = api.get("/api/v1/cases", headers=consumer).json["items"]  # type: ignore[index]
    assert {item["case_no"] for item in items} == {a1, a2, b1, b2}
    every_order = {*orders[MERCHANT_A], *orders[MERCHANT_B]}
    my_orders = site.get("/my/orders").get_data(as_text=True)
    assert all(order_no in my_orders for order_no in every_order)
    assert {a1, b1} <= _cases_on(my_orders)  # each order's cases, read from the order's store
    items = api.get("/api/v1/orders", headers=consumer).json["items"]  # type: ignore[index]
    assert {item["order_no"] for item in items} == every_order
    agent = app.test_client()
    assert login_as(agent, "agent.li").status_code == 302
    home = agent.get("/agent/")
    assert home.status_code == 200
    assert {a2, b2} <= _cases_on(home.get_data(as_text=True))  # new cases, from both stores
    items = api.get("/api/v1/cases", headers=_bearer(app, "agent.li")).json["items"]  # type: ignore[index]
    assert {item["case_no"] for item in items} == {a1, a2, b1, b2}
    assert agent.get(f"/agent/find?case_no={b2}").status_code == 303

    # A case page reads the store holding the case: its timeline is there.
    for case_no in (a1, b1):
        page = site.get(f"/my/cases/{case_no}")
        assert page.status_code == 200 and case_no in page.get_data(as_text=True)
        detail = api.get(f"/api/v1/cases/{case_no}", headers=consumer).json or {}
        assert [s["step"] for s in detail["timeline"]][:1] == ["opened"], detail
        assert "accepted" in {s["step"] for s in detail["timeline"]}
    with app.test_request_context(f"/my/cases/{b1}"):
        from flask import request

        request.view_args = {"case_no": b1}
        assert get_db() is stores_for(app).db("store2")  # type: ignore[union-attr]


def test_the_shard_map_is_checked_at_start() -> None:
    assert parse_shards(None) is None and parse_shards("") is None
    split = parse_shards('{"store2": {"url": "postgresql://h/b", "merchants": ["m2"]}}')
    assert split is not None
    assert split.store_of_merchant("m2") == "store2"
    assert split.store_of_merchant("m1") == "default"
    for bad in (
        "not json",
        "{}",
        '{"default": {"url": "postgresql://h/b", "merchants": ["m2"]}}',
        '{"s2": {"merchants": ["m2"]}}',
        '{"s2": {"url": "postgresql://h/b", "merchants": []}}',
        '{"s2": {"url": "postgresql://h/b", "merchants": ["m2"]},'
        ' "s3": {"url": "postgresql://h/c", "merchants": ["m2"]}}',
    ):
        with pytest.raises(ShardsError):
            parse_shards(bad)
    with pytest.raises(ShardsError):
        parse_shards('{"s2": {"url": "postgresql://h/a", "merchants": ["m2"]}}', "postgresql://h/a")


def test_one_store_is_the_default_and_unchanged(app: Flask) -> None:
    with app.app_context():
        assert stores_for(app) is None
        assert get_db() is platform_db()
        assert get_service() is service_for(app)
        assert [runner.db for _service, runner in store_runners(app)] == [platform_db()]
