"""Published policies read model (R11, R19, R23) on SQLite and PostgreSQL: one row per version
with its number, time, summary and every term, the latest version and the history per store, and
a rebuild that reproduces the tables."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from domain.terms import CategoryNote, Exclusion, KindHours, PolicyTerms, WarrantyPart
from domain.values import Actor, CaseKind, ExclusionKind, Role
from projections.policies import (
    POLICIES_PROJECTION,
    PoliciesProjection,
    current_policy,
    policy_history,
    policy_version,
    terms_from_json,
    terms_to_json,
)
from projections.registry import PROJECTION_MODULES
from projections.runner import Runner
from projections.tablehash import table_digest
from tests.integration.projection_support import PLATFORM, START, World

STAFF = Actor(Role.MERCHANT, "s1", merchant_id="m1")


def rich_terms() -> PolicyTerms:
    return PolicyTerms(
        categories=("fruit", "cosmetics", "phone"),
        return_window_days=10,
        exclusions=(
            Exclusion("fruit", ExclusionKind.FRESH, "生鲜易腐"),
            Exclusion("cosmetics", ExclusionKind.CONSUMABLE, "拆封后影响二次销售"),
        ),
        warranty_months=24,
        parts_warranty_months=6,
        warranty_parts=("battery",),
        accept_hours=1,
        free_return_shipping=True,
        repair_fee_cap_fen=30_000,
        after_sales_carrier="顺丰速运 售后专线",
        notes=(CategoryNote("phone", "防水等级 IP68，进水不保修"),),
        inspection_hours=24,
        first_response_by_kind=(KindHours(CaseKind.REPAIR, 36),),  # R12.a
        parts=(WarrantyPart("charger", 6, "phone"), WarrantyPart("cable", 4)),  # R5
    )


@pytest.fixture
def world(store_url: str, tmp_path: Path) -> Iterator[World]:
    w = World(store_url, tmp_path)
    w.runner = Runner(w.app, w.db, [PoliciesProjection()], clock=w.clock)
    yield w
    w.close()


def publish(world: World, merchant_id: str, terms: PolicyTerms, summary: str = "") -> None:
    actor = STAFF if merchant_id == "m1" else PLATFORM
    world.app.publish_policy(
        request_id=world.rid("policy"),
        actor=actor,
        merchant_id=merchant_id,
        terms=terms,
        summary=summary,
    )


def test_the_projection_is_registered() -> None:
    assert "projections.policies" in PROJECTION_MODULES


def test_terms_survive_the_json_round_trip() -> None:
    terms = rich_terms()
    assert terms_from_json(terms_to_json(terms)) == terms
    assert terms_to_json(terms) == terms_to_json(terms_from_json(terms_to_json(terms)))


def test_each_published_version_is_one_row_with_every_term(world: World) -> None:
    publish(world, "m1", PolicyTerms(categories=("phone",)), summary="首发")
    world.clock.advance(days=3)
    publish(world, "m1", rich_terms(), summary="延长保修")
    world.catch_up()

    history = policy_history(world.db, "m1")
    assert [(v.number, v.summary) for v in history] == [(2, "延长保修"), (1, "首发")]
    assert history[0].published_at == START + timedelta(days=3)
    assert history[1].published_at == START
    assert history[0].terms == rich_terms()
    assert (history[0].actor_role, history[0].actor_id) == ("merchant", "s1")

    current = current_policy(world.db, "m1")
    assert current is not None and current.number == 2
    first = policy_version(world.db, "m1", 1)
    assert first is not None and first.terms == PolicyTerms(categories=("phone",))
    assert policy_version(world.db, "m1", 3) is None


def test_stores_are_kept_apart_and_an_unknown_store_has_no_policy(world: World) -> None:
    publish(world, "m1", PolicyTerms(categories=("phone",)))
    publish(world, "m2", rich_terms())
    world.catch_up()

    m1, m2 = current_policy(world.db, "m1"), current_policy(world.db, "m2")
    assert m1 is not None and m1.terms.categories == ("phone",)
    assert m2 is not None and m2.number == 1 and m2.terms.free_return_shipping
    assert current_policy(world.db, "nobody") is None
    assert policy_history(world.db, "nobody") == []
    with world.db.connect() as conn:
        rows = conn.execute(
            "SELECT merchant_id, current_number FROM policy_merchants ORDER BY merchant_id"
        ).fetchall()
    assert [(r["merchant_id"], int(r["current_number"])) for r in rows] == [("m1", 1), ("m2", 1)]


def test_a_refused_version_leaves_no_row(world: World) -> None:
    publish(world, "m1", PolicyTerms(categories=("phone",)))
    with pytest.raises(Exception, match="return_window_days"):
        publish(world, "m1", PolicyTerms(categories=("phone",), return_window_days=3))
    world.catch_up()
    assert [v.number for v in policy_history(world.db, "m1")] == [1]


def test_rebuild_from_scratch_gives_identical_tables(world: World) -> None:
    publish(world, "m1", PolicyTerms(categories=("phone",)), summary="v1")
    world.clock.advance(hours=5)
    publish(world, "m1", rich_terms(), summary="v2")
    publish(world, "m2", rich_terms(), summary="其他店铺")
    world.catch_up()
    before = (
        table_digest(world.db, "policy_versions", ["merchant_id", "number"]),
        table_digest(world.db, "policy_merchants", "policy_id"),
    )

    replayed = world.runner.rebuild(names=[POLICIES_PROJECTION])

    assert replayed == 5  # two Started, three VersionPublished
    assert (
        table_digest(world.db, "policy_versions", ["merchant_id", "number"]),
        table_digest(world.db, "policy_merchants", "policy_id"),
    ) == before


def test_rows_are_the_same_text_on_every_store(world: World) -> None:
    """What the pages read does not depend on the store: timestamps and JSON are fixed text."""
    publish(world, "m1", rich_terms(), summary="v1")
    world.catch_up()
    with world.db.connect() as conn:
        row = conn.execute(
            "SELECT merchant_id, number, published_at, summary, terms FROM policy_versions"
        ).fetchone()
    assert dict(row) == {
        "merchant_id": "m1",
        "number": 1,
        "published_at": "2026-09-21T02:00:00.000000Z",
        "summary": "v1",
        "terms": terms_to_json(rich_terms()),
    }
