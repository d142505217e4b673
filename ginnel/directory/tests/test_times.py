"""Times as people type them, and as the pages show them."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from django.template import Context, Template
from django.utils import timezone

from ginnel.directory.times import time_parse


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("2pm", time(14)),
        ("2 PM", time(14)),
        ("14:00", time(14)),
        ("14.00", time(14)),
        ("2.30pm", time(14, 30)),
        ("2:30 pm", time(14, 30)),
        ("7.05 p.m.", time(19, 5)),
        ("10am", time(10)),
        ("9", time(9)),
        ("0930", time(9, 30)),
        ("noon", time(12)),
        ("12 noon", time(12)),
        ("midday", time(12)),
        ("midnight", time(0)),
        ("12am", time(0)),
        ("12pm", time(12)),
    ],
)
def test_a_time_is_read_as_people_write_it(typed: str, meant: time) -> None:
    assert time_parse(typed) == meant


@pytest.mark.parametrize("typed", ["", "soon", "25:00", "13pm", "0pm", "2.75pm", "2:3pm", "1260"])
def test_what_is_not_a_time_is_not_read_as_one(typed: str) -> None:
    assert time_parse(typed) is None


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (time(14), "2pm"),
        (time(14, 30), "2.30pm"),
        (time(9, 5), "9.05am"),
        (time(12), "12 noon"),
        (time(0), "12 midnight"),
    ],
)
def test_the_clock_filter_shows_times_as_people_write_them(value: time, shown: str) -> None:
    rendered = Template("{% load directory_times %}{{ value|clock }}").render(
        Context({"value": value})
    )
    assert rendered == shown


def test_the_clock_filter_shows_a_date_times_local_time() -> None:
    # 13:30 UTC on a winter day is 1.30pm in London; in summer it is 2.30pm.
    winter = datetime(2026, 12, 8, 13, 30, tzinfo=UTC)
    summer = datetime(2026, 7, 8, 13, 30, tzinfo=UTC)
    template = Template("{% load directory_times %}{{ a|clock }} {{ b|hours:c }}")
    with timezone.override("Europe/London"):
        shown = template.render(Context({"a": winter, "b": summer, "c": summer}))
    assert shown == "1.30pm 2.30pm to 2.30pm"
