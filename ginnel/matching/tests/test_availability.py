"""Reading the week grid out of a listing's "when", as people write it."""

from __future__ import annotations

import pytest

from ginnel.matching.availability import week_grid
from ginnel.matching.engine import ALL_WEEK, slot

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
MORNING, AFTERNOON, EVENING = range(3)


def grid(*slots: tuple[int, int]) -> int:
    out = 0
    for day, period in slots:
        out |= slot(day, period)
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Weekday mornings", grid(*((d, MORNING) for d in (MON, TUE, WED, THU, FRI)))),
        ("Weekends", grid(*((d, p) for d in (SAT, SUN) for p in range(3)))),
        ("Evenings after 6", grid(*((d, EVENING) for d in range(7)))),
        (
            "Thursday afternoons, weekends",
            grid((THU, AFTERNOON), *((d, p) for d in (SAT, SUN) for p in range(3))),
        ),
        ("Mon and Wed evenings", grid((MON, EVENING), (WED, EVENING))),
        ("Any time", ALL_WEEK),
        ("", 0),
        ("To be agreed", 0),
    ],
)
def test_a_when_text_becomes_the_week_grid_it_describes(text, expected):
    assert week_grid(text) == expected
