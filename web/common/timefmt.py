"""Times shown in the viewer's time zone, and live countdowns to deadlines.

Stored times are UTC (``projections.db.ts`` text or aware datetimes). The viewer's zone is, first
match wins: the account's time zone, the ``tz`` cookie (set by web/static/app.js from the browser's
``Intl.DateTimeFormat().resolvedOptions().timeZone``, checked against zoneinfo), the
``DEFAULT_TIMEZONE`` setting (Asia/Shanghai).

In templates::

    {{ case.opened_at | localtime }}              2025-03-01 16:00
    {{ case.opened_at | localtime(zone=True) }}   2025-03-01 16:00 北京时间（UTC+8）
    {{ case.opened_at | localtime("date") }}      2025-03-01
    {{ time_tag(case.opened_at) }}                <time datetime="...Z">2025-03-01 16:00 ...</time>
    {{ countdown(case.due_at) }}     <time datetime="...Z" data-countdown>剩余 3 小时 20 分</time>
    {% set c = countdown(case.due_at) %}{% if c.overdue %}...{% endif %}

Formats: ``datetime`` (default, to the minute), ``seconds``, ``date``, ``time``, or any strftime
pattern; ``zone=True`` appends the zone (a page names it once, in its footer).

Deadlines that end natural days (policy.md "Clocks", issue 7) are stored as 00:00 CST of the day
after their last day; ``localtime`` names the last day instead: ``2026-10-07 24:00`` (``date``:
``2026-10-07``), never ``2026-10-08 00:00``. See ``reads_as_24``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, has_request_context, request
from flask_babel import gettext, lazy_gettext
from markupsafe import Markup, escape

from domain.calendar import CST, last_day_cst
from web.common.i18n import translations
from web.settings import DEFAULT_TIMEZONE, valid_timezone

COOKIE = "tz"
FORMATS = {
    "datetime": "%Y-%m-%d %H:%M",
    "seconds": "%Y-%m-%d %H:%M:%S",
    "date": "%Y-%m-%d",
    "time": "%H:%M",
}
#: Zones shown as "Beijing time" (北京时间): China Standard Time under its usual names.
CHINA_ZONES = frozenset({"Asia/Shanghai", "Asia/Chongqing", "Asia/Harbin", "PRC"})


_CHOSEN = "_aftersales_timezone"


def select_timezone() -> str:
    """The viewer's IANA zone name (also Flask-Babel's timezone selector). Chosen once per
    request for the account it was chosen for (issue 12: a page shows a hundred times)."""
    if has_request_context():
        account = g.get("account")
        chosen = g.get(_CHOSEN)
        if chosen is not None and chosen[0] is account:
            return str(chosen[1])
        name = _request_zone(account)
        setattr(g, _CHOSEN, (account, name))
        return name
    return str(current_app.config.get("DEFAULT_TIMEZONE") or DEFAULT_TIMEZONE)


def _request_zone(account: Any) -> str:
    if account is not None and valid_timezone(account.timezone):
        return str(account.timezone)
    cookie = valid_timezone(unquote(request.cookies.get(COOKIE, "")))
    if cookie:
        return cookie
    return str(current_app.config.get("DEFAULT_TIMEZONE") or DEFAULT_TIMEZONE)


def viewer_zone() -> ZoneInfo:
    return ZoneInfo(select_timezone())


def parse_instant(value: datetime | str) -> datetime:
    """An aware UTC datetime from an aware datetime or ISO text (``...Z`` or ``+00:00``).
    Naive values are taken as UTC, the stored form."""
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        value = datetime.fromisoformat(text)
    if not isinstance(value, datetime):
        raise TypeError(f"not a point in time: {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _offset(moment: datetime) -> str:
    """``UTC+8``, ``UTC-4``, ``UTC+5:30`` (whole hours without minutes, as people write it)."""
    delta = moment.utcoffset() or timedelta(0)
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "")


#: Zone labels already worded, by (catalog, zone, offset, abbreviation): a page labels ~100 times
#: in one or two zones (issue 12); the catalogs are the app's, kept for its life.
_ZONE_LABELS: dict[tuple[Any, str, str, str], str] = {}


def zone_label(moment: datetime, zone_name: str) -> str:
    """``北京时间（UTC+8）`` / ``China Standard Time (UTC+8)``, ``EDT (UTC-4)``, ``UTC`` (issue 11
    item 9: never "CST" alone, which reads as US Central Time)."""
    if not has_request_context():
        return _zone_label(moment, zone_name)
    key = (translations(), zone_name, _offset(moment), moment.tzname() or "")
    label = _ZONE_LABELS.get(key)
    if label is None:
        label = _ZONE_LABELS.setdefault(key, _zone_label(moment, zone_name))
    return label


def _zone_label(moment: datetime, zone_name: str) -> str:
    offset = _offset(moment)
    if zone_name in CHINA_ZONES:
        # TRANSLATORS: China Standard Time with its offset, as people in China call it
        return str(gettext("China Standard Time (%(offset)s)", offset=offset))
    abbreviation = moment.tzname() or ""
    if abbreviation == "UTC" and offset == "UTC+0":
        return "UTC"
    if abbreviation.isalpha():
        return str(gettext("%(zone)s (%(offset)s)", zone=abbreviation, offset=offset))
    return offset


def to_viewer(value: datetime | str, zone: tzinfo | None = None) -> datetime:
    return parse_instant(value).astimezone(zone or viewer_zone())


#: The named formats as they read at "24:00 of the last day" (``reads_as_24``).
FORMATS_AT_24 = {
    "datetime": "{day} 24:00",
    "seconds": "{day} 24:00:00",
    "date": "{day}",
    "time": "24:00",
}


def reads_as_24(moment: datetime) -> bool:
    """Whether ``moment`` (already in the viewer's zone) is shown as "24:00 of the day before".

    policy.md "Clocks": a period of N natural days ends at 24:00 CST of its last day, which the
    domain stores as the exclusive end 00:00 CST of the next day (``domain.calendar``). The page
    must name the last day, never the next day's 00:00 (issue 7). Times are shown in the
    viewer's zone, so the 24:00 reading applies only when the instant is exactly midnight CST
    *and* the viewer's clock also reads 00:00 there (a viewer in China, or any zone at UTC+08:00
    then). For a viewer elsewhere the same instant is an ordinary local time (16:00 UTC of the
    last day, 01:00 in Tokyo) shown as it is, with its zone: that reading is already unambiguous.
    Any other instant that happens to fall on midnight CST to the microsecond (recorded events
    carry seconds and microseconds) reads just as truly as 24:00 of the day before: it is the
    same instant.
    """
    if moment.timetz().replace(tzinfo=None) != time(0):
        return False
    return moment.astimezone(CST).timetz().replace(tzinfo=None) == time(0)


def localtime(value: datetime | str | None, fmt: str = "datetime", zone: bool = False) -> str:
    """Jinja filter: ``value`` in the viewer's zone; ``zone=True`` appends the zone (pages name it
    once, in the footer, and in each time's tooltip: issue 11 item 9). None gives "".

    A deadline at the end of a natural day reads as ``<last day> 24:00`` (``reads_as_24``)."""
    if value is None or value == "":
        return ""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    name = select_timezone()
    moment = to_viewer(value, ZoneInfo(name))
    text = _local_text(moment, fmt)
    return f"{text} {zone_label(moment, name)}" if zone else text


def _local_text(moment: datetime, fmt: str) -> str:
    if fmt in FORMATS_AT_24 and reads_as_24(moment):
        return FORMATS_AT_24[fmt].format(day=last_day_cst(moment).isoformat())
    return moment.strftime(FORMATS.get(fmt, fmt))


def time_tag(value: datetime | str | None, fmt: str = "datetime") -> Markup:
    """``<time datetime="UTC">local text</time>`` (machine-readable instant, human text)."""
    if value is None or value == "":
        return Markup("")
    instant = parse_instant(value)
    name = select_timezone()
    moment = instant.astimezone(ZoneInfo(name))
    text = _local_text(moment, fmt)  # what localtime(instant, fmt) gives, computed once
    # escaped as ``Markup.format`` would, without its formatter (issue 12: ~100 tags a page)
    title = escape(f"{text} {zone_label(moment, name)}")
    return Markup(f'<time datetime="{_iso(instant)}" title="{title}">{escape(text)}</time>')


def _iso(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- countdowns -----------------------------------------------------------------------------

#: Texts the countdown script needs; base.html hands them over as JSON.
COUNTDOWN_TEXTS = {
    "left": lazy_gettext("%(time)s left"),
    "overdue": lazy_gettext("overdue by %(time)s"),
    "d": lazy_gettext("%(n)s d"),
    "h": lazy_gettext("%(n)s h"),
    "m": lazy_gettext("%(n)s min"),
    "s": lazy_gettext("%(n)s s"),
}


def countdown_texts() -> dict[str, str]:
    return {key: str(text) for key, text in COUNTDOWN_TEXTS.items()}


def _duration(seconds: int) -> str:
    """The two largest units: ``2 d 3 h``, ``3 h 20 min``, ``4 min 9 s`` (app.js does the same)."""
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        units = (("d", days), ("h", hours))
    elif hours:
        units = (("h", hours), ("m", minutes))
    else:
        units = (("m", minutes), ("s", secs))
    # only the two texts shown are translated (issue 12: not all six per countdown)
    return " ".join(str(COUNTDOWN_TEXTS[unit]) % {"n": n} for unit, n in units)


@dataclass(frozen=True)
class Countdown:
    """A deadline seen from ``now``: render it (``{{ countdown(due) }}``) or read its fields."""

    due: datetime  # aware UTC
    seconds: int  # whole seconds left; negative when overdue

    @property
    def overdue(self) -> bool:
        return self.seconds < 0

    @property
    def iso(self) -> str:
        return _iso(self.due)

    @property
    def text(self) -> str:
        key = "overdue" if self.overdue else "left"
        return str(COUNTDOWN_TEXTS[key]) % {"time": _duration(abs(self.seconds))}

    def __html__(self) -> str:
        state = "overdue" if self.overdue else "running"
        title, text = escape(localtime(self.due, zone=True)), escape(self.text)
        return (
            f'<time class="countdown countdown--{state}" datetime="{self.iso}" data-countdown '
            f'title="{title}">{text}</time>'
        )

    def __str__(self) -> str:
        return self.text


def countdown(due: datetime | str, now: datetime | None = None) -> Countdown:
    """A live countdown to ``due``; web/static/app.js ticks every ``[data-countdown]``."""
    instant = parse_instant(due)
    moment = now or datetime.now(UTC)
    seconds = int((instant - moment.astimezone(UTC)).total_seconds() // 1)
    return Countdown(instant, seconds)


def viewer_zone_label() -> str:
    """``北京时间（UTC+8）``, for the page footer (the zone's IANA name when it is not China's)."""
    name = select_timezone()
    label = zone_label(datetime.now(UTC).astimezone(ZoneInfo(name)), name)
    return label if name in CHINA_ZONES else f"{label} · {name}"


def server_now() -> str:
    return _iso(datetime.now(UTC))


def template_context() -> dict[str, Any]:
    return {
        "countdown": countdown,
        "time_tag": time_tag,
        "viewer_zone_label": viewer_zone_label,
        "countdown_texts": countdown_texts,
        "server_now": server_now,
    }


def init_app(app: Flask) -> None:
    app.add_template_filter(localtime, "localtime")
    app.add_template_filter(time_tag, "time_tag")
    app.context_processor(template_context)
