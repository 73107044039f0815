"""Issue 10 (evidence granted by knowing its SHA-256): a command may cite only files its caller
uploaded or that the case carries already (``web.common.evidence_citation``); citing another
person's upload is a 400 naming the field and item, in the caller's language, and nothing is
stored. Access to a file follows the case it was uploaded to. Both stores."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.web.conftest import csrf_token_for, login_as
from tests.web.test_api import PNG, World, make_world
from web import get_db
from web.common.evidence_access import owning_case

SECRET_PHOTO = PNG + b"li.lei's receipt with her address"
ZH = "不是您上传的文件，也不在本案中"
EN = "No file with this SHA-256 was uploaded by you or is on this case"


@pytest.fixture
def world(store_url: str, tmp_path: Path, clean_environ: None) -> Iterator[World]:
    built = make_world(tmp_path, DATABASE_URL=store_url)
    yield built
    with built.app.app_context():
        get_db().close()


def _case_count(world: World) -> int:
    world.settle()
    app: Flask = world.app
    with app.app_context(), get_db().connect() as conn:
        return int(conn.execute("SELECT COUNT(*) AS n FROM case_summary").fetchone()["n"])


def _open(world: World, who: str, order_no: str, evidence: list[str], **headers: Any) -> Any:
    body = {
        "request_id": str(uuid.uuid4()),
        "order_no": order_no,
        "kind": "return_refund",
        "reason_code": "no_reason",
        "lines": [{"line_no": 1, "quantity": 1}],
        "evidence": evidence,
    }
    return world.client.post("/api/v1/cases", json=body, headers={**world.tokens[who], **headers})


def test_citing_another_consumers_hash_is_refused_and_nothing_stored(world: World) -> None:
    sha = world.upload_png(data=SECRET_PHOTO)
    own_case = world.open_case(world.order(), evidence=[sha], description="屏幕有坏点")
    world.settle()
    assert world.get("consumer", f"/evidence/{sha}").status_code == 200
    before = _case_count(world)

    # Zhou Xun learns the hash (a screenshot, a shared link ...) and cites it on her own case.
    theirs = world.order(consumer_id="C7777")
    refused = _open(world, "other_consumer", theirs, ["a" * 64, sha])
    assert refused.status_code == 400, refused.json
    fields = refused.json["fields"]["evidence"]
    assert set(fields) == {"0", "1"} and ZH in fields["1"][0]  # zh_CN by default
    # The same answer for a hash no file has: the refusal says nothing of others' files.
    assert fields["0"] == fields["1"]
    english = _open(world, "other_consumer", theirs, [sha], **{"Accept-Language": "en"})
    assert english.status_code == 400 and EN in english.json["fields"]["evidence"]["0"][0]
    assert _case_count(world) == before  # nothing stored

    assert world.get("other_consumer", f"/evidence/{sha}").status_code == 404
    assert world.get("other_consumer", f"/my/evidence/{sha}").status_code == 404
    # The people of the case it was uploaded to keep their access.
    assert world.get("consumer", f"/evidence/{sha}").data == SECRET_PHOTO
    assert world.get("merchant", f"/evidence/{sha}").status_code == 200
    assert world.get("platform_agent", f"/evidence/{sha}").status_code == 200
    assert world.get("other_merchant", f"/evidence/{sha}").status_code == 404
    app: Flask = world.app
    with app.app_context():
        assert owning_case(sha) == own_case


def test_a_case_command_cites_own_uploads_and_the_cases_own_files(world: World) -> None:
    sha = world.upload_png(data=SECRET_PHOTO)
    case_no = world.open_case(world.order(), evidence=[sha])
    stranger = world.upload_png("other_consumer", data=PNG + b"zhou xun's photo")
    world.settle()

    # The merchant names the consumer's photo again (the case carries it): accepted.
    world.ok("merchant", case_no, "evidence", evidence=[sha], reason="见买家照片")
    # The consumer's own new upload: accepted; the stranger's upload on this case: refused.
    mine = world.upload_png(data=PNG + b"a second photo")
    world.ok("consumer", case_no, "evidence", evidence=[mine], reason="补充照片")
    version_before = world.service.get_case(case_no).version
    refused = world.command(
        "consumer", case_no, "evidence", evidence=[mine, stranger], reason="补充"
    )
    assert refused.status_code == 400, refused.json
    assert list(refused.json["fields"]["evidence"]) == ["1"]
    assert world.service.get_case(case_no).version == version_before  # nothing stored
    # Merchant staff of another store cannot cite it on their own store's case either: 404 first.
    assert world.command("other_merchant", case_no, "evidence", evidence=[sha]).status_code == 404

    # A file uploaded before by the same person may be cited on another of her cases.
    again = world.open_case(world.order(), evidence=[sha])
    assert again != case_no


def test_pages_cannot_cite_a_hash(world: World) -> None:
    """The consumer's evidence form takes files only: a hash typed into the form attaches
    nothing (the page answers with its own field message)."""
    stranger = world.upload_png("other_consumer", data=PNG + b"zhou xun's photo")
    case_no = world.open_case(world.order(), evidence=[world.upload_png()])
    world.settle()
    version_before = world.service.get_case(case_no).version
    client = world.app.test_client()
    assert login_as(client, "li.lei").status_code == 302
    response = client.post(
        f"/my/cases/{case_no}/evidence",
        data={
            "csrf_token": csrf_token_for(client),
            "reason": "补充",
            "evidence": stranger,
            "photos": (io.BytesIO(b""), ""),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code in (303, 400)
    assert world.service.get_case(case_no).version == version_before
    assert stranger not in {item.sha256 for item in world.service.get_case(case_no).evidence}
    # The same form with the file itself attaches it (whoever else uploaded the same bytes).
    response = client.post(
        f"/my/cases/{case_no}/evidence",
        data={
            "csrf_token": csrf_token_for(client),
            "reason": "补充",
            "photos": (io.BytesIO(PNG + b"zhou xun's photo"), "photo.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert stranger in {item.sha256 for item in world.service.get_case(case_no).evidence}
