"""Issue 12: the consumer pages' rule-citation rewrite (``web.common.rule_citations``) skips the
markup that cannot change in runs; it must give what reading the page token by token gives, on
well-formed pages and malformed ones alike (random pieces of markup, both languages)."""

from __future__ import annotations

import random

import pytest

from web.common import rule_citations

PIECES = (
    '<a href="x">', "</a>", "<button>", "</button>", "<div>", "</div>", '<span title="t (R1)">',
    '<p class="x">', "</p>", " (R21)", "（R1.c、R5）", "(R3.a, P4)", " ", "  ", "text", "(", ")",
    "（", "）", "<!-- c (R1) -->", "<!-- open", "<!--", "-->", "<", ">", "<abbr>", "</abbr>", "<A>",
    "</A>", "<a1>", "<label>", "</label>", "<h1>", "</h1>", "<H2 x>", "<br/>", '<img alt="(R2)" />',
    "<script>if (a<b) {}</script>", '<span class="rule-id">R16</span>', "\n", "\t", "<//a>",
    "< a>", "</ a>", '<option value="1 (R5)">', "</option>", "R1", "(R99)", "<b (R1)>",
    "<b （R1）>", "<textarea>", "<summary/>", "<select >", "（P4）", ", R2",
)  # fmt: skip


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_the_scan_rewrites_as_token_by_token(locale: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rule_citations, "_link", lambda rule: f'<a href="/rules#{rule}">L</a>')
    monkeypatch.setattr(rule_citations, "get_locale", lambda: locale)
    pick = random.Random(12)
    for _ in range(20_000):
        html = "".join(pick.choice(PIECES) for _ in range(pick.randint(1, 16)))
        badged = rule_citations.BADGE.sub(lambda m: rule_citations._link(m.group(1)), html)
        expected = rule_citations._by_token(rule_citations._TOKEN.split(badged))
        assert rule_citations.for_consumers(html) == expected, html
