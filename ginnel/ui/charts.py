"""Server-rendered SVG charts: no JavaScript, no external library, readable without sight.

Every chart is an ``<svg role="img">`` with a title and a description; pages
put the same numbers in a table beside it, so nothing is only in the picture.
Colours come from a palette that keeps 3:1 contrast against white (WCAG 1.4.11)
and each series also has its own marker shape, so colour is never the only cue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

# Okabe-Ito colours darkened to at least 3:1 against white.
PALETTE = ["#0b61a4", "#b35900", "#007a5e", "#a3157a", "#5d4c99", "#6b6b00", "#b3261e"]
MARKERS = ["circle", "square", "diamond", "triangle"]


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if shape == "diamond":
        points = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    if shape == "triangle":
        points = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'


def line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    y_label: str,
    y_max: float | None = None,
    width: int = 640,
    height: int = 300,
) -> SafeString:
    """A line chart; ``description`` is the text alternative (say what it shows)."""
    left, right, top, bottom = 56, 16, 16, 64
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in series for v in s.values if v is not None]
    top_value = y_max if y_max is not None else (max(values) if values else 1.0)
    top_value = top_value or 1.0
    n = max(len(x_labels), 1)

    def x(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n)

    def y(v: float) -> float:
        return top + plot_h - (plot_h * v / top_value)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for step in range(5):
        value = top_value * step / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            'stroke="#b1b4b6" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="#0b0c0c">{_number(value)}</text>'
        )
    every = max(1, n // 8)
    for i, label in enumerate(x_labels):
        if i % every == 0:
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - bottom + 18}" text-anchor="middle" '
                f'font-size="12" fill="#0b0c0c">{escape(label)}</text>'
            )
    parts.append(
        f'<text x="14" y="{top + plot_h / 2:.1f}" font-size="12" fill="#0b0c0c" '
        f'transform="rotate(-90 14 {top + plot_h / 2:.1f})" text-anchor="middle">'
        f"{escape(y_label)}</text>"
    )
    for index, line in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        shape = MARKERS[index % len(MARKERS)]
        points = [(x(i), y(v)) for i, v in enumerate(line.values) if v is not None]
        # A missing value breaks the line rather than bridging the gap.
        runs: list[list[tuple[float, float]]] = [[]]
        for i, v in enumerate(line.values):
            if v is None:
                runs.append([])
            else:
                runs[-1].append((x(i), y(v)))
        for run in runs:
            if len(run) > 1:
                path = " ".join(f"{px:.1f},{py:.1f}" for px, py in run)
                parts.append(
                    f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
                )
        parts.extend(_marker(shape, px, py, colour) for px, py in points)
        legend_x = left + (index % 3) * 200
        legend_y = height - 22 + (index // 3) * 16
        parts.append(
            _marker(shape, legend_x, legend_y - 4, colour)
            + f'<text x="{legend_x + 10}" y="{legend_y}" font-size="12" fill="#0b0c0c">'
            f"{escape(line.label)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text is escaped above)


def _number(value: float) -> str:
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.2f}"


def network_picture(
    *,
    chart_id: str,
    title: str,
    description: str,
    x: Sequence[float],
    y: Sequence[float],
    colour: Sequence[int],
    edges: Sequence[tuple[int, int]],
    labels: Sequence[str],
    size: int = 560,
) -> SafeString:
    """People as points (coordinates in 0..1), ties as faint lines, a legend of places."""
    pad, legend = 12, 20 * ((len(labels) + 1) // 2) + 10
    span = size - 2 * pad

    def px(value: float) -> float:
        return pad + value * span

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" '
        f'viewBox="0 0 {size} {size + legend}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        '<g stroke="#b1b4b6" stroke-width="0.6">',
    ]
    parts.extend(
        f'<line x1="{px(x[a]):.1f}" y1="{px(y[a]):.1f}" x2="{px(x[b]):.1f}" y2="{px(y[b]):.1f}"/>'
        for a, b in edges
    )
    parts.append("</g>")
    for i in range(len(x)):
        code = colour[i]
        fill = PALETTE[code % len(PALETTE)] if code >= 0 else "#505a5f"
        parts.append(
            _marker(
                MARKERS[code % len(MARKERS)] if code >= 0 else "circle", px(x[i]), px(y[i]), fill
            )
        )
    for index, label in enumerate(labels):
        lx = pad + (index % 2) * (size // 2)
        ly = size + 16 + (index // 2) * 20
        parts.append(
            _marker(MARKERS[index % len(MARKERS)], lx + 4, ly - 4, PALETTE[index % len(PALETTE)])
            + f'<text x="{lx + 14}" y="{ly}" font-size="13" fill="#0b0c0c">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text is escaped above)
