"""Row ids read from a URL or a form, one way everywhere.

``str.isdigit()`` is true of ``²`` and ``١٢`` (which ``int()`` refuses or reads) and of
numbers too long for any id column, so ``raw.isdigit()`` then ``int(raw)`` can fail
with a 500 or an overflowing query. :func:`is_id` accepts only what an id can be:
ASCII digits, at most 18 of them (inside a 64-bit integer).
"""

from __future__ import annotations

import re

_ID = re.compile(r"[0-9]{1,18}", re.ASCII)


def is_id(raw: object) -> bool:
    """Whether ``raw`` (a string) reads as a row id."""
    return isinstance(raw, str) and _ID.fullmatch(raw) is not None


def parse_id(raw: object) -> int | None:
    """The id ``raw`` names, or None when it cannot be one."""
    return int(raw) if isinstance(raw, str) and is_id(raw) else None
