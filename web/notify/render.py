"""A notice in words, for one recipient: its subject, one line (inbox, SMS), and the email's text
and HTML parts rendered from jinja2 templates (``web/templates/notify/``), in the recipient's
language (zh_CN default, en) with times in the recipient's zone. Needs an app context."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, cast
from zoneinfo import ZoneInfo

from flask import render_template
from flask_babel import force_locale, gettext

from projections.case_queries import TimelineStep
from projections.db import parse_ts
from web.common.i18n import DEFAULT_LOCALE, LANGUAGES
from web.common.labels import clock_label, kind_label, status_label
from web.common.step_text import step_label
from web.common.timefmt import zone_label
from web.settings import DEFAULT_TIMEZONE, valid_timezone

__all__ = ["Rendered", "local_time", "notice_line", "render_notice"]


@dataclass(frozen=True)
class Rendered:
    subject: str
    line: str
    text: str
    html: str


def local_time(value: str, zone_name: str) -> str:
    """A stored UTC timestamp as ``2026-09-24 17:00 CST (UTC+08:00)`` in ``zone_name``."""
    zone = ZoneInfo(valid_timezone(zone_name) or DEFAULT_TIMEZONE)
    moment = parse_ts(value).astimezone(zone)
    return f"{moment:%Y-%m-%d %H:%M} {zone_label(moment, zone.key)}"


def _step(notice: Mapping[str, Any], details: Mapping[str, Any]) -> TimelineStep:
    # step_label reads these five fields only
    fake = SimpleNamespace(
        step=notice["step"],
        details=dict(details),
        actor_role=notice["actor_role"],
        actor_id="",
        rule=notice["rule"],
    )
    return cast(TimelineStep, fake)


def notice_line(notice: Mapping[str, Any], zone_name: str = DEFAULT_TIMEZONE) -> str:
    """The notice in one line, in the current locale."""
    details = json.loads(notice["details"])
    if notice["step"] == "reminder":
        return str(
            gettext(
                "Deadline approaching: %(clock)s, due %(due)s (%(rule)s)",
                clock=clock_label(details["clock"]),
                due=local_time(details["due_at"], zone_name),
                rule=details["rule"],
            )
        )
    return step_label(_step(notice, details), details.get("currency", "CNY"))


def render_notice(notice: Mapping[str, Any], *, locale: str, timezone: str) -> Rendered:
    """Subject, line, text and HTML of ``notice`` for a recipient in ``locale`` / ``timezone``."""
    lang = locale if locale in LANGUAGES else DEFAULT_LOCALE
    zone = valid_timezone(timezone) or DEFAULT_TIMEZONE
    details = json.loads(notice["details"])
    with force_locale(lang):
        line = notice_line(notice, zone)
        subject = gettext("Case %(case_no)s: %(step)s", case_no=notice["case_no"], step=line)
        nxt = details.get("next") or None
        context = {
            "notice": notice,
            "line": line,
            "kind": kind_label(notice["case_kind"]),
            "status": status_label(notice["status"]),
            "at": local_time(notice["at"], zone),
            "reason": details.get("reason") or "",
            "next_clock": clock_label(nxt["name"]) if nxt else "",
            "next_due": local_time(nxt["due_at"], zone) if nxt else "",
            "lang": lang.replace("_", "-"),
        }
        text = render_template("notify/notice_text.html", **context)
        html = render_template("notify/notice.html", **context)
    return Rendered(subject=subject, line=line, text=text, html=html)
