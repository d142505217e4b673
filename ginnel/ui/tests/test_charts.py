"""Charts are pictures with words: a title, a description, escaped labels, one measure per
axis, part months marked, the same look for a place on every chart, and nothing clipped."""

from __future__ import annotations

from datetime import date
from xml.etree import ElementTree

import pytest

from ginnel.ui.charts import (
    CHAR_WIDTH,
    MARKERS,
    PALETTE,
    Panel,
    Series,
    line_chart,
    network_picture,
    part_month,
    small_multiples,
    styles_for,
)

NS = "{http://www.w3.org/2000/svg}"
PLACES = ["Hebble End", "Mytholm", "Slack Bottom", "Heptonstall Slack"]


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(str(svg))  # noqa: S314 (our own output)


def looks(root: ElementTree.Element) -> dict[str, set[tuple[str, str]]]:
    """For each series (and legend entry): the (colour, marker) pairs its points are drawn in."""
    found: dict[str, set[tuple[str, str]]] = {}
    for group in root.iter(f"{NS}g"):
        name = group.get("data-series")
        if name is None:
            continue
        for mark in group:
            if mark.get("data-marker"):
                colour = mark.get("stroke") if mark.get("data-part") else mark.get("fill")
                found.setdefault(name, set()).add((colour or "", mark.get("data-marker", "")))
    return found


def outside_the_picture(root: ElementTree.Element) -> list[str]:
    """Texts whose box (estimated generously from the font size) leaves the viewBox."""
    _, _, width, height = (float(v) for v in root.get("viewBox", "").split())
    out = []
    for text in root.iter(f"{NS}text"):
        size = float(text.get("font-size", "13"))
        x, y = float(text.get("x", "0")), float(text.get("y", "0"))
        wide = len(text.text or "") * size * CHAR_WIDTH
        anchor = text.get("text-anchor", "start")
        start = {"start": x, "middle": x - wide / 2, "end": x - wide}[anchor]
        if text.get("transform") or start < 0 or start + wide > width or y - size < 0 or y > height:
            out.append(text.text or "")
    return out


def test_a_line_chart_is_an_image_with_a_title_and_description():
    svg = line_chart(
        chart_id="isolated",
        title="Isolated members by month",
        description="Falling from 12 in January to 7 in March.",
        x_labels=["Jan", "Feb", "Mar"],
        series=[Series("Hebble End", [12, 9, 7]), Series("Mytholm <North>", [3, None, 4])],
        y_label="People",
    )

    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "isolated-title isolated-desc"
    assert root.find(f"{NS}title").text == "Isolated members by month"
    assert root.find(f"{NS}desc").text.startswith("Falling")
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "Mytholm <North>" in texts  # escaped in the markup, intact when read
    assert len(root.findall(f".//{NS}polyline")) == 1  # a gap of one point draws no line


def test_a_place_has_the_same_colour_and_marker_on_every_chart_and_the_network_picture():
    styles = styles_for(PLACES)
    months = ["Oct 26", "Nov 26", "Dec 26"]
    first = line_chart(
        chart_id="a",
        title="Isolated",
        description="…",
        x_labels=months,
        series=[Series(p, [1, 2, 3], styles[p]) for p in PLACES],
        y_label="Per cent",
    )
    # Another chart showing fewer places, in another order.
    second = line_chart(
        chart_id="b",
        title="Ties",
        description="…",
        x_labels=months,
        series=[Series(p, [3, 2, 1], styles[p]) for p in ["Slack Bottom", "Hebble End"]],
        y_label="People",
    )
    picture = network_picture(
        chart_id="c",
        title="Network",
        description="…",
        x=[0.1, 0.5, 0.9],
        y=[0.2, 0.8, 0.5],
        group=[2, 0, 2],
        edges=[(0, 1)],
        labels=["Hebble End", "Mytholm", "Slack Bottom"],
        styles=styles,
    )

    a, b, c = looks(parse(first)), looks(parse(second)), looks(parse(picture))
    for place in ["Slack Bottom", "Hebble End"]:
        assert len(a[place]) == 1
        assert a[place] == b[place] == c[place]
    assert c["Mytholm"] == a["Mytholm"]  # in the picture's legend though no one is drawn
    assert len({next(iter(a[p])) for p in PLACES}) == len(PLACES)


def test_no_two_of_many_places_look_the_same_and_every_colour_has_contrast():
    styles = styles_for([f"Place {i}" for i in range(len(PALETTE) * len(MARKERS))])

    assert len({(s.colour, s.marker) for s in styles.values()}) == len(styles)
    assert len({s.colour for s in list(styles.values())[: len(PALETTE)]}) == len(PALETTE)

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for colour in PALETTE:
        assert 1.05 / (luminance(colour) + 0.05) >= 3, colour


def test_a_part_month_is_a_hollow_point_on_a_dashed_line_and_is_named_in_the_description():
    svg = line_chart(
        chart_id="hours",
        title="Hours",
        description="Hours exchanged each month.",
        x_labels=["Oct 26", "Nov 26", "Dec 26"],
        series=[Series("Hours", [10, 12, 4])],
        y_label="Hours",
        part=[True, False, True],
    )

    root = parse(svg)
    points = [m for m in root.iter() if m.get("data-marker") and m.get("data-part") is not None]
    series = [g for g in root.iter(f"{NS}g") if g.get("class") == "series"]
    drawn = [m for g in series for m in g if m.get("data-marker")]
    assert [m.get("data-part") == "true" for m in drawn] == [True, False, True]
    assert all(m.get("fill") == "#ffffff" for m in points if m in drawn)
    assert all(line.get("stroke-dasharray") for line in root.iter(f"{NS}polyline"))
    description = root.findtext(f"{NS}desc") or ""
    assert "Oct 26, Dec 26 are part months" in description
    assert "Part month (not complete)" in [t.text for t in root.iter(f"{NS}text")]


@pytest.mark.parametrize(
    ("month", "today", "began", "part"),
    [
        (date(2026, 12, 1), date(2026, 12, 2), None, True),  # not over yet
        (date(2026, 11, 1), date(2026, 12, 2), None, False),
        (date(2026, 3, 1), date(2026, 12, 2), date(2026, 3, 14), True),  # began part-way
        (date(2026, 3, 1), date(2026, 12, 2), date(2026, 3, 1), False),  # began on the 1st
        (date(2026, 4, 1), date(2026, 12, 2), date(2026, 3, 14), False),
    ],
)
def test_a_month_is_a_part_month_when_it_is_not_over_or_began_part_way(month, today, began, part):
    assert part_month(month, today=today, began=began) is part


def test_two_measures_are_never_drawn_on_one_axis():
    svg = small_multiples(
        chart_id="both",
        title="Hours and members",
        description="…",
        x_labels=["Nov 26", "Dec 26"],
        panels=[
            Panel("Hours exchanged", [Series("Hours", [100.0, 80.0])]),
            Panel("Members who exchanged", [Series("Members", [10.0, 9.0])]),
        ],
    )

    root = parse(svg)
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "Hours exchanged" in texts
    assert "Members who exchanged" in texts
    # Each panel has its own scale: 100 hours and 10 members both reach their axis's top.
    tops = [
        min(float(m.get("cy")) for m in g if m.get("data-marker"))
        for g in root.iter(f"{NS}g")
        if g.get("class") == "series"
    ]
    hours_axis = [float(t.get("y")) for t in root.iter(f"{NS}text") if t.text == "100"]
    members_axis = [float(t.get("y")) for t in root.iter(f"{NS}text") if t.text == "10"]
    assert hours_axis
    assert members_axis
    assert tops[0] == pytest.approx(hours_axis[0] - 4, abs=0.2)
    assert tops[1] == pytest.approx(members_axis[0] - 4, abs=0.2)


def test_an_index_from_minus_one_to_one_has_its_own_axis_and_nothing_is_clipped_at_phone_width():
    names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    months = [f"{m} 26" for m in names]
    svg = line_chart(
        chart_id="ei",
        title="E-I index",
        description="…",
        x_labels=months,
        series=[Series(p, [-0.4] * 12, s) for p, s in styles_for(PLACES).items()],
        y_label="E-I index: −1 all within, +1 all across",
        y_min=-1,
        y_max=1,
    )

    root = parse(svg)
    assert root.get("viewBox").split()[2] == "360"
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "−1" in texts
    assert "1" in texts
    assert "0" in texts
    assert not any("+ 1" in (t or "") for t in texts)
    assert outside_the_picture(root) == []
    assert "Dec 26" in texts  # the latest month is always labelled
    sizes = {float(t.get("font-size")) for t in root.iter(f"{NS}text")}
    assert min(sizes) >= 12


def test_a_long_measure_name_wraps_and_large_numbers_stay_inside_the_picture():
    name = "Members who both gave and received, as a per cent of those with an exchange"
    svg = small_multiples(
        chart_id="long",
        title="Long",
        description="…",
        x_labels=["Nov 26", "Dec 26"],
        panels=[
            Panel(name, [Series("Whole community", [40.0, 45.0])], y_max=100),
            Panel("Minutes", [Series("Minutes", [12000.0, 9000.0])]),
        ],
    )

    root = parse(svg)
    assert outside_the_picture(root) == []
    texts = [t.text or "" for t in root.iter(f"{NS}text")]
    assert " ".join(t for t in texts if t and t in name) == name  # every word, on two lines
    assert "20000" in texts
