"""The rules belong in the project (issue 11 item 12): docs/policy.md is the platform's policy, and
``/rules`` shows every one of its rules under the same id, and no rule that it does not have."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask.testing import FlaskClient

POLICY = Path(__file__).resolve().parents[2] / "docs" / "policy.md"
RULE_ID = r"(?:P\d+|R\d+(?:\.[a-z])?)"


def policy_rule_ids() -> set[str]:
    """The ids that docs/policy.md gives a rule: each rule is a list item opening with its id."""
    return set(re.findall(rf"^- ({RULE_ID}) ", POLICY.read_text(encoding="utf-8"), re.MULTILINE))


class _ElementIds(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids += [value for name, value in attrs if name == "id" and value]


def page_rule_ids(html: str) -> list[str]:
    """The rule ids that ``/rules`` anchors (``/rules#R12`` lands on the element of that id)."""
    parser = _ElementIds()
    parser.feed(html)
    return [i for i in parser.ids if re.fullmatch(RULE_ID, i)]


def test_the_policy_has_every_rule_of_the_platform() -> None:
    ids = policy_rule_ids()
    assert {f"R{n}" for n in range(1, 26)} <= ids and {"P1", "P2", "P3", "P4"} <= ids
    assert {"R1.a", "R3.a", "R12.a"} <= ids


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_rules_page_shows_exactly_the_rules_of_docs_policy(
    client: FlaskClient, lang: str
) -> None:
    response = client.get(f"/rules?lang={lang}")
    assert response.status_code == 200
    shown = page_rule_ids(response.get_data(as_text=True))
    assert len(shown) == len(set(shown)), "a rule shown twice"
    policy = policy_rule_ids()
    missing, extra = sorted(policy - set(shown)), sorted(set(shown) - policy)
    assert not missing, f"in docs/policy.md, not on /rules: {missing}"
    assert not extra, f"on /rules, not in docs/policy.md: {extra}"


def test_no_document_points_outside_the_project() -> None:
    """A clone has no ``../shared``: the README and the docs link what is in the project."""
    root = POLICY.parents[1]
    for path in [root / "README.md", *sorted((root / "docs").glob("*.md"))]:
        assert "../shared" not in path.read_text(encoding="utf-8"), path.name
