"""The shared page-number parser: odd, huge or foreign numbers never reach a query."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ginnel.ui.paging import MAX_PAGE, BadPageNumber, page_number, strict_page_number

HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, 1),
        ("", 1),
        ("3", 3),
        (" 7 ", 7),
        ("0", 1),
        ("-2", 1),
        ("x", 1),
        ("1_0", 1),
        ("１２", 1),
        ("1e3", 1),
        ("2.0", 1),
        (HUGE, MAX_PAGE),
        (str(MAX_PAGE + 1), MAX_PAGE),
    ],
)
def test_a_page_reads_any_page_number_without_failing(raw, expected):
    assert page_number(raw) == expected


@pytest.mark.parametrize("raw", ["0", "-2", "x", "1_0", "１２", "1e3", "nan", HUGE])
def test_an_api_refuses_what_is_not_a_page_number(raw):
    with pytest.raises(BadPageNumber):
        strict_page_number(raw)


def test_an_api_reads_a_plain_page_number_and_the_default_when_absent():
    assert strict_page_number("4") == 4
    assert strict_page_number(None, default=2) == 2
    assert strict_page_number(str(MAX_PAGE)) == MAX_PAGE


@given(st.one_of(st.none(), st.text(max_size=40), st.integers().map(str)))
def test_any_text_is_a_page_in_range(raw):
    assert 1 <= page_number(raw) <= MAX_PAGE
