"""Server-rendered SVG charts: no JavaScript, no external library, readable without sight.

Every chart is an ``<svg role="img">`` with a title and a description; pages
put the same numbers in a table beside it, so nothing is only in the picture.

The rules every chart keeps:

- One measure per axis. Two measures (hours and people, a share and an index)
  are never drawn against one y axis: :func:`small_multiples` draws one panel
  per measure, each with its own axis, one above the other.
- Each series has a :class:`Style`: a colour from a palette that keeps 3:1
  contrast against white (WCAG 1.4.11) and is told apart by people with colour
  blindness (Okabe-Ito, darkened), and a marker shape of its own, so colour is
  never the only cue. :func:`styles_for` gives each name of a list (the
  neighbourhoods in the order of their ids) the same style on every chart and
  on the network picture.
- A part month (the month not over yet, or a first month that began part-way)
  is drawn as a hollow point joined by a dashed line, is named in the
  description, and the legend says what a hollow point means.
- Drawn at 360 units wide, so at a phone's width the text is at its written
  size; every label is placed so that it stays inside the picture.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Okabe-Ito colours darkened to at least 3:1 against white.
PALETTE = ["#0b61a4", "#b35900", "#007a5e", "#a3157a", "#5d4c99", "#6b6b00", "#b3261e"]
MARKERS = ["circle", "square", "diamond", "triangle", "triangle-down"]

#: Width of every chart, in SVG units: a phone's width, so text shows at its size there.
WIDTH = 360
FONT = 14
#: Tick and month labels.
SMALL = 13
#: A generous estimate of a character's width, as a share of the font size.
CHAR_WIDTH = 0.6
INK = "#0b0c0c"
GRID = "#b1b4b6"


@dataclass(frozen=True)
class Style:
    colour: str
    marker: str


#: The whole community is drawn in black with a cross, unlike any neighbourhood.
WHOLE_STYLE = Style(INK, "cross")
#: People whose neighbourhood is not known.
UNKNOWN_STYLE = Style("#505a5f", "circle")


def styles_for(names: Sequence[str]) -> dict[str, Style]:
    """One style per name, by position in ``names``: pass them in a stable order (for
    neighbourhoods, the order of their ids) and every chart gives a name the same style.
    No two of the first 35 names share both colour and marker."""
    return {
        name: Style(PALETTE[i % len(PALETTE)], MARKERS[i % len(MARKERS)])
        for i, name in enumerate(names)
    }


def part_month(month: date, *, today: date, began: date | None = None) -> bool:
    """Whether the month starting ``month`` is a part month: not over by ``today``, or the
    first month of something that ``began`` after its first day."""
    first = month.replace(day=1)
    if (first.year, first.month) == (today.year, today.month):
        return True
    return (
        began is not None
        and (began.year, began.month) == (first.year, first.month)
        and (began.day > 1)
    )


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]
    style: Style | None = None


@dataclass(frozen=True)
class Panel:
    """One measure on one y axis: ``y_label`` names the measure and its unit."""

    y_label: str
    series: Sequence[Series]
    y_min: float = 0.0
    y_max: float | None = None
    ticks: Sequence[float] = field(default_factory=tuple)


def text_width(text: str, size: float = FONT) -> float:
    return len(text) * size * CHAR_WIDTH


def _fit(text: str, room: float, size: float = FONT) -> str:
    """The text, shortened with an ellipsis if it would be wider than ``room``."""
    most = max(int(room / (size * CHAR_WIDTH)), 1)
    return text if len(text) <= most else text[: most - 1] + "…"


def _wrap(text: str, room: float, size: float = FONT) -> list[str]:
    """The text in lines no wider than ``room`` (a word longer than that is shortened)."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size) <= room:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(_fit(word, room, size))
    return lines or [""]


def _marker(style: Style, x: float, y: float, *, hollow: bool = False, size: float = 4.5) -> str:
    fill = "#ffffff" if hollow else style.colour
    paint = f'fill="{fill}" stroke="{style.colour}" stroke-width="{2 if hollow else 1}"'
    data = f'data-marker="{style.marker}"' + (' data-part="true"' if hollow else "")
    s = size
    if style.marker == "square":
        return (
            f'<rect x="{x - s * 0.85:.1f}" y="{y - s * 0.85:.1f}" width="{s * 1.7:.1f}" '
            f'height="{s * 1.7:.1f}" {paint} {data}/>'
        )
    shapes = {
        "diamond": [(0, -1.2), (1.2, 0), (0, 1.2), (-1.2, 0)],
        "triangle": [(0, -1.2), (1.1, 0.9), (-1.1, 0.9)],
        "triangle-down": [(0, 1.2), (1.1, -0.9), (-1.1, -0.9)],
        "cross": [
            (-0.4, -1.1), (0.4, -1.1), (0.4, -0.4), (1.1, -0.4), (1.1, 0.4), (0.4, 0.4),
            (0.4, 1.1), (-0.4, 1.1), (-0.4, 0.4), (-1.1, 0.4), (-1.1, -0.4), (-0.4, -0.4),
        ],
    }  # fmt: skip
    if style.marker in shapes:
        points = " ".join(f"{x + dx * s:.1f},{y + dy * s:.1f}" for dx, dy in shapes[style.marker])
        return f'<polygon points="{points}" {paint} {data}/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{s:.1f}" {paint} {data}/>'


def _number(value: float) -> str:
    text = f"{value:.0f}" if abs(value) >= 10 or value == int(value) else f"{value:.2f}".rstrip("0")
    return text.replace("-", "−")  # a real minus sign


def _nice_ceiling(value: float) -> float:
    if value <= 0 or math.isnan(value):
        return 1.0
    power = float(10.0 ** math.floor(math.log10(value)))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: int = FONT) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{INK}">{escape(text)}</text>'
    )


def _describe_part(description: str, x_labels: Sequence[str], part: Sequence[bool]) -> str:
    marked = [label for label, is_part in zip(x_labels, part, strict=False) if is_part]
    if not marked:
        return description
    note = ngettext(
        "%(months)s is a part month, so its figures are not complete.",
        "%(months)s are part months, so their figures are not complete.",
        len(marked),
    ) % {"months": ", ".join(marked)}
    return f"{description} {note}"


def small_multiples(
    *,
    chart_id: str,
    title: str,
    description: str,
    x_labels: Sequence[str],
    panels: Sequence[Panel],
    part: Sequence[bool] = (),
    width: int = WIDTH,
    plot_height: int = 150,
) -> SafeString:
    """Line charts one above the other, one measure each, sharing the x labels and a
    legend; ``part[i]`` marks the i-th x label as a part month. ``description`` is the
    text alternative (say what it shows); the part months are added to it."""
    scales = []
    for panel in panels:
        values = [v for s in panel.series for v in s.values if v is not None]
        low = panel.y_min
        high = panel.y_max if panel.y_max is not None else _nice_ceiling(max(values, default=1.0))
        if high <= low:
            high = low + 1
        ticks = list(panel.ticks) or [low + (high - low) * step / 4 for step in range(5)]
        scales.append((low, high, ticks))
    # Room on the left for the widest number on any axis.
    numbers = [text_width(_number(t), SMALL) for _, _, ticks in scales for t in ticks]
    left, right = max(36, math.ceil(max(numbers, default=0.0)) + 10), 14
    plot_w = width - left - right
    n = max(len(x_labels), 1)
    part = [bool(p) for p in part] + [False] * (len(x_labels) - len(part))
    slot = plot_w / n

    def x(i: int) -> float:
        return left + slot * (i + 0.5)

    # Show the last label (the latest month) and every ``every``-th before it, never overlapping.
    widest = max((text_width(label, SMALL) for label in x_labels), default=0.0)
    every = max(1, math.ceil((widest + 6) / slot))
    shown = {i for i in range(len(x_labels)) if (len(x_labels) - 1 - i) % every == 0}

    body: list[str] = []
    top = 8
    for panel, (low, high, ticks) in zip(panels, scales, strict=True):
        label_y = top
        for label_line in _wrap(panel.y_label, width - 8):
            label_y += FONT + 3
            body.append(_text(4, label_y, label_line))
        plot_top = label_y + 12

        def y(v: float, plot_top: float = plot_top, low: float = low, high: float = high) -> float:
            return plot_top + plot_height - plot_height * (v - low) / (high - low)

        for tick in ticks:
            body.append(
                f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
                f'stroke="{GRID}" stroke-width="1"/>'
                + _text(left - 6, y(tick) + 4, _number(tick), anchor="end", size=SMALL)
            )
        for i, label in enumerate(x_labels):
            if i in shown:
                half = text_width(label, SMALL) / 2
                cx = min(max(x(i), half + 2), width - half - 2)
                body.append(
                    _text(cx, plot_top + plot_height + 18, label, anchor="middle", size=SMALL)
                )
        for index, line in enumerate(panel.series):
            style = line.style or Style(
                PALETTE[index % len(PALETTE)], MARKERS[index % len(MARKERS)]
            )
            body.append(f'<g class="series" data-series="{escape(line.label)}">')
            # A missing value breaks the line; a segment into or out of a part month is dashed.
            runs: list[tuple[bool, list[int]]] = []
            previous: int | None = None
            for i, v in enumerate(line.values):
                if v is None:
                    previous = None
                    continue
                if previous is not None:
                    dashed = part[previous] or part[i]
                    if runs and runs[-1][0] == dashed and runs[-1][1][-1] == previous:
                        runs[-1][1].append(i)
                    else:
                        runs.append((dashed, [previous, i]))
                previous = i
            for dashed, run in runs:
                path = " ".join(f"{x(i):.1f},{y(float(line.values[i] or 0)):.1f}" for i in run)
                dash = ' stroke-dasharray="5 4"' if dashed else ""
                body.append(
                    f'<polyline points="{path}" fill="none" stroke="{style.colour}" '
                    f'stroke-width="2.5"{dash}/>'
                )
            body.extend(
                _marker(style, x(i), y(v), hollow=part[i])
                for i, v in enumerate(line.values)
                if v is not None
            )
            body.append("</g>")
        top = plot_top + plot_height + 30

    # The legend: one row per series (each name once), then what a hollow point means.
    legend: dict[str, Style] = {}
    for panel in panels:
        for index, line in enumerate(panel.series):
            legend.setdefault(
                line.label,
                line.style or Style(PALETTE[index % len(PALETTE)], MARKERS[index % len(MARKERS)]),
            )
    # A panel of one line is named by its measure: list the lines only where a panel has more.
    several = any(len(panel.series) > 1 for panel in panels)
    rows = [(label, style, False) for label, style in legend.items()] if several else []
    if any(part):
        rows.append((_("Part month (not complete)"), Style(INK, "circle"), True))
    if rows:
        for label, style, hollow in rows:
            top += 20
            body.append(
                f'<g class="legend-item" data-series="{escape(label)}">'
                + _marker(style, 12, top - 4, hollow=hollow)
                + _text(24, top, _fit(label, width - 28))
                + "</g>"
            )
    height = int(top + 10)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(_describe_part(description, x_labels, part))}</desc>',
        *body,
        "</svg>",
    ]
    return mark_safe("".join(parts))  # noqa: S308 (every text is escaped above)


def line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    y_label: str,
    y_min: float = 0.0,
    y_max: float | None = None,
    ticks: Sequence[float] = (),
    part: Sequence[bool] = (),
) -> SafeString:
    """A line chart of one measure (``y_label`` names it and its unit)."""
    return small_multiples(
        chart_id=chart_id,
        title=title,
        description=description,
        x_labels=x_labels,
        panels=[Panel(y_label, series, y_min=y_min, y_max=y_max, ticks=ticks)],
        part=part,
    )


def network_picture(
    *,
    chart_id: str,
    title: str,
    description: str,
    x: Sequence[float],
    y: Sequence[float],
    group: Sequence[int],
    edges: Sequence[tuple[int, int]],
    labels: Sequence[str],
    styles: Mapping[str, Style],
    size: int = WIDTH,
) -> SafeString:
    """People as points (coordinates in 0..1), ties as faint lines, a legend of places.

    ``group[i]`` indexes ``labels`` (-1: not known); each label is drawn in its style
    from ``styles``, the same as on the charts."""
    pad = 10
    span = size - 2 * pad

    def px(value: float) -> float:
        return pad + value * span

    parts = [
        f'<g stroke="{GRID}" stroke-width="0.6">',
        *(
            f'<line x1="{px(x[a]):.1f}" y1="{px(y[a]):.1f}" x2="{px(x[b]):.1f}" '
            f'y2="{px(y[b]):.1f}"/>'
            for a, b in edges
        ),
        "</g>",
    ]
    unknown = _("Neighbourhood not given")
    members: dict[int, list[int]] = {}
    for i, code in enumerate(group):
        members.setdefault(code if code >= 0 else -1, []).append(i)
    legend: list[tuple[str, Style]] = []
    for code in [*range(len(labels)), -1]:
        label = labels[code] if code >= 0 else unknown
        style = styles.get(label, UNKNOWN_STYLE) if code >= 0 else UNKNOWN_STYLE
        if code >= 0 or members.get(-1):
            legend.append((label, style))
        points = members.get(code, [])
        if points:
            parts.append(f'<g class="series" data-series="{escape(label)}">')
            parts.extend(_marker(style, px(x[i]), px(y[i]), size=3.5) for i in points)
            parts.append("</g>")
    top = size
    for label, style in legend:
        top += 20
        parts.append(
            f'<g class="legend-item" data-series="{escape(label)}">'
            + _marker(style, 12, top - 4)
            + _text(24, top, _fit(label, size - 28))
            + "</g>"
        )
    height = top + 10
    return mark_safe(  # noqa: S308 (every text is escaped)
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {size} {height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>' + "".join(parts) + "</svg>"
    )
