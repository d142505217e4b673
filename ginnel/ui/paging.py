"""Page numbers read from a URL, one way everywhere.

``?page=`` is typed by anyone. Python's ``int()`` reads ``1_0``, ``１２`` and numbers of
any size, and a page number of 10^23 becomes an OFFSET no database can hold (a 500).
Pages read it with :func:`page_number` (anything odd is the first page, anything past
:data:`MAX_PAGE` is :data:`MAX_PAGE`, so a paginator answers its last page); APIs read
it with :func:`strict_page_number`, which refuses what it cannot read so the caller
answers 400.
"""

from __future__ import annotations

import re

# Far more pages than any list holds, and (times any page size) far inside a 64-bit OFFSET.
MAX_PAGE = 100_000

_DIGITS = re.compile(r"[0-9]{1,30}", re.ASCII)


class BadPageNumber(ValueError):
    """A page number that is not a whole number from 1 to MAX_PAGE."""


def strict_page_number(raw: object, *, default: int = 1) -> int:
    """The page asked for (``default`` when absent); BadPageNumber when it is not one."""
    text = "" if raw is None else str(raw).strip()
    if not text:
        return default
    if not _DIGITS.fullmatch(text):
        raise BadPageNumber(text)
    number = int(text)
    if not 1 <= number <= MAX_PAGE:
        raise BadPageNumber(text)
    return number


def page_number(raw: object, *, default: int = 1) -> int:
    """The page asked for, never failing: unreadable → ``default``; too far → MAX_PAGE."""
    text = "" if raw is None else str(raw).strip()
    if not _DIGITS.fullmatch(text):
        return default
    return max(1, min(int(text), MAX_PAGE))
