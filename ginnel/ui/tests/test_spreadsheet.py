"""The one rule for CSV cells a spreadsheet might run (OWASP's CSV injection advice)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ginnel.ui.spreadsheet import csv_safe, writer

STARTS = ["=", "+", "-", "@", "\t", "\r"]


@pytest.mark.parametrize("start", STARTS)
def test_text_starting_like_a_formula_gets_an_apostrophe(start):
    assert csv_safe(f'{start}HYPERLINK("x")') == f'\'{start}HYPERLINK("x")'


@pytest.mark.parametrize("number", [0, -5, 2.5, Decimal("-1.25"), True])
def test_numbers_stay_numbers(number):
    assert csv_safe(number) is number


@pytest.mark.parametrize("text", ["-0.250", "+2:30", "\u22121:15", "-60", "12", "Ashby", ""])
def test_text_that_is_only_a_number_or_ordinary_text_is_kept(text):
    assert csv_safe(text) == text


@pytest.mark.parametrize("text", ["-1+1|cmd", "+1 2", "-", "@"])
def test_a_sign_followed_by_anything_but_a_number_is_made_inert(text):
    assert csv_safe(text) == "'" + text


@given(st.text())
def test_no_cell_written_starts_a_formula_and_nothing_else_changes(text):
    out = io.StringIO()
    writer(out).writerow([text, 7])
    [cells] = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    cell = cells[0]
    assert cells[1] == "7"
    if cell.startswith(tuple(STARTS)):
        # Only a plain signed number or time may start with a sign.
        assert cell == text
        assert all(c.isdigit() or c in ".:" for c in cell[1:])
        assert cell[1:2].isdigit()
    else:
        assert cell in (text, "'" + text)
        assert (cell == "'" + text) == text.startswith(tuple(STARTS))
