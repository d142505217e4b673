"""Row ids from URLs and forms: only what an id can be, never an exception."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ginnel.ui.ids import is_id, parse_id


def test_plain_ids_are_read():
    assert parse_id("42") == 42
    assert is_id("007")


def test_what_looks_like_digits_but_is_no_id_is_refused():
    for raw in ["²", "١٢", "１２", "1_0", "-1", "1.0", "", " 1", "9" * 19]:
        assert parse_id(raw) is None, raw


@given(st.text(max_size=30))
def test_any_text_is_an_id_or_none_never_an_error(raw):
    found = parse_id(raw)
    assert found is None or (raw.isascii() and raw.isdigit() and int(raw) == found)
