"""schemathesis over the served OpenAPI document (issue 10): every operation, with the API token
of every role (and none), positive and negative examples. A failure is a 5xx, or a response that
does not match the document (status code, content type, headers, body schema).

Shared by the CI test (``tests/web/test_api_fuzz.py``, a small fixed budget, derandomised) and
the long profile (``bench/api_fuzz.py``). Path parameters are drawn half the time from the demo
store's real values (case numbers, orders, stores, queues), so the commands reach the domain
instead of stopping at 404.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from web import get_db
from web.common import accounts

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
]

#: The demo log-ins, one per role (README "Demo log-ins"); None: no token at all.
DEMO_ROLES: dict[str, str | None] = {
    "consumer": "zhangsan",
    "merchant": "shanhai",
    "platform_agent": "agent",
    "arbitrator": "arbiter",
    "finance": "finance",
    "anonymous": None,
}


@dataclass
class Findings:
    """Distinct failures (first example of each kind per operation) and how many calls ran."""

    calls: int = 0
    failures: dict[str, str] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)

    def add(self, key: str, text: str) -> None:
        self.failures.setdefault(key, text)


def role_headers(app: Flask) -> dict[str, dict[str, str]]:
    """An ``Authorization`` header per role of :data:`DEMO_ROLES` (empty for anonymous)."""
    out: dict[str, dict[str, str]] = {}
    with app.app_context():
        for role, username in DEMO_ROLES.items():
            if username is None:
                out[role] = {}
            else:
                token = accounts.issue_token(get_db(), username)
                out[role] = {"Authorization": f"Bearer {token}"}
    return out


def real_values(app: Flask) -> dict[str, list[str]]:
    """Path parameter values that exist in the store, by parameter name."""
    with app.app_context(), get_db().connect() as conn:

        def column(sql: str) -> list[str]:
            return [str(row["v"]) for row in conn.execute(sql).fetchall()]

        merchants = column("SELECT DISTINCT merchant_id AS v FROM order_lines ORDER BY v")
        return {
            "case_no": column("SELECT case_no AS v FROM case_summary ORDER BY v"),
            "order_no": column("SELECT DISTINCT order_no AS v FROM order_lines ORDER BY v"),
            "merchant_id": merchants,
            "queue": ["platform", "arbitration", "finance"] + [f"merchant:{m}" for m in merchants],
        }


def _path_strategy(names: Iterable[str], values: Mapping[str, list[str]]) -> Any:
    known = {name: values[name] for name in names if values.get(name)}
    if not known:
        return st.just(None)
    return st.one_of(
        st.just(None), st.fixed_dictionaries({k: st.sampled_from(v) for k, v in known.items()})
    )


def fuzz(
    app: Flask,
    *,
    examples: int,
    derandomize: bool = True,
    seed: int | None = None,
    modes: tuple[GenerationMode, ...] = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE),
    only: str | None = None,
) -> Findings:
    """Run every operation (or those whose label contains ``only``) for ``examples`` examples
    per generation mode, each example with a role drawn at random; collect what fails."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash is answered 500, as in production
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = role_headers(app)
    values = real_values(app)
    findings = Findings()
    for result in schema.get_all_operations():
        operation = result.ok()
        if only and only not in operation.label:
            continue
        names = [p.name for p in operation.path_parameters]
        for mode in modes:
            _run_operation(
                operation, mode, names, values, headers, findings, examples, derandomize, seed
            )
    return findings


def _run_operation(
    operation: Any,
    mode: GenerationMode,
    names: list[str],
    values: Mapping[str, list[str]],
    headers: Mapping[str, dict[str, str]],
    findings: Findings,
    examples: int,
    derandomize: bool,
    seed: int | None,
) -> None:
    strategy = operation.as_strategy(generation_mode=mode)
    roles = list(headers)  # in turn, not drawn: hypothesis favours the first of a sample

    @settings(
        max_examples=examples,
        derandomize=derandomize,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(case=strategy, path=_path_strategy(names, values))
    def run(case: Any, path: dict[str, str] | None) -> None:
        role = roles[findings.calls % len(roles)]
        if path is not None:
            case.path_parameters = {**(case.path_parameters or {}), **path}
        sent = {**(case.headers or {}), **headers[role]}
        if not headers[role]:
            sent.pop("Authorization", None)
        findings.calls += 1
        try:
            response = case.call(headers=sent)
        except Exception as error:
            key = f"{operation.label} [{mode.value}] raised {type(error).__name__}: {error}"
            findings.add(key[:300], f"as {role}: {case.as_curl_command()}"[:3000])
            return
        findings.statuses[response.status_code] = findings.statuses.get(response.status_code, 0) + 1
        try:
            case.validate_response(response, checks=CHECKS, headers=sent)
        except (Exception, BaseExceptionGroup) as error:  # every failure is recorded
            subs = error.exceptions if isinstance(error, BaseExceptionGroup) else (error,)
            for sub in subs:
                title = getattr(sub, "title", type(sub).__name__)
                first = (getattr(sub, "message", "") or str(sub)).strip().splitlines()
                key = f"{operation.label} [{mode.value}] {title}: {first[0] if first else ''}"
                findings.add(key[:300], f"as {role}: {sub}\n{case.as_curl_command()}"[:3000])

    if seed is not None:
        run = hypothesis.seed(seed)(run)
    run()
