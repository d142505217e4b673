"""Charts are pictures with words: a title, a description, and escaped labels."""

from __future__ import annotations

from xml.etree import ElementTree

from ginnel.ui.charts import Series, line_chart


def test_a_line_chart_is_an_image_with_a_title_and_description():
    svg = line_chart(
        chart_id="isolated",
        title="Isolated members by month",
        description="Falling from 12 in January to 7 in March.",
        x_labels=["Jan", "Feb", "Mar"],
        series=[Series("Hebble End", [12, 9, 7]), Series("Mytholm <North>", [3, None, 4])],
        y_label="People",
    )

    root = ElementTree.fromstring(str(svg))  # noqa: S314 (our own output)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "isolated-title isolated-desc"
    assert root.find(f"{ns}title").text == "Isolated members by month"
    assert root.find(f"{ns}desc").text.startswith("Falling")
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert "Mytholm <North>" in texts  # escaped in the markup, intact when read
    assert len(root.findall(f"{ns}polyline")) == 1  # a series with a gap of one point draws no line
