"""Server-rendered charts of an indicator's trend: the geometry of an SVG line chart (drawn by
templates/components/indicator_chart.html, no JavaScript) and the formatting of values.

The SVG is hidden from assistive technologies; the same figures are in the table beside it, its text
alternative (RGAA 1.8: a complex image has a detailed alternative next to it).
"""

import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format

WIDTH, HEIGHT = 640, 240
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 72, 20, 16, 32
MAX_YEAR_LABELS = 8


def format_number(value, decimals=0):
    """A value as the active language writes it (12 345,6 in French, 12,345.6 in English)."""
    if value is None:
        return ""
    value = Decimal(value)
    if decimals == 0:
        value = value.quantize(Decimal(1))
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def format_value(value, indicator):
    """A value with its indicator's unit (`12,3 %`, `1 250 000 € HT`); an empty string for no value."""
    if value is None:
        return ""
    text = format_number(value, indicator.decimals)
    unit = indicator.unit_label
    return f"{text}\u00a0{unit}" if unit else text


def _nice_step(span, ticks=4, integer=False):
    """A round step (1, 2 or 5 times a power of ten; at least 1 for whole numbers) dividing `span` into about
    `ticks` intervals."""
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next((factor * magnitude for factor in (1, 2, 5) if factor * magnitude >= raw), 10 * magnitude)
    return max(step, 1) if integer else step


def _axis(low, high, integer=False):
    """The value axis's bounds and step: from zero when the values are positive and not bunched far from it
    (a count, a rate), else around them (an index near 100)."""
    if low == high:
        spread = abs(high) * 0.1 or 1
        low, high = low - spread, high + spread
    if low >= 0 and low <= 0.5 * high:
        low = 0
    step = _nice_step(high - low, integer=integer)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def _coordinate(number):
    """A coordinate as SVG reads it: a dot as decimal mark whatever the language (templates would localise
    a float, and `x="72,5"` is a list of two positions to SVG)."""
    return f"{round(number, 1):g}"


@dataclass
class Chart:
    """An SVG line chart's geometry, every coordinate already written as a string."""

    width: int
    height: int
    left: str
    right: str
    bottom: str
    label_x: str  # where the value labels end, left of the plot
    path: str
    points: list  # (x, y)
    y_ticks: list  # (y, label)
    x_ticks: list  # (x, label)


def trend_chart(series):
    """The Chart of a Series with at least two points, else None."""
    if not series.has_trend:
        return None
    years = [year for year, _value in series.points]
    values = [float(value) for _year, value in series.points]
    low, high, step = _axis(min(values), max(values), integer=series.indicator.decimals == 0)
    left, right = MARGIN_LEFT, WIDTH - MARGIN_RIGHT
    top, bottom = MARGIN_TOP, HEIGHT - MARGIN_BOTTOM
    first, last = years[0], years[-1]

    def x_of(year):
        return left + (right - left) * (year - first) / (last - first)

    def y_of(value):
        return bottom - (bottom - top) * (value - low) / (high - low)

    points = [(_coordinate(x_of(year)), _coordinate(y_of(value))) for year, value in zip(years, values, strict=True)]
    path = "M" + " L".join(f"{x} {y}" for x, y in points)
    decimals = 0 if step >= 1 else min(4, -math.floor(math.log10(step)))
    y_ticks = []
    tick = low
    while tick <= high + step / 1000:
        y_ticks.append((_coordinate(y_of(tick)), format_number(Decimal(str(round(tick, 6))), decimals)))
        tick += step
    every = max(1, math.ceil(len(years) / MAX_YEAR_LABELS))
    shown = [year for index, year in enumerate(years) if index % every == 0]
    if shown[-1] != last:
        shown[-1] = last  # the latest year is always labelled (in place of its too-close neighbour)
    x_ticks = [(_coordinate(x_of(year)), str(year)) for year in shown]
    return Chart(
        WIDTH,
        HEIGHT,
        _coordinate(left),
        _coordinate(right),
        _coordinate(bottom),
        _coordinate(left - 8),
        path,
        points,
        y_ticks,
        x_ticks,
    )
