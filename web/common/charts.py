"""Server-rendered SVG line charts (no JavaScript library, no network), accessible by design.

Every chart is a ``<figure>`` holding an ``<svg role="img">`` with its own ``<title>`` and
``<desc>`` (named by ``aria-labelledby``), a legend in HTML, and the same numbers as a data table
in a ``<details>`` element, so a screen reader or a text browser gets every value. Colours come
from classes (``s0`` … ``s5`` in web/static/agent.css): the Content-Security-Policy allows no
``style`` attributes.

Values are exact (``int``, ``Fraction`` or ``Decimal``); coordinates are computed with fractions
and written with one decimal, so no float enters the page::

    chart = line_chart(
        chart_id="m1001-rates",
        title="After-sales and refund rate, m1001",
        desc="Monthly, in percent of delivered order lines.",
        x_labels=["2026-01", "2026-02"],
        series=[Series("After-sales rate", [Fraction(1, 10), None])],
        unit="%",
    )
    {{ chart }}          # in a template: the whole figure
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from flask_babel import gettext
from markupsafe import Markup, escape

Number = int | Fraction | Decimal

WIDTH = 640
HEIGHT = 240
PAD_LEFT = 64
PAD_RIGHT = 36
PAD_TOP = 16
PAD_BOTTOM = 40
PALETTE = 6  # s0..s5


@dataclass(frozen=True)
class Series:
    """One line: a label and a value per x label (None: no value that month, a gap)."""

    label: str
    values: Sequence[Number | None]


def _fraction(value: Number) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, Decimal):
        return Fraction(value)
    return Fraction(int(value))


def _coord(value: Fraction) -> str:
    """A coordinate with one decimal (``12.5``), computed exactly."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return str(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def decimal_text(value: Number | None, places: int = 1) -> str:
    """``Fraction(1, 8)`` -> ``"0.1"`` (places=1); None -> ``"—"``. Rounded half up."""
    if value is None:
        return "—"
    fraction = _fraction(value)
    exact = Decimal(fraction.numerator) / Decimal(fraction.denominator)
    quantum = Decimal(1).scaleb(-places) if places else Decimal(1)
    return str(exact.quantize(quantum, rounding=ROUND_HALF_UP))


def nice_max(top: Fraction) -> tuple[Fraction, Fraction]:
    """A round upper bound of the axis at or above ``top`` and its tick step (1, 2 or 5 × 10^k),
    for at most five steps."""
    if top <= 0:
        return Fraction(1), Fraction(1, 5)
    step = Fraction(1)
    while step * 5 < top:
        step *= 10
    while step / 10 * 5 >= top:
        step /= 10
    for multiple in (Fraction(1, 5), Fraction(1, 2), Fraction(1)):
        candidate = step * multiple
        if candidate * 5 >= top:
            ticks = -(-top // candidate)  # ceil
            return candidate * ticks, candidate
    return step * 5, step  # pragma: no cover - the loop always returns


def tick_places(step: Fraction) -> int:
    """Decimals the axis labels need for ``step`` (0 for 20, 1 for 2.5, 2 for 0.05; at most 3)."""
    places = 0
    while (step * 10**places).denominator != 1 and places < 3:
        places += 1
    return places


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title: str
    desc: str
    x_labels: Sequence[str]
    series: Sequence[Series]
    unit: str
    places: int
    value_text: Callable[[Number | None], str]

    def svg(self) -> Markup:
        title_id = f"{self.chart_id}-title"
        desc_id = f"{self.chart_id}-desc"
        parts: list[str] = [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'role="img" aria-labelledby="{escape(title_id)} {escape(desc_id)}" '
            f'focusable="false" data-chart="{escape(self.chart_id)}">',
            f'<title id="{escape(title_id)}">{escape(self.title)}</title>',
            f'<desc id="{escape(desc_id)}">{escape(self.desc)}</desc>',
        ]
        values = [_fraction(v) for s in self.series for v in s.values if v is not None]
        plot_w = Fraction(WIDTH - PAD_LEFT - PAD_RIGHT)
        plot_h = Fraction(HEIGHT - PAD_TOP - PAD_BOTTOM)
        bottom = Fraction(HEIGHT - PAD_BOTTOM)
        left = Fraction(PAD_LEFT)
        top_value, step = nice_max(max(values) if values else Fraction(0))

        def y_of(value: Fraction) -> Fraction:
            return bottom - plot_h * value / top_value

        count = len(self.x_labels)

        def x_of(index: int) -> Fraction:
            if count <= 1:
                return left + plot_w / 2
            return left + plot_w * index / (count - 1)

        # grid and y ticks
        tick = Fraction(0)
        while tick <= top_value:
            y = _coord(y_of(tick))
            parts.append(
                f'<line class="chart__grid" x1="{PAD_LEFT}" y1="{y}" '
                f'x2="{WIDTH - PAD_RIGHT}" y2="{y}"/>'
            )
            label = f"{decimal_text(tick, tick_places(step))}{self.unit}"
            parts.append(
                f'<text class="chart__tick" x="{PAD_LEFT - 6}" y="{y}" text-anchor="end" '
                f'dominant-baseline="middle">{escape(label)}</text>'
            )
            tick += step
        # axes
        parts.append(
            f'<line class="chart__axis" x1="{PAD_LEFT}" y1="{PAD_TOP}" x2="{PAD_LEFT}" '
            f'y2="{HEIGHT - PAD_BOTTOM}"/>'
        )
        parts.append(
            f'<line class="chart__axis" x1="{PAD_LEFT}" y1="{HEIGHT - PAD_BOTTOM}" '
            f'x2="{WIDTH - PAD_RIGHT}" y2="{HEIGHT - PAD_BOTTOM}"/>'
        )
        # x labels: at most about eight, always the first and the last
        every = max(1, -(-count // 8))
        for index, label in enumerate(self.x_labels):
            if index % every and index != count - 1:
                continue
            x = _coord(x_of(index))
            parts.append(
                f'<text class="chart__tick" x="{x}" y="{HEIGHT - PAD_BOTTOM + 18}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
        if not values:
            parts.append(
                f'<text class="chart__empty" x="{WIDTH // 2}" y="{HEIGHT // 2}" '
                f'text-anchor="middle">{escape(gettext("No data yet"))}</text>'
            )
        # lines and points
        for number, series in enumerate(self.series):
            css = f"s{number % PALETTE}"
            path: list[str] = []
            pen_down = False
            for index, value in enumerate(series.values):
                if value is None:
                    pen_down = False
                    continue
                x, y = _coord(x_of(index)), _coord(y_of(_fraction(value)))
                path.append(f"{'L' if pen_down else 'M'}{x} {y}")
                pen_down = True
            if path:
                parts.append(f'<path class="chart__line {css}" d="{" ".join(path)}"/>')
            for index, value in enumerate(series.values):
                if value is None:
                    continue
                x, y = _coord(x_of(index)), _coord(y_of(_fraction(value)))
                point = f"{series.label}, {self.x_labels[index]}: {self.value_text(value)}"
                parts.append(
                    f'<circle class="chart__dot {css}" cx="{x}" cy="{y}" r="3.5">'
                    f"<title>{escape(point)}</title></circle>"
                )
        parts.append("</svg>")
        return Markup("".join(parts))

    def legend(self) -> Markup:
        items = "".join(
            f'<li><span class="legend__swatch s{n % PALETTE}" aria-hidden="true"></span>'
            f"{escape(s.label)}</li>"
            for n, s in enumerate(self.series)
        )
        return Markup(f'<ul class="legend">{items}</ul>')

    def table(self) -> Markup:
        head = "".join(f'<th scope="col">{escape(s.label)}</th>' for s in self.series)
        rows = []
        for index, label in enumerate(self.x_labels):
            cells = "".join(
                f"<td>{escape(self.value_text(s.values[index]))}</td>" for s in self.series
            )
            rows.append(f'<tr><th scope="row">{escape(label)}</th>{cells}</tr>')
        month = gettext("Month")  # outside the f-string, so that extraction finds it
        return Markup(
            '<div class="table-wrap"><table>'
            f"<caption>{escape(self.title)}</caption>"
            f'<thead><tr><th scope="col">{escape(month)}</th>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )

    def __html__(self) -> str:
        summary = gettext("Show the numbers as a table")
        return str(
            Markup(
                '<figure class="chart" id="{id}"><figcaption>{title}</figcaption>{svg}{legend}'
                "<details><summary>{summary}</summary>{table}</details></figure>"
            ).format(
                id=self.chart_id,
                title=self.title,
                svg=self.svg(),
                legend=self.legend(),
                summary=summary,
                table=self.table(),
            )
        )


def line_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    unit: str = "",
    places: int = 1,
    value_text: Callable[[Number | None], str] | None = None,
) -> Chart:
    """A line chart of ``series`` over ``x_labels``; ``unit`` is appended to every value shown
    (``"%"``), unless ``value_text`` words the values itself."""
    for s in series:
        if len(s.values) != len(x_labels):
            raise ValueError(f"series {s.label!r} has {len(s.values)} values for {len(x_labels)}")

    def default_text(value: Number | None) -> str:
        if value is None:
            return "—"
        return f"{decimal_text(value, places)}{unit}"

    return Chart(
        chart_id=chart_id,
        title=title,
        desc=desc,
        x_labels=list(x_labels),
        series=list(series),
        unit=unit,
        places=places,
        value_text=value_text or default_text,
    )
