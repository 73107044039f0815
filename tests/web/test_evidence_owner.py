"""Issue 10 (evidence granted by knowing its SHA-256): access to an evidence file follows the case
the file was uploaded to. A consumer who cites another consumer's file hash in her own case can
then see the citation on her case, but cannot download the file."""

from __future__ import annotations

from flask import Flask

from tests.web.test_api import PNG, World, world  # noqa: F401 - fixture
from web.common.evidence_access import owning_case

SECRET_PHOTO = PNG + b"li.lei's receipt with her address"


def test_citing_another_consumers_hash_grants_nothing(world: World) -> None:  # noqa: F811
    sha = world.upload_png(data=SECRET_PHOTO)
    own_case = world.open_case(world.order(), evidence=[sha], description="屏幕有坏点")
    world.settle()
    assert world.get("consumer", f"/evidence/{sha}").status_code == 200

    # Zhou Xun learns the hash (a screenshot, a shared link ...) and cites it on her own case.
    theirs = world.order(consumer_id="C7777")
    other_case = world.open_case(theirs, who="other_consumer", evidence=[sha])
    world.settle()
    timeline = world.get("other_consumer", f"/api/v1/cases/{other_case}").json
    assert timeline is not None and timeline["timeline"][0]["evidence"][0]["sha256"] == sha

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
