"""HSDS tabular datapackages (a folder of CSV files, with or without ``datapackage.json``).

Two column sets are read:

- **HSDS 3.0** (and its UK profile): one file per table, ids are UUIDs, schedules
  are iCal-like (``freq``, ``byday``…);
- **HSDS 1.1**: ids are whatever the publisher used; child rows (phones,
  schedules, service_at_location, eligibilities) may have no id; schedules give a
  ``weekday`` with ``opens_at``/``closes_at``; eligibility is a text per service.

The version is taken from ``datapackage.json`` when it says 3, otherwise from the
columns. Rows are numbered from 1, the first data row (a quoted field with line
breaks is still one row).
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from ginnel.directory.hsds.records import SPECS, Feed, Link, Record, TableSpec
from ginnel.directory.hsds.rows import CellReader, record_from
from ginnel.directory.hsds.values import BadValue, day_code

CSV_11 = "hsds-csv-1.1"
CSV_30 = "hsds-csv-3.0"

# A list of ids in one cell (HSDS 1.1 exports join several services with commas).
_LABEL_CHARS = (" ",)

# Parents, in order, that name an id-less child row in its fallback id.
_CHILD_PARENTS = ("service", "location", "organization", "contact", "service_at_location", "phone")


def _header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return next(csv.reader(handle), [])


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=1):
            yield number, {k.strip(): (v or "") for k, v in row.items() if k is not None}


def table_files(folder: Path) -> dict[str, Path]:
    """The CSV file of each table present in ``folder``."""
    found: dict[str, Path] = {}
    for table, spec in SPECS.items():
        for name in spec.files:
            if (folder / name).is_file():
                found[table] = folder / name
                break
    return found


def detect_version(folder: Path) -> str:
    """``hsds-csv-3.0`` or ``hsds-csv-1.1``, from datapackage.json or the columns."""
    package = folder / "datapackage.json"
    if package.is_file():
        try:
            version = str(json.loads(package.read_text(encoding="utf-8")).get("version", ""))
        except (ValueError, AttributeError):
            version = ""
        if version.startswith("3"):
            return CSV_30
    files = table_files(folder)
    headers = {table: set(_header(path)) for table, path in files.items()}
    if "weekday" in headers.get("schedule", set()) or "url" in headers.get("organization", set()):
        return CSV_11
    if (folder / "eligibilities.csv").is_file() or "organization_id" in headers.get(
        "location", set()
    ):
        return CSV_11
    return CSV_30


def _first_bad_line(path: Path) -> int | None:
    """The line of ``path`` where it stops being UTF-8 text, read a line at a time."""
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return None


def read_folder(folder: Path) -> Feed:
    """Every record of the datapackage in ``folder``, with the problems of its rows."""
    paths = [*table_files(folder).values(), folder / "eligibilities.csv"]
    broken = [(p, line) for p in paths if p.is_file() and (line := _first_bad_line(p))]
    if broken:  # a spreadsheet saved as "CSV" in Latin-1 or Windows-1252, say
        feed = Feed(CSV_30)
        for path, line in broken:
            feed.problem(
                path.name,
                f"line {line}",
                "",
                "is not UTF-8 text: save the file as “CSV UTF-8” and import it again",
            )
        return feed
    version = detect_version(folder)
    feed = Feed(version)
    legacy = version == CSV_11
    files = table_files(folder)
    if not files:
        feed.problem(folder.name, "", "", "no HSDS CSV files here (services.csv, …)")
        return feed
    ids_in: dict[str, set[str]] = {}
    if legacy and "service" in files:  # a 1.1 cell may list several services
        ids_in["service"] = {row.get("id", "").strip() for _, row in _rows(files["service"])}
    counters: dict[tuple[str, str, str], int] = defaultdict(int)
    for table, path in files.items():
        spec = SPECS[table]
        header = set(_header(path))
        missing = [
            c.sources[0] for c in spec.columns if c.required and not header & set(c.sources)
        ] + [
            r.column
            for r in spec.refs
            if r.link in (Link.REQUIRED, Link.STAND_IN) and r.column not in header
        ]
        if "id" not in header and not legacy:
            missing.insert(0, "id")
        if missing:
            for name in missing:
                feed.problem(path.name, "", name, "the column is missing")
            continue
        if not legacy:
            _read_cells(feed, spec, path)
            continue
        for number, row in _rows(path):
            where = f"row {number}"
            skip = legacy and table == "schedule" and "weekday" in row
            if skip and not _weekday(feed, path.name, where, row):
                continue
            rows = [row]
            if legacy and table == "service_at_location":
                rows = _split_services(feed, path.name, where, row, ids_in.get("service", set()))
            for one in rows:
                fallback = _fallback_id(spec.table, one, counters) if legacy else ""
                record = record_from(
                    feed,
                    spec,
                    one,
                    file=path.name,
                    where=where,
                    fallback_id=fallback,
                    uuids=not legacy,
                )
                if record is not None:
                    if table == "attribute":
                        record.link = (record.values.get("link_type", ""), one.get("link_id", ""))
                    feed.add(record)
    if legacy and (folder / "eligibilities.csv").is_file():
        _eligibilities(feed, folder / "eligibilities.csv", ids_in.get("service", set()))
    return feed


def _read_cells(feed: Feed, spec: TableSpec, path: Path) -> None:
    """The records of an HSDS 3.0 file, read as lists of cells (the large feeds are these)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        lines = csv.reader(handle)
        reader = CellReader(spec, next(lines, []), uuids=True)
        attribute = spec.table == "attribute"
        number = 0
        for cells in lines:
            if not cells:  # a blank line is not a row (as csv.DictReader has it)
                continue
            number += 1
            cells = reader.pad(cells)
            record = reader.record(feed, cells, file=path.name, where=f"row {number}")
            if record is not None:
                if attribute:
                    record.link = (
                        record.values.get("link_type", ""),
                        reader.cell(cells, "link_id"),
                    )
                feed.add(record)


def _fallback_id(table: str, row: dict[str, str], counters: dict[tuple[str, str, str], int]) -> str:
    """A stable id for an id-less 1.1 row: its parent and its place among the parent's rows."""
    if table == "service_at_location":
        return f"{row.get('service_id', '').strip()}@{row.get('location_id', '').strip()}"
    if table not in {
        "phone",
        "schedule",
        "contact",
        "address",
        "language",
        "cost_option",
        "service_area",
        "attribute",
    }:
        return ""
    for parent in _CHILD_PARENTS:
        value = row.get(f"{parent}_id", "").strip()
        if value:
            key = (table, parent, value)
            counters[key] += 1
            return f"{parent}/{value}/{table}/{counters[key]}"
    return ""


def _weekday(feed: Feed, file: str, where: str, row: dict[str, str]) -> bool:
    """Turn a 1.1 ``weekday`` row into a weekly schedule; False to skip it (a closed day)."""
    if not row.get("opens_at", "").strip() and not row.get("closes_at", "").strip():
        return False
    try:
        row["byday"] = day_code(row["weekday"])
    except BadValue as error:
        feed.problem(file, where, "weekday", str(error))
        return False
    row["freq"] = "WEEKLY"
    return True


def _id_list(
    feed: Feed, file: str, where: str, field: str, text: str, known: set[str]
) -> list[str]:
    """The ids in a 1.1 cell that may hold several, comma-separated."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) <= 1:
        return parts
    ids = []
    for part in parts:
        if part not in known and any(c in part for c in _LABEL_CHARS):
            feed.problem(file, where, field, f"{part!r} is not an id: left out", warning=True)
        else:
            ids.append(part)
    return ids


def _split_services(
    feed: Feed, file: str, where: str, row: dict[str, str], services: set[str]
) -> list[dict[str, str]]:
    ids = _id_list(feed, file, where, "service_id", row.get("service_id", ""), services)
    if not ids:
        feed.problem(
            file, where, "service_id", "no service given: the row is left out", warning=True
        )
        return []
    return [
        {**row, "service_id": sid, "id": row.get("id", "") if len(ids) == 1 else ""} for sid in ids
    ]


def _eligibilities(feed: Feed, path: Path, services: set[str]) -> None:
    """1.1 eligibility texts become the services' ``eligibility_description``."""
    texts: dict[str, list[str]] = defaultdict(list)
    wheres: dict[str, str] = {}
    for number, row in _rows(path):
        where = f"row {number}"
        text = row.get("eligibility", "").strip()
        ids = _id_list(feed, path.name, where, "service_id", row.get("service_id", ""), services)
        if not ids:
            if text:
                feed.problem(
                    path.name,
                    where,
                    "service_id",
                    "no service given: the eligibility is left out",
                    warning=True,
                )
            continue
        for sid in ids:
            if sid not in services:
                feed.problem(path.name, where, "service_id", f"no service with id {sid}")
            elif text and text not in texts[sid]:
                texts[sid].append(text)
                wheres[sid] = where
    by_id: dict[str, Record] = {r.id: r for r in feed.records["service"]}
    for sid, values in texts.items():
        record = by_id.get(sid)
        if record is not None and not record.values.get("eligibility_description"):
            record.values["eligibility_description"] = "; ".join(values)
