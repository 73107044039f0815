"""Rule ids read by consumers become links (issue 11 item 5): staff, arbitrators and the rules
page cite ``R3.a`` or ``P4``; a consumer reads the sentence with a link to the rule instead, the id
only in the link's address (``/rules#R3``).

The site's sentences keep their ids (one catalog for every audience, and the rules they follow stay
traceable in code); the pages a consumer is served are rewritten once, here, before they leave:

- a citation in text (``（R1）``, ``（R1.c、R5）``, `` (R21)``) becomes ``（查看规则）`` linked to
  the rule, one link per id;
- where a link cannot stand or would be noise (inside a link, a button, an option, a label, the
  page title, a heading or a summary naming a form, a script or a style), and in attributes a
  person reads (``title``, ``placeholder``, ``aria-label``, ``alt``, a button's ``value``), the
  citation is dropped;
- the badge ``<span class="rule-id">R16</span>`` becomes a link to its rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape

from flask import Flask, Response, current_app, url_for
from flask_babel import get_locale, gettext

from web.common.auth import current_account

_ID = r"(?:R\d+(?:\.[a-z])?|P\d+)"
#: ``（R1）``, ``（R1.c、R5）``, `` (R21)``: the ids between brackets, with the space before.
CITATION = re.compile(r"\s?[（(](" + _ID + r"(?:\s?[、,，]\s?" + _ID + r")*)[）)]")
_ONE_ID = re.compile(_ID)
BADGE = re.compile(r'<span class="rule-id">(' + _ID + r")</span>")
#: Tags, comments and the text between them.
_TOKEN = re.compile(r"(<!--.*?-->|<[^>]*>)", re.DOTALL)
_TAG_NAME = re.compile(r"^</?\s*([A-Za-z0-9]+)")
#: Where a link cannot stand: the citation is dropped there.
_NO_LINK = {"a", "button", "option", "title", "textarea", "script", "style", "select", "label"}
#: Headings and a disclosure's summary name a form or a section: plain words, no citation.
_NO_LINK |= {"h1", "h2", "h3", "h4", "h5", "h6", "summary", "legend"}
_SEEN_ATTRIBUTE = re.compile(r'((?:title|placeholder|aria-label|alt|value)=")([^"]*)(")')


def _anchor(rule: str) -> str:
    listed = current_app.extensions.get("rule_ids", frozenset())
    return rule if rule in listed else rule.split(".")[0]


def _link(rule: str) -> str:
    return '<a class="rule-link" href="{}#{}">{}</a>'.format(
        url_for("public.rules"), escape(_anchor(rule)), escape(gettext("the rule"))
    )


def _linked(text: str) -> str:
    chinese = str(get_locale() or "").startswith("zh")

    def replace(match: re.Match[str]) -> str:
        links = [_link(rule) for rule in _ONE_ID.findall(match.group(1))]
        return f"（{'、'.join(links)}）" if chinese else f" ({', '.join(links)})"

    return CITATION.sub(replace, text)


def _dropped(text: str) -> str:
    return CITATION.sub("", text)


def _attributes(tag: str) -> str:
    return _SEEN_ATTRIBUTE.sub(lambda m: m.group(1) + _dropped(m.group(2)) + m.group(3), tag)


def _may_cite(text: str) -> bool:
    """False when ``text`` holds no bracket, so no citation (a cheap test before the regex)."""
    return "(" in text or "（" in text


_NAMES = "|".join(sorted(_NO_LINK))
#: One scan of a page, leftmost first, in the pieces ``for_consumers`` reads (issue 12: a page of
#: thousands of tags has a handful of citations, so the markup that cannot change is skipped in
#: runs, not tag by tag): ``skip``, text without a bracket (nor the space before one) and tags that
#: are neither a comment, nor a tag where no link may stand, nor a tag holding a bracket; a
#: ``comment``; any other ``tag``; ``text`` up to the next tag (only for a page where a ``>``
#: follows every ``<``: otherwise ``_by_token`` reads it).
_SCAN = re.compile(
    r"(?P<skip>(?:[^<(（\s]|\s(?![(（])|<(?!!--)(?!/?\s*(?i:" + _NAMES + r")(?![A-Za-z0-9]))"
    r"[^>(（]*>)+)"
    r"|(?P<comment><!--.*?-->)"
    r"|(?P<tag><[^>]*>)"
    r"|(?P<text>[^<]+)",
    re.DOTALL,
)


def for_consumers(html: str) -> str:
    """``html`` with every rule id a person reads turned into a link to the rule, or dropped where
    a link cannot stand (see the module docstring). Tags and comments are ``_TOKEN``'s: a tag runs
    from ``<`` to the next ``>``."""
    html = BADGE.sub(lambda m: _link(m.group(1)), html)
    if not CITATION.search(html):
        return html
    if html.rfind("<") > html.rfind(">"):  # text after a "<" no tag closes: token by token
        return _by_token(_TOKEN.split(html))
    return _by_token(match.group() for match in _SCAN.finditer(html))


def _by_token(tokens: Iterable[str]) -> str:
    out: list[str] = []
    open_tags: list[str] = []
    for token in tokens:
        if token.startswith("<!--"):
            out.append(token)
        elif token.startswith("<"):
            name_match = _TAG_NAME.match(token)
            name = name_match.group(1).lower() if name_match else ""
            if name in _NO_LINK:
                if token.startswith("</"):
                    if name in open_tags:
                        open_tags.reverse()
                        open_tags.remove(name)
                        open_tags.reverse()
                elif not token.rstrip(">").endswith("/"):
                    open_tags.append(name)
            cited = not token.startswith("</") and _may_cite(token)
            out.append(_attributes(token) if cited else token)
        elif not _may_cite(token) or not CITATION.search(token):
            out.append(token)
        elif open_tags:
            out.append(_dropped(token))
        else:
            out.append(_linked(token))
    return "".join(out)


def _rewrite(response: Response) -> Response:
    account = current_account()
    if (
        account is None
        or account.role != "consumer"
        or response.direct_passthrough
        or not response.content_type.startswith("text/html")
    ):
        return response
    rules_page = url_for("public.rules")
    from flask import request

    if request.path.startswith(rules_page):
        return response
    response.set_data(for_consumers(response.get_data(as_text=True)))
    return response


def init_app(app: Flask) -> None:
    app.after_request(_rewrite)
