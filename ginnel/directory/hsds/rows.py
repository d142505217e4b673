"""One row (a CSV line or a JSON object) to a :class:`Record`, with every problem of its fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ginnel.directory.hsds.records import Feed, Link, Record, TableSpec
from ginnel.directory.hsds.values import BadValue, check_choice, is_uuid, parse


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
