"""One row (a CSV line or a JSON object) to a :class:`Record`, with every problem of its fields."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ginnel.directory.hsds.records import Feed, Kind, Link, Record, TableSpec
from ginnel.directory.hsds.values import (
    BadValue,
    check_choice,
    is_uuid,
    parse,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_float,
    parse_int,
    parse_time,
)


def ref_text(raw: Any) -> str:
    """An id as text ("" when blank): ids may be numbers in JSON."""
    if raw is None or isinstance(raw, bool | dict | list):
        return ""
    return str(raw).strip()


def record_from(
    feed: Feed,
    spec: TableSpec,
    row: Mapping[str, Any],
    *,
    file: str,
    where: str,
    fallback_id: str = "",
    uuids: bool = False,
    skip_refs: tuple[str, ...] = (),
) -> Record | None:
    """The record of ``row`` (None when it is left out); problems go to ``feed``.

    ``uuids``: the format says ids are UUIDs (HSDS 3.0); ``skip_refs``: references the
    caller fills itself (a nested JSON object's parent).
    """
    record_id = ref_text(row.get("id"))
    if not record_id:
        if not fallback_id:
            feed.problem(file, where, "id", "is required")
            return None
        record_id = fallback_id
    elif uuids and not is_uuid(record_id):
        feed.problem(file, where, "id", f"{record_id!r} is not a UUID")
    if spec.table == "phone" and not ref_text(row.get("number")):
        # Seen in real feeds: a phone row with no number carries nothing to keep.
        feed.problem(file, where, "number", "no number: the row is left out", warning=True)
        return None
    values: dict[str, Any] = {}
    for column in spec.columns:
        present = [name for name in column.sources if name in row]
        raw = row[present[0]] if present else None
        for name in present[1:]:
            if raw in (None, "") and row[name] not in (None, ""):
                raw = row[name]
        shown = present[0] if present else column.column
        try:
            value = parse(column.kind, raw)
        except BadValue as error:
            feed.problem(file, where, shown, str(error))
            continue
        if column.required and value in (None, ""):
            feed.problem(file, where, shown, "is required")
            continue
        wrong = check_choice(column.field, value)
        if wrong:
            feed.problem(file, where, shown, wrong)
            continue
        if value is not None:
            values[column.field] = value
    refs: dict[str, str] = {}
    for ref in spec.refs:
        if ref.field in skip_refs:
            continue
        target = ref_text(row.get(ref.column))
        if not target:
            if ref.link in (Link.REQUIRED, Link.STAND_IN):
                feed.problem(file, where, ref.column, "is required")
            continue
        if uuids and not is_uuid(target) and ref.link is not Link.LOOSE:
            feed.problem(file, where, ref.column, f"{target!r} is not a UUID")
            continue
        refs[ref.field] = target
    # A row with a bad field is still kept, so that rows naming it are not reported too.
    return Record(spec.table, record_id, values, refs, file, where)


_CHOICE_FIELDS = frozenset({"status", "location_type", "address_type", "freq", "byday"})
_PARSERS: dict[Kind, Callable[[Any], Any]] = {
    Kind.INT: parse_int,
    Kind.FLOAT: parse_float,
    Kind.DECIMAL: parse_decimal,
    Kind.DATE: parse_date,
    Kind.DATETIME: parse_datetime,
    Kind.TIME: parse_time,
}


class CellReader:
    """:func:`record_from` for CSV rows of one file given as lists of cells, header read once.

    The same records and the same problems, without a dict per row or a search of the
    header per cell (what makes a 400,000-row feed quick to read). ``uuids`` as for
    :func:`record_from`; the header must have an ``id`` column.
    """

    def __init__(self, spec: TableSpec, header: list[str], *, uuids: bool) -> None:
        self.spec = spec
        self.uuids = uuids
        index: dict[str, int] = {}
        for position, name in enumerate(header):
            index[name.strip()] = position  # a repeated name: the last one, as DictReader
        self.index = index
        self.width = len(header)
        self.id_at = index["id"]
        self.phone = spec.table == "phone"
        # field, parser (None for text), cell positions of its names, name shown, required,
        # checked against a list of choices
        self.columns = []
        for column in spec.columns:
            present = [index[name] for name in column.sources if name in index]
            shown = next((n for n in column.sources if n in index), column.column)
            self.columns.append(
                (
                    column.field,
                    _PARSERS.get(column.kind),
                    present,
                    shown,
                    column.required,
                    column.field in _CHOICE_FIELDS,
                )
            )
        self.refs = [(ref.field, index.get(ref.column), ref.column, ref.link) for ref in spec.refs]

    def cell(self, cells: list[str], name: str) -> str:
        """A cell by column name, "" when the column is absent."""
        at = self.index.get(name)
        return cells[at] if at is not None else ""

    def pad(self, cells: list[str]) -> list[str]:
        """The row as wide as the header (a short row's missing cells are blank)."""
        if len(cells) < self.width:
            return cells + [""] * (self.width - len(cells))
        return cells

    def record(self, feed: Feed, cells: list[str], *, file: str, where: str) -> Record | None:
        record_id = cells[self.id_at].strip()
        if not record_id:
            feed.problem(file, where, "id", "is required")
            return None
        if self.uuids and not is_uuid(record_id):
            feed.problem(file, where, "id", f"{record_id!r} is not a UUID")
        if self.phone and not self.cell(cells, "number").strip():
            feed.problem(file, where, "number", "no number: the row is left out", warning=True)
            return None
        values: dict[str, Any] = {}
        for fld, parser, present, shown, required, choice in self.columns:
            if present:
                raw = cells[present[0]]
                for at in present[1:]:
                    if raw == "" and cells[at] != "":
                        raw = cells[at]
            else:
                raw = ""
            value: Any
            if parser is None:
                value = raw.strip()
                if not value:
                    if required:
                        feed.problem(file, where, shown, "is required")
                        continue
                    values[fld] = ""
                    continue
            else:
                if not raw.strip():
                    if required:
                        feed.problem(file, where, shown, "is required")
                    continue
                try:
                    value = parser(raw)
                except BadValue as error:
                    feed.problem(file, where, shown, str(error))
                    continue
            if choice:
                wrong = check_choice(fld, value)
                if wrong:
                    feed.problem(file, where, shown, wrong)
                    continue
            values[fld] = value
        refs: dict[str, str] = {}
        for fld, ref_at, column, link in self.refs:
            target = cells[ref_at].strip() if ref_at is not None else ""
            if not target:
                if link is Link.REQUIRED or link is Link.STAND_IN:
                    feed.problem(file, where, column, "is required")
                continue
            if self.uuids and link is not Link.LOOSE and not is_uuid(target):
                feed.problem(file, where, column, f"{target!r} is not a UUID")
                continue
            refs[fld] = target
        return Record(self.spec.table, record_id, values, refs, file, where)
