"""Walk every page of the demo as each demo log-in (Flask test client) and give the text a person
reads on each: the body's text without scripts and styles, plus what a person sees in ``title``,
``placeholder`` and ``aria-label`` attributes and in the options of lists."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

from flask import Flask

from tests.web.conftest import DEMO_PASSWORDS, login_as

#: (username, role) of every demo log-in, as ``web.demo.DEMO_ACCOUNTS`` creates them.
DEMO_LOGINS = (
    ("zhangsan", "consumer"),
    ("lisi", "consumer"),
    ("shanhai", "merchant"),
    ("xianguo", "merchant"),
    ("agent", "platform_agent"),
    ("arbiter", "arbitrator"),
    ("finance", "finance"),
)
#: Links never followed: they change something, download a file or leave the site.
SKIP = re.compile(r"^/(logout|static/|api/)|\.csv|/export|/evidence/|/download|[?&]lang=|[?&]v=")
#: Not the site's words: scripts, styles, and what a person typed into a form field.
HIDDEN_TAGS = {"script", "style", "template", "noscript", "textarea"}
SEEN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


class _TextAndLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in HIDDEN_TAGS:
            self._hidden += 1
        if tag == "a" and values.get("href"):
            self.links.append(str(values["href"]))
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(str(values["value"]))
        for name in SEEN_ATTRIBUTES:
            if values.get(name):
                self.parts.append(str(values[name]))

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN_TAGS and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


@dataclass(frozen=True)
class Page:
    username: str
    path: str
    texts: tuple[str, ...]


def read(html: str) -> tuple[tuple[str, ...], list[str]]:
    parser = _TextAndLinks()
    parser.feed(html)
    return tuple(parser.parts), parser.links


def crawl(app: Flask, username: str, role: str, *, limit: int = 400) -> Iterator[Page]:
    """Every page reachable by links from the log-in's home, in zh_CN (the default)."""
    client = app.test_client()
    response = login_as(client, username, DEMO_PASSWORDS[role])
    assert response.status_code in (302, 303), f"{username} cannot log in"
    queue = ["/"]
    seen = set(queue)
    while queue and len(seen) <= limit:
        path = queue.pop(0)
        response = client.get(path, follow_redirects=True)
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        texts, links = read(response.get_data(as_text=True))
        yield Page(username, path, texts)
        for href in links:
            href = urldefrag(href)[0]
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith("/") or SKIP.search(href):
                continue
            if href not in seen:
                seen.add(href)
                queue.append(href)
