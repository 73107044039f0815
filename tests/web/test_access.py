"""The access walk (P4, and "anyone else's case is a 404, whatever the route"): EVERY route of
``app.url_map`` (so a route added later is walked too; ``static`` aside), with EVERY kind of
person: anonymous, the consumers zhangsan and lisi, the merchant staff shanhai (m1001) and
xianguo (m1002), the platform agent, the arbitrator and finance; GET and, when the route takes
one, a POST with a valid CSRF token, a request id and plausible fields, so a missing check
would really act.

Every URL parameter is filled with something that belongs to SOMEONE ELSE for that person: a
case, order, evidence file, store or queue of another consumer / store. Then:

- another party's thing is 404 (or 401 / 403 / a redirect to the log-in page), never a 200;
- no page, JSON or redirect a party gets ever names another party's case or order number, or the
  name of a consumer whose cases they may not see;
- nothing answers 500, and the walk of a party records no event at all;
- an anonymous caller gets 401 / the log-in page everywhere but the public pages (an explicit
  list); a person on another audience's pages gets 403;
- and the owners DO get 200 with the data on their own case pages (so the walk can fail).

The same walk runs over ``/api/v1`` with bearer tokens. ``PARAMETERS`` says how to fill each URL
parameter; an unknown parameter name fails the test, so a new route cannot slip through.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from domain.process import Move
from tests.web.conftest import DEMO_PASSWORDS, csrf_token_for, load_demo, login_as, make_app
from web import get_db
from web.common import accounts, evidence
from web.pages.consumer.case_actions import ACTIONS as CONSUMER_ACTIONS
from web.services import get_service

# --- who is who in the demo (web/demo.py) ----------------------------------------------------

ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Person:
    username: str
    role: str  # account role, or "anonymous"
    party_id: str = ""
    merchant_id: str | None = None

    @property
    def is_party(self) -> bool:
        """A consumer or merchant: sees only their own / their store's cases."""
        return self.role in ("consumer", "merchant")


PEOPLE: dict[str, Person] = {
    ANONYMOUS: Person(ANONYMOUS, ANONYMOUS),
    "zhangsan": Person("zhangsan", "consumer", "c2001"),
    "lisi": Person("lisi", "consumer", "c2002"),
    "shanhai": Person("shanhai", "merchant", "s3001", "m1001"),
    "xianguo": Person("xianguo", "merchant", "s3002", "m1002"),
    "agent": Person("agent", "platform_agent", "a4001"),
    "arbiter": Person("arbiter", "arbitrator", "r5001"),
    "finance": Person("finance", "finance", "f6001"),
}

#: The demo's evidence files by case (hash of ``demo:<tag>``, web/demo.py ``_evidence``).
EVIDENCE_OF = {"DEMO-C-0002": "c2", "DEMO-C-0008": "c8"}


@dataclass(frozen=True)
class Foreign:
    """What fills the URL parameters for one person: things that are not theirs."""

    case_no: str
    order_no: str
    evidence_case: str
    merchant_id: str
    queue: str


#: wangwu's case at store m1002 for the consumers and shanhai; zhangsan's at m1001 for xianguo.
#: Open cases where a missing check would let a move through (DEMO-C-0011 awaits the merchant's
#: decision, DEMO-C-0010 the receipt of the returned goods).
NOT_ZHANGSANS = Foreign("DEMO-C-0011", "DEMO-O-1003", "DEMO-C-0008", "m1002", "consumer:c2003")
NOT_M1002S = Foreign("DEMO-C-0010", "DEMO-O-1004", "DEMO-C-0002", "m1001", "merchant:m1001")
FOREIGN: dict[str, Foreign] = {
    ANONYMOUS: NOT_ZHANGSANS,
    "zhangsan": NOT_ZHANGSANS,
    "lisi": NOT_ZHANGSANS,
    "shanhai": Foreign("DEMO-C-0011", "DEMO-O-1003", "DEMO-C-0008", "m1002", "merchant:m1002"),
    "xianguo": NOT_M1002S,
    # Platform staff see every case: they get a closed case, so the walk's POSTs change little.
    "agent": Foreign("DEMO-C-0001", "DEMO-O-1001", "DEMO-C-0002", "m1001", "consumer:c2001"),
    "arbiter": Foreign("DEMO-C-0001", "DEMO-O-1001", "DEMO-C-0002", "m1001", "merchant:m1001"),
    "finance": Foreign("DEMO-C-0001", "DEMO-O-1001", "DEMO-C-0002", "m1001", "merchant:m1001"),
}


def evidence_hash(case_no: str) -> str:
    import hashlib

    return hashlib.sha256(f"demo:{EVIDENCE_OF[case_no]}".encode()).hexdigest()


#: How each URL parameter is filled for a person (a list: the route is walked once per value).
#: A parameter not named here fails ``test_every_url_parameter_has_a_rule``.
def parameter_values(name: str, who: str) -> list[str]:
    foreign = FOREIGN[who]
    values: dict[str, list[str]] = {
        "case_no": [foreign.case_no],
        "order_no": [foreign.order_no],
        "line_no": ["1"],
        "sha256": [evidence_hash(foreign.evidence_case)],
        "action": sorted(CONSUMER_ACTIONS),  # /my/cases/<case_no>/<action>: every action
        "move": sorted(move.value for move in Move),  # .../cases/<case_no>/moves/<move>: every one
        "merchant_id": [foreign.merchant_id],
        "sku": ["FR-KIWI" if foreign.merchant_id == "m1002" else "PH-X1"],
        "queue": [foreign.queue],
        "run_id": ["1"],
        # issue 9: someone else's notice / webhook delivery (ids are hashes; unknown ids too)
        "notice_id": ["0" * 32],
        "delivery_id": ["0" * 32],
        "kind": ["repair_fee", "shipping"],  # /finance/receivables/<case_no>/<kind>/paid
        "item_no": ["1"],  # issue 8: a discrepancy of a settlement (finance only)
    }
    if name not in values:
        raise KeyError(name)
    return values[name]


#: Parameters naming someone's thing: a URL carrying one must be refused to a party.
OWNED_PARAMETERS = frozenset({"case_no", "order_no", "sha256", "queue"})

#: Routes anyone may see without logging in (public pages, the OpenAPI document).
PUBLIC_ENDPOINTS = frozenset(
    {
        "index",
        "auth.login",
        "auth.logout",
        "public.rules",
        "public.policy",
        "public.product",
        "api.get_policy",
        "api.get_policy_versions",
        "api.openapi_document",
    }
)

#: Routes of one store that are public (a store's policy and products): another store's are fine.
PUBLIC_STORE_ENDPOINTS = frozenset(
    {"public.policy", "public.product", "api.get_policy", "api.get_policy_versions"}
)

#: The audience each page blueprint is for; anyone else logged in gets 403.
BLUEPRINT_ROLE = {
    "consumer": "consumer",
    "merchant": "merchant",
    "agent": "platform_agent",
    "arbitrator": "arbitrator",
    "finance": "finance",
}

#: Fields a POST carries besides the CSRF token and request id: enough for most moves to be
#: carried out if the route forgot to check who is asking.
FORM_FIELDS = {
    "reason": "访问测试",
    "text": "访问测试",
    "findings": "访问测试",
    "opinion": "访问测试",
    "notes": "访问测试",
    "responsibility": "no_fault",
    "carrier": "顺丰速运",
    "tracking_no": "SF0000000000",
    "fee": "0",
    "amount": "1",
    "score": "5",
    "answer": "accept",
    "kind": "return_refund",
    "reason_code": "quality_defect",
    "quantity": "1",
    "description": "访问测试",
    "internal": "1",
    "psp_reference": "ACCESS-TEST",
}


# --- the app ---------------------------------------------------------------------------------


@dataclass
class World:
    app: Flask
    markers: dict[str, list[str]] = field(default_factory=dict)
    clients: dict[str, FlaskClient] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def max_event(self) -> int:
        with self.app.app_context():
            return int(get_service().recorder.max_notification_id() or 0)

    def client(self, who: str) -> FlaskClient:
        if who not in self.clients:
            client = self.app.test_client()
            if who != ANONYMOUS:
                log_in(client, PEOPLE[who])
            self.clients[who] = client
        return self.clients[who]

    def token(self, who: str) -> str:
        if who not in self.tokens:
            with self.app.app_context():
                self.tokens[who] = accounts.issue_token(get_db(), who)
        return self.tokens[who]


def log_in(client: FlaskClient, person: Person) -> None:
    response = login_as(client, person.username, DEMO_PASSWORDS[person.role])
    assert response.status_code == 302, f"{person.username} cannot log in"


def _case_rows(app: Flask) -> list[dict[str, Any]]:
    with app.app_context(), get_db().connect() as conn:
        return [
            dict(r)
            for r in conn.execute(
                "SELECT case_no, order_no, consumer_id, merchant_id FROM case_summary"
            ).fetchall()
        ]


def _order_rows(app: Flask) -> list[dict[str, Any]]:
    with app.app_context(), get_db().connect() as conn:
        return [
            dict(r)
            for r in conn.execute(
                "SELECT DISTINCT order_no, consumer_id, merchant_id FROM order_lines"
            ).fetchall()
        ]


def _sees(person: Person, row: dict[str, Any]) -> bool:
    if person.role == "consumer":
        return bool(row["consumer_id"] == person.party_id)
    if person.role == "merchant":
        return bool(row["merchant_id"] == person.merchant_id)
    return person.role != ANONYMOUS


def forbidden_markers(app: Flask, person: Person) -> list[str]:
    """What must never appear in anything ``person`` is sent: the numbers of every case and
    order they may not see, and the names of consumers none of whose cases they may see."""
    from web.demo import DEMO_ACCOUNTS

    if not person.is_party and person.role != ANONYMOUS:
        return []
    cases = _case_rows(app)
    markers = [row["case_no"] for row in cases if not _sees(person, row)]
    markers += [row["order_no"] for row in _order_rows(app) if not _sees(person, row)]
    names = {party: display for _u, _p, role, display, party, _m in DEMO_ACCOUNTS}
    seen_consumers = {row["consumer_id"] for row in cases if _sees(person, row)}
    for consumer_id in {row["consumer_id"] for row in cases} - seen_consumers:
        markers.append(names[consumer_id])
    return sorted(set(markers))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with pytest.MonkeyPatch.context() as patch:
        import os

        for name in list(os.environ):
            if name.startswith("AFTERSALES_"):
                patch.delenv(name)
        patch.setattr(accounts, "PASSWORD_HASH_METHOD", "pbkdf2:sha256:1000")
        directory: Path = tmp_path_factory.mktemp("access")
        app = make_app(directory)
        load_demo(app)
        with app.app_context():
            # The demo's evidence is only hashes; store files under them so a download that is
            # allowed really answers 200 (and one that is not would leak a real file).
            for case_no in EVIDENCE_OF:
                target = evidence.path_for(evidence_hash(case_no))
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(b"\xff\xd8\xff\xe0" + case_no.encode() + b"\x00" * 64)
        w = World(app)
        for who, person in PEOPLE.items():
            w.markers[who] = forbidden_markers(app, person)
        check_the_demo_still_fits(app)
        yield w
        with app.app_context():
            get_db().close()


def check_the_demo_still_fits(app: Flask) -> None:
    """The table above names demo cases by number: fail clearly if the demo changed under it."""
    rows = {row["case_no"]: row for row in _case_rows(app)}
    assert rows["DEMO-C-0011"]["consumer_id"] == "c2003", "DEMO-C-0011 is no longer wangwu's"
    assert rows["DEMO-C-0011"]["merchant_id"] == "m1002"
    assert rows["DEMO-C-0010"]["consumer_id"] == "c2001", "DEMO-C-0010 is no longer zhangsan's"
    assert rows["DEMO-C-0010"]["merchant_id"] == "m1001"
    assert rows["DEMO-C-0008"]["merchant_id"] == "m1002"
    assert rows["DEMO-C-0002"]["consumer_id"] == "c2001"


# --- walking ---------------------------------------------------------------------------------


def walked_rules(app: Flask, *, api: bool | None = None) -> list[Rule]:
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    if api is not None:
        rules = [r for r in rules if r.rule.startswith("/api/") == api]
    return sorted(rules, key=lambda r: (r.rule, sorted(r.methods or ())))


def urls_for(rule: Rule, who: str) -> Iterator[tuple[str, dict[str, str]]]:
    """Every URL of ``rule`` with its parameters filled for ``who`` (one per value combination)."""
    combos: list[dict[str, str]] = [{}]
    for name in sorted(rule.arguments):
        combos = [{**c, name: v} for c in combos for v in parameter_values(name, who)]
    for values in combos:
        path = rule.rule
        for name, value in values.items():
            path = re.sub(rf"<(?:[^:<>]+:)?{re.escape(name)}>", value, path)
        assert "<" not in path, f"unfilled parameter in {path}"
        yield path, values


@dataclass
class Call:
    who: str
    method: str
    path: str
    endpoint: str
    values: dict[str, str]
    response: TestResponse

    def describe(self) -> str:
        location = self.response.headers.get("Location", "")
        return (
            f"{self.who}: {self.method} {self.path} ({self.endpoint}) -> "
            f"{self.response.status_code}{' ' + location if location else ''}"
        )


def call(world: World, who: str, rule: Rule, method: str, path: str, *, bearer: bool) -> Any:
    request_id = f"access-{uuid.uuid4()}"
    headers: dict[str, str] = {}
    if bearer:
        client = world.app.test_client()
        if who != ANONYMOUS:
            headers["Authorization"] = f"Bearer {world.token(who)}"
    else:
        client = world.client(who)
        headers["X-CSRF-Token"] = csrf_token_for(client)
    if method == "GET":
        return client.get(path, headers=headers)
    if rule.rule.startswith("/api/"):
        body: dict[str, Any] = {"request_id": request_id}
        return client.post(path, json=body, headers=headers)
    form = {"csrf_token": csrf_token_for(client), "request_id": request_id, **FORM_FIELDS}
    form["case_no"] = FOREIGN[who].case_no  # the bulk accept of the merchant's queue
    return client.post(path, data=form, headers=headers)


def _methods(rule: Rule) -> list[str]:
    methods = rule.methods or set()
    return [m for m in ("GET", "POST") if m in methods]


def _goes_to_login(response: TestResponse) -> bool:
    return response.status_code in (301, 302, 303) and "/login" in response.headers.get(
        "Location", ""
    )


def without_echoes(text: str, url: str) -> str:
    """``text`` without the places that repeat the caller's own URL back to them (the language
    switch links, the log-in page's ``next``, a search box's value): naming what one typed in is
    not showing someone else's case."""
    parts = urlsplit(url)
    echoes = {parts.path, quote(parts.path, safe=""), quote(parts.path)}
    for key, value in parse_qsl(parts.query):
        echoes |= {f"{key}={value}", urlencode({key: value}), f'value="{html.escape(value)}"'}
        echoes |= {quote(f"{key}={value}", safe=""), quote(urlencode({key: value}), safe="")}
    for echo in sorted(echoes, key=len, reverse=True):
        for form in (echo, html.escape(echo)):
            text = text.replace(form, "")
    return text


def judge(world: World, c: Call) -> list[str]:
    """What is wrong with one response (empty: nothing)."""
    person = PEOPLE[c.who]
    status = c.response.status_code
    body = c.response.get_data().decode("utf-8", errors="replace")
    sent = without_echoes(body + "\n" + c.response.headers.get("Location", ""), c.path)
    problems = []
    if status >= 500:
        problems.append(f"{c.describe()}: server error\n{body[:800]}")
        return problems
    leaked = [m for m in world.markers[c.who] if m in sent]
    if leaked:
        problems.append(f"{c.describe()}: shows {leaked} (not theirs)")
    blueprint = c.endpoint.split(".", 1)[0] if "." in c.endpoint else ""
    public = c.endpoint in PUBLIC_ENDPOINTS
    if person.role == ANONYMOUS:
        if not public and not (status == 401 or _goes_to_login(c.response)):
            problems.append(f"{c.describe()}: anonymous must get 401 or the log-in page")
        return problems
    wrong_audience = blueprint in BLUEPRINT_ROLE and BLUEPRINT_ROLE[blueprint] != person.role
    if wrong_audience and status != 403:
        problems.append(f"{c.describe()}: another audience's page must be 403")
    owned = OWNED_PARAMETERS & set(c.values)
    if c.endpoint not in PUBLIC_STORE_ENDPOINTS and "merchant_id" in c.values and person.is_party:
        owned = owned | {"merchant_id"}
    if person.is_party and owned and status not in (401, 403, 404):
        problems.append(f"{c.describe()}: {sorted(owned)} of someone else must be 403/404")
    return problems


def search_query(who: str) -> str:
    """A query string asking list pages to search for, or show, someone else's case."""
    foreign = FOREIGN[who]
    return (
        f"?q={foreign.case_no}&case_no={foreign.case_no}&order_no={foreign.order_no}"
        f"&merchant_id={foreign.merchant_id}&consumer_id=c2003&show=all&version=1"
    )


def walk(world: World, who: str, *, api: bool | None, bearer: bool) -> list[str]:
    problems: list[str] = []
    for rule in walked_rules(world.app, api=api):
        for method in _methods(rule):
            for path, values in urls_for(rule, who):
                variants = [path, path + search_query(who)] if method == "GET" else [path]
                for url in variants:
                    response = call(world, who, rule, method, url, bearer=bearer)
                    c = Call(who, method, url, rule.endpoint, values, response)
                    problems += judge(world, c)
                if rule.endpoint == "auth.logout" and who != ANONYMOUS and not bearer:
                    log_in(world.client(who), PEOPLE[who])  # the walk logged them out
    return problems


# --- tests -----------------------------------------------------------------------------------


def test_every_url_parameter_has_a_rule(world: World) -> None:
    unknown = set()
    for rule in walked_rules(world.app):
        for name in rule.arguments:
            try:
                parameter_values(name, "zhangsan")
            except KeyError:
                unknown.add(f"<{name}> in {rule.rule}")
    assert not unknown, (
        "routes with URL parameters this walk cannot fill; add them to parameter_values() in "
        f"tests/web/test_access.py: {sorted(unknown)}"
    )


def test_the_walk_covers_every_audience_and_the_api(world: World) -> None:
    blueprints = {r.endpoint.split(".")[0] for r in walked_rules(world.app) if "." in r.endpoint}
    assert {"consumer", "merchant", "agent", "arbitrator", "finance", "api", "case"} <= blueprints
    assert {name for name in PUBLIC_ENDPOINTS} <= {r.endpoint for r in walked_rules(world.app)}


@dataclass(frozen=True)
class OwnPage:
    who: str
    path: str
    must_show: tuple[str, ...]


OWN_PAGES = (
    OwnPage("zhangsan", "/my/cases/DEMO-C-0002", ("DEMO-C-0002", "张三")),
    OwnPage("zhangsan", "/my/orders/DEMO-O-1001", ("DEMO-O-1001",)),
    OwnPage("zhangsan", "/my/cases", ("DEMO-C-0002", "DEMO-C-0010")),
    OwnPage("lisi", "/my/cases/DEMO-C-0003", ("DEMO-C-0003", "李四")),
    OwnPage("shanhai", "/merchant/cases/DEMO-C-0010", ("DEMO-C-0010", "张三")),
    OwnPage("shanhai", "/merchant/cases?show=all", ("DEMO-C-0010", "DEMO-C-0002")),
    OwnPage("xianguo", "/merchant/cases/DEMO-C-0011", ("DEMO-C-0011", "王五")),
    OwnPage("agent", "/agent/cases/DEMO-C-0011", ("DEMO-C-0011", "王五")),
    OwnPage("arbiter", "/arbitration/cases/DEMO-C-0008", ("DEMO-C-0008", "王五")),
    OwnPage("finance", "/finance/cases/DEMO-C-0002", ("DEMO-C-0002",)),
    OwnPage("zhangsan", f"/my/evidence/{evidence_hash('DEMO-C-0002')}", ("DEMO-C-0002",)),
    OwnPage("shanhai", f"/evidence/{evidence_hash('DEMO-C-0002')}", ("DEMO-C-0002",)),
    OwnPage("xianguo", f"/evidence/{evidence_hash('DEMO-C-0008')}", ("DEMO-C-0008",)),
    OwnPage("zhangsan", "/api/v1/cases/DEMO-C-0002", ("DEMO-C-0002", "c2001")),
    OwnPage("xianguo", "/api/v1/cases/DEMO-C-0011", ("DEMO-C-0011", "c2003")),
)


@pytest.mark.parametrize("own", OWN_PAGES, ids=[f"{o.who}:{o.path}" for o in OWN_PAGES])
def test_owners_do_see_their_own_cases(world: World, own: OwnPage) -> None:
    """The other side of the walk: the same kind of URL answers 200 with the data to its owner
    (evidence files carry the case number in their bytes, see the fixture)."""
    response = world.client(own.who).get(own.path)
    assert response.status_code == 200, f"{own.who} {own.path}: {response.status_code}"
    text = response.get_data().decode("utf-8", errors="replace")
    for needle in own.must_show:
        assert needle in text, f"{own.who} {own.path}: {needle} missing"


API_OWN_CASES = (
    ("zhangsan", "DEMO-C-0002"),
    ("lisi", "DEMO-C-0003"),
    ("shanhai", "DEMO-C-0010"),
    ("xianguo", "DEMO-C-0011"),
    ("agent", "DEMO-C-0011"),
    ("arbiter", "DEMO-C-0008"),
    ("finance", "DEMO-C-0002"),
)


@pytest.mark.parametrize(("who", "case_no"), API_OWN_CASES)
def test_owners_get_their_own_case_from_the_api_with_a_token(
    world: World, who: str, case_no: str
) -> None:
    headers = {"Authorization": f"Bearer {world.token(who)}"}
    response = world.app.test_client().get(f"/api/v1/cases/{case_no}", headers=headers)
    assert response.status_code == 200, f"{who} {case_no}: {response.status_code}"
    assert case_no in response.get_data(as_text=True)
    listed = world.app.test_client().get("/api/v1/cases", headers=headers)
    assert listed.status_code == 200
    assert case_no in listed.get_data(as_text=True), f"{who}: {case_no} not in their list"


@pytest.mark.parametrize("who", list(PEOPLE))
def test_no_one_sees_or_touches_another_partys_case_on_any_route(world: World, who: str) -> None:
    before = world.max_event()
    problems = walk(world, who, api=None, bearer=False)
    if PEOPLE[who].is_party or who == ANONYMOUS:
        recorded = world.max_event() - before
        if recorded:
            problems.append(f"{who}: the walk recorded {recorded} event(s) on others' cases")
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


@pytest.mark.parametrize("who", list(PEOPLE))
def test_no_one_sees_or_touches_another_partys_case_through_the_api_with_a_token(
    world: World, who: str
) -> None:
    before = world.max_event()
    problems = walk(world, who, api=True, bearer=True)
    if PEOPLE[who].is_party or who == ANONYMOUS:
        recorded = world.max_event() - before
        if recorded:
            problems.append(f"{who}: the API walk recorded {recorded} event(s)")
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)
