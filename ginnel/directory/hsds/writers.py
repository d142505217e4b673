"""Writing feeds from plain rows: an HSDS 3.0 CSV datapackage, and the ORUK v1 service list.

The ORUK 3.0 JSON objects themselves are made by ``ginnel.directory.oruk`` (shared
with the API); :func:`v1_service` turns one of them into the older ORUK v1 shape.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from ginnel.directory.hsds.records import SPECS, TABLES, Kind

_TYPES = {
    Kind.TEXT: "string",
    Kind.INT: "integer",
    Kind.FLOAT: "number",
    Kind.DECIMAL: "number",
    Kind.DATE: "date",
    Kind.DATETIME: "datetime",
    Kind.TIME: "time",
}
CODES_TO_DAYS = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}


def header(table: str) -> list[str]:
    """The HSDS 3.0 columns of ``table``, as :func:`write_package` writes them."""
    spec = SPECS[table]
    refs = [r.column for r in spec.refs]
    extra = ["link_id"] if table == "attribute" else []
    return ["id", *refs, *extra, *(c.column for c in spec.columns)]


def text(value: Any) -> str:
    """A value as a CSV cell: ISO dates and times, plain numbers, blank for none."""
    if value is None:
        return ""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value)


def write_package(
    folder: Path, tables: Mapping[str, Iterable[Mapping[str, Any]]], *, title: str = ""
) -> dict[str, int]:
    """Write one CSV per table (rows keyed by :func:`header`'s columns) and datapackage.json.

    Returns how many rows each file has.
    """
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    resources = []
    for table in TABLES:
        spec = SPECS[table]
        name = spec.files[0]
        columns = header(table)
        count = 0
        with (folder / name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for row in tables.get(table, ()):
                writer.writerow([text(row.get(column)) for column in columns])
                count += 1
        counts[table] = count
        kinds = {c.column: c.kind for c in spec.columns}
        resources.append(
            {
                "name": table,
                "path": name,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [
                        {"name": column, "type": _TYPES.get(kinds.get(column, Kind.TEXT), "string")}
                        for column in columns
                    ],
                    "primaryKey": "id",
                },
            }
        )
    package = {
        "name": "hsds-directory",
        "title": title or "A directory exported as an HSDS 3.0 datapackage",
        "profile": "tabular-data-package",
        "version": "3.0.0",
        "resources": resources,
    }
    (folder / "datapackage.json").write_text(json.dumps(package, indent=2), encoding="utf-8")
    return counts


def _pick(obj: Mapping[str, Any], *keys: str, **renamed: str) -> dict[str, Any]:
    out = {k: obj[k] for k in keys if k in obj}
    out.update({new: obj[old] for new, old in renamed.items() if old in obj})
    return out


def _schedule(item: Mapping[str, Any]) -> dict[str, Any]:
    out = _pick(
        item,
        "id",
        "opens_at",
        "closes_at",
        "valid_from",
        "valid_to",
        "dtstart",
        "freq",
        "interval",
        "byday",
        "bymonthday",
        "description",
    )
    byday = str(item.get("byday", ""))
    if byday in CODES_TO_DAYS:
        out["weekday"] = CODES_TO_DAYS[byday]
    return out


def _phones(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [_pick(p, "id", "number") for p in items]


def v1_service(service: Mapping[str, Any]) -> dict[str, Any]:
    """An ORUK 3.0 full service object in the ORUK v1 shape (leaving out what v1 lacks)."""
    out = _pick(
        service,
        "id",
        "name",
        "description",
        "url",
        "email",
        "status",
        "fees",
        "accreditations",
        "assured_date",
    )
    org = service.get("organization") or {}
    out["organization"] = _pick(
        org, "id", "name", "description", "email", "logo", "uri", url="website"
    )
    eligibility = _pick(
        service, "minimum_age", "maximum_age", eligibility="eligibility_description"
    )
    out["eligibilitys"] = (
        [{"id": f"{service['id']}-eligibility", **eligibility}] if eligibility else []
    )
    out["contacts"] = [
        {**_pick(c, "id", "name", "title"), "phones": _phones(c.get("phones", []))}
        for c in service.get("contacts", [])
    ]
    out["cost_options"] = [
        _pick(c, "id", "option", "amount", "amount_description", "valid_from", "valid_to")
        for c in service.get("cost_options", [])
    ]
    out["regular_schedules"] = [_schedule(s) for s in service.get("schedules", [])]
    out["service_areas"] = [
        _pick(a, "id", "extent", "uri", service_area="name")
        for a in service.get("service_areas", [])
    ]
    out["languages"] = [_pick(la, "id", language="name") for la in service.get("languages", [])]
    locations = []
    for sal in service.get("service_at_locations", []):
        loc = sal.get("location") or {}
        locations.append(
            {
                "id": sal["id"],
                "location": {
                    **_pick(loc, "id", "name", "description", "latitude", "longitude"),
                    "physical_addresses": [
                        _pick(
                            a, "id", "address_1", "city", "state_province", "postal_code", "country"
                        )
                        for a in loc.get("addresses", [])
                    ],
                },
                "regular_schedules": [_schedule(s) for s in sal.get("schedules", [])],
            }
        )
    out["service_at_locations"] = locations
    taxonomys = []
    for attribute in service.get("attributes", []):
        term = attribute.get("taxonomy_term")
        if not term:
            continue
        taxonomys.append(
            {
                "id": attribute["id"],
                "taxonomy": {
                    **_pick(term, "id", "name", vocabulary="taxonomy", parent="parent_id"),
                },
            }
        )
    out["service_taxonomys"] = taxonomys
    return out


def v1_page(services: list[dict[str, Any]]) -> dict[str, Any]:
    """The ORUK v1 ``/services`` answer holding every service."""
    return {
        "totalElements": len(services),
        "totalPages": 1,
        "number": 0,
        "size": len(services),
        "first": True,
        "last": True,
        "content": services,
    }
