"""Server-rendered charts: horizontal bars as inline SVG, with the same numbers as a table and
as CSV rows.

A `Chart` holds the figures once; `svg()` draws them, templates/_charts.html shows them as a
table, `csv_rows()` exports them. Colours come from CSS classes (`bar-<series>` in
registry.css: a colour-blind-safe palette) because the Content-Security-Policy forbids inline
styles; the SVG scales with its viewBox, so it stays readable on a phone. Knows nothing of
Flask: labels arrive translated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape

from babel.numbers import format_decimal, format_percent
from markupsafe import Markup

from .estimates import wilson

WIDTH = 340  # narrow, so that text stays about 12 px or more on a phone
LABEL_LINE = 17  # a row's label, above its bars, on one or two lines
BAR_HEIGHT = 14
THIN_BAR = 8  # reference figures are drawn thinner, so they differ by shape as well as colour
GAP = 3
ROW_GAP = 10
VALUE_ROOM = 104  # right of the longest bar, for its value
AXIS_HEIGHT = 44
LINE_CHARS = 46
# The long format of every chart's CSV: one line per row and series.
CSV_HEADER = ["chart", "code", "label", "series", "count", "n", "share", "note", "ci95_low",
              "ci95_high", "small_group", "test_p", "different"]  # fmt: skip
SMALL_MARK = "†"  # after a share whose group has fewer initiatives than the chart's `small`
DIFFERENT_MARK = "◆"  # after a row the chart's test finds different between the groups


def wrap(text: str, width: int = LINE_CHARS, lines: int = 2) -> list[str]:
    """`text` on at most `lines` lines of about `width` characters, cut at spaces."""
    out: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    out.append(current)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1] + "…"
    return out


@dataclass(frozen=True)
class Series:
    key: str  # CSS suffix: bar-<key>, swatch-<key>
    label: str
    reference: bool = False  # an outside figure (the 2010 survey), not the registry's


@dataclass(frozen=True)
class Value:
    count: int | None  # None for a reference share given without a count
    n: int | None
    share: float | None = None  # given for reference figures; else count / n
    note: str = ""  # e.g. "of countries"

    @property
    def fraction(self) -> float | None:
        if self.share is not None:
            return self.share
        if self.count is None or not self.n:
            return None
        return self.count / self.n

    @property
    def interval(self) -> tuple[float, float] | None:
        """The share's Wilson 95 % interval (None for reference figures and empty groups)."""
        if self.share is not None or self.count is None or self.n is None:
            return None
        return wilson(self.count, self.n)


@dataclass
class Row:
    key: str  # the vocabulary code (or year) for CSV
    label: str
    values: list[Value | None]  # one per series; None where the series has no figure
    p_value: float | None = None  # the chart's test between its first two series
    different: bool = False  # the test finds a difference (after any adjustment)


@dataclass
class Chart:
    """Bars by row and series. `scale` "share" draws fractions (0–100 %), "count" raw counts."""

    id: str
    title: str
    axis: str
    series: list[Series]
    rows: list[Row]
    scale: str = "share"
    notes: list[str] = field(default_factory=list)
    locale: str = "en"
    small: int = 0  # shares of groups with fewer initiatives are marked SMALL_MARK
    interval_label: str = "95% CI"  # before an interval, in the reader's language
    test_label: str = ""  # the test of `Row.p_value`, named in the table's heading

    def percent(self, fraction: float) -> str:
        return format_percent(fraction, locale=self.locale)

    def is_small(self, value: Value) -> bool:
        return self.scale == "share" and value.n is not None and value.n < self.small

    def interval_text(self, value: Value) -> str:
        """ "95% CI 24%–68%" in the reader's number format; empty without an interval."""
        interval = value.interval
        if interval is None or self.scale != "share":
            return ""
        low, high = (self.percent(round(x, 2)) for x in interval)
        return f"{self.interval_label} {low}–{high}"

    def p_text(self, p: float | None) -> str:
        """A p-value in the reader's number format: three decimals, or "< 0.001"."""
        if p is None:
            return ""
        if p < 0.001:
            return "< " + format_decimal(0.001, format="0.###", locale=self.locale)
        return format_decimal(p, format="0.000", locale=self.locale)

    @property
    def tested(self) -> bool:
        return any(r.p_value is not None for r in self.rows)

    def value_text(self, value: Value) -> str:
        """What a bar says: "45 % (9/20)" for shares, "12" for counts."""
        if self.scale == "count":
            return str(value.count)
        fraction = value.fraction
        if fraction is None:
            return "–"
        text = self.percent(fraction)
        if value.count is not None and value.n is not None:
            text += f" ({value.count}/{value.n})"
        if self.is_small(value):
            text += SMALL_MARK
        return f"{text} {value.note}".strip()

    @property
    def maximum(self) -> float:
        if self.scale == "share":
            return 1.0
        counts = [v.count or 0 for r in self.rows for v in r.values if v is not None]
        return float(max(counts, default=0)) or 1.0

    def ticks(self) -> list[float]:
        if self.scale == "share":
            return [0, 0.25, 0.5, 0.75, 1.0]
        top = self.maximum
        step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000,
                                10_000, 20_000, 50_000, 10**9) if top / s <= 5)  # fmt: skip
        return [float(t) for t in range(0, int(top) + step, step)]

    @property
    def colon(self) -> str:
        """French typography puts a no-break space before a colon."""
        return "\u00a0: " if self.locale.startswith("fr") else ": "

    def tick_text(self, tick: float) -> str:
        return self.percent(tick) if self.scale == "share" else str(int(tick))

    def svg(self) -> Markup:
        """The chart as an inline <svg>; its numbers are also in the table beside it."""
        usable = WIDTH - VALUE_ROOM
        top = max(self.maximum, self.ticks()[-1]) if self.scale == "count" else 1.0
        bars: list[str] = []
        y = 4
        for row in self.rows:
            label = f"{row.label} {DIFFERENT_MARK}" if row.different else row.label
            for line in wrap(label):
                bars.append(f'<text class="chart-label" x="0" y="{y + 13}">{escape(line)}</text>')
                y += LABEL_LINE
            for series, value in zip(self.series, row.values, strict=True):
                if value is None:
                    continue
                height = THIN_BAR if series.reference else BAR_HEIGHT
                amount = value.fraction if self.scale == "share" else value.count
                if self.scale == "count" and not amount:
                    continue  # no bar and no "0" for an empty count (the table has it)
                length = max(0.0, (amount or 0) / top * usable)
                described = ", ".join(filter(None, [self.value_text(value),
                                                    self.interval_text(value)]))  # fmt: skip
                text = escape(f"{series.label}{self.colon}{described}")
                bars.append(
                    f'<rect class="bar bar-{series.key}" x="0" y="{y}" width="{length:.1f}" '
                    f'height="{height}"><title>{text}</title></rect>'
                )
                interval = value.interval if self.scale == "share" else None
                after = length
                if interval is not None:
                    low, high = (x * usable for x in interval)
                    mid = y + height / 2
                    bars.append(
                        f'<path class="chart-interval" d="M{low:.1f} {mid - 3:.1f}v6'
                        f"M{low:.1f} {mid:.1f}H{high:.1f}M{high:.1f} {mid - 3:.1f}v6"
                        '" aria-hidden="true"/>'
                    )
                    after = max(length, high)
                bars.append(
                    f'<text class="chart-value" x="{after + 4:.1f}" y="{y + height - 2}">'
                    f"{escape(self.value_text(value))}</text>"
                )
                y += height + GAP
            y += ROW_GAP
        grid_bottom = y
        parts: list[str] = []  # the grid first, so that bars are drawn over it
        for tick in self.ticks():
            x = tick / top * usable
            parts.append(
                f'<line class="chart-gridline" x1="{x:.1f}" y1="0" x2="{x:.1f}" '
                f'y2="{grid_bottom}"/>'
            )
            anchor = "start" if tick == 0 else "middle"
            parts.append(
                f'<text class="chart-tick" x="{x:.1f}" y="{grid_bottom + 14}" '
                f'text-anchor="{anchor}">{escape(self.tick_text(tick))}</text>'
            )
        parts.extend(bars)
        parts.append(
            f'<text class="chart-axis" x="0" y="{grid_bottom + 34}">{escape(self.axis)}</text>'
        )
        height = grid_bottom + AXIS_HEIGHT
        title = escape(self.title)
        body = "".join(parts)
        return Markup(
            f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
            f'aria-labelledby="{self.id}-title" preserveAspectRatio="xMinYMin meet" '
            f'xmlns="http://www.w3.org/2000/svg"><title id="{self.id}-title">{title}</title>'
            f"{body}</svg>"
        )

    def csv_rows(self, key_header: str = "code") -> list[list[str]]:
        """A header and one line per row and series: count, n and share (empty when unknown)."""
        lines = [[key_header if h == "code" else h for h in CSV_HEADER]]
        for row in self.rows:
            for series, value in zip(self.series, row.values, strict=True):
                if value is None:
                    continue
                fraction = value.fraction
                interval = value.interval if self.scale == "share" else None
                lines.append(
                    [
                        self.id,
                        row.key,
                        row.label,
                        series.key,
                        "" if value.count is None else str(value.count),
                        "" if value.n is None else str(value.n),
                        "" if fraction is None else f"{fraction:.3f}",
                        value.note,
                        "" if interval is None else f"{interval[0]:.3f}",
                        "" if interval is None else f"{interval[1]:.3f}",
                        "true" if self.is_small(value) else "false",
                        "" if row.p_value is None else f"{row.p_value:.4f}",
                        "true" if row.different else "false",
                    ]
                )
        return lines


STEP_HEIGHT = 200  # the plotting area of a step chart
STEP_LEFT = 44  # room for the y axis' ticks
STEP_BOTTOM = 48  # room for the x axis' ticks and title


@dataclass
class StepChart:
    """A survival curve as an SVG step line with its 95 % band: `points` are (time, estimate,
    low, high) after each step, from time 0; the line starts at 1. Drawn to `end` (the last
    time observed). The same figures are in the table beside it."""

    id: str
    title: str
    x_axis: str
    y_axis: str
    points: list[tuple[float, float, float, float]]
    end: float
    locale: str = "en"

    def _x(self, t: float) -> float:
        usable = WIDTH - STEP_LEFT - 12
        return STEP_LEFT + t / max(self.end, 1) * usable

    @staticmethod
    def _y(v: float) -> float:
        return 8 + (1 - v) * STEP_HEIGHT

    def _steps(self, index: int) -> str:
        """An SVG path through the step function of one column of `points`."""
        value = 1.0
        parts = [f"M{self._x(0):.1f} {self._y(1):.1f}"]
        for point in self.points:
            parts.append(f"H{self._x(point[0]):.1f}V{self._y(point[index]):.1f}")
            value = point[index]
        parts.append(f"H{self._x(self.end):.1f}V{self._y(value):.1f}")
        return "".join(parts)

    def _band(self) -> str:
        upper = self._steps(3)
        lower_points = [(self._x(0), self._y(1))]
        value = 1.0
        for point in self.points:
            lower_points += [(self._x(point[0]), self._y(value)), (self._x(point[0]),
                                                                    self._y(point[2]))]  # fmt: skip
            value = point[2]
        lower_points.append((self._x(self.end), self._y(value)))
        back = "".join(f"L{x:.1f} {y:.1f}" for x, y in reversed(lower_points))
        return upper + back + "Z"

    def x_ticks(self) -> list[int]:
        top = max(math.ceil(self.end), 1)
        step = next(s for s in (1, 2, 5, 10, 20, 50, 100) if top / s <= 6)
        return list(range(0, top + 1, step))

    def svg(self) -> Markup:
        parts: list[str] = []
        bottom = self._y(0)
        for tick in (0, 0.25, 0.5, 0.75, 1.0):
            y = self._y(tick)
            parts.append(f'<line class="chart-gridline" x1="{STEP_LEFT}" y1="{y:.1f}" '
                         f'x2="{self._x(self.end):.1f}" y2="{y:.1f}"/>')  # fmt: skip
            text = escape(format_percent(tick, locale=self.locale))
            parts.append(f'<text class="chart-tick" x="{STEP_LEFT - 4}" y="{y + 4:.1f}" '
                         f'text-anchor="end">{text}</text>')  # fmt: skip
        for tick in self.x_ticks():
            x = self._x(tick)
            parts.append(f'<text class="chart-tick" x="{x:.1f}" y="{bottom + 16:.1f}" '
                         f'text-anchor="middle">{tick}</text>')  # fmt: skip
        half = self._y(0.5)
        parts.append(f'<line class="chart-half" x1="{STEP_LEFT}" y1="{half:.1f}" '
                     f'x2="{self._x(self.end):.1f}" y2="{half:.1f}"/>')  # fmt: skip
        parts.append(f'<path class="chart-band" d="{self._band()}"/>')
        parts.append(f'<path class="chart-step" d="{self._steps(1)}"/>')
        parts.append(f'<text class="chart-axis" x="{STEP_LEFT}" y="{bottom + 38:.1f}">'
                     f"{escape(self.x_axis)}</text>")  # fmt: skip
        height = bottom + STEP_BOTTOM
        return Markup(
            f'<svg class="chart chart-survival" viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
            f'aria-labelledby="{self.id}-title {self.id}-desc" '
            f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
            f'<title id="{self.id}-title">{escape(self.title)}</title>'
            f'<desc id="{self.id}-desc">{escape(self.y_axis)}</desc>{"".join(parts)}</svg>'
        )
