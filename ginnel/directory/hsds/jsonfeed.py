"""JSON feeds: Open Referral UK 3.0 (HSDS 3.0) and the older ORUK v1 service list.

- **ORUK 3.0**: the ``/services`` answer (a ``Page`` whose ``contents`` are
  services), one full service object, or a list of them. Each service is checked
  against the compiled ORUK schema; nested objects (organisation, locations,
  schedules, taxonomy terms…) become records of their own tables.
- **ORUK v1**: what many UK council feeds still serve, ``{"totalElements": …,
  "content": [service, …]}`` with ``regular_schedules``, ``eligibilitys``,
  ``service_taxonomys`` (term with its ``vocabulary``), ``service_at_locations``
  (location with ``physical_addresses``)…

Problems name the file and the JSON path of the object (``contents[3].schedules[0]``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ginnel.directory import schemas
from ginnel.directory.hsds.records import SPECS, Feed, Record
from ginnel.directory.hsds.rows import record_from, ref_text
from ginnel.directory.hsds.values import BadValue, day_code, parse_int

ORUK_30 = "oruk-json-3.0"
_REQUIRED = re.compile(r"^'([^']+)' is a required property$")
ORUK_V1 = "oruk-json-v1"

# Keys only an ORUK v1 service has.
_V1_KEYS = {
    "regular_schedules",
    "service_taxonomys",
    "eligibilitys",
    "deliverable_type",
    "attending_type",
    "attending_access",
    "holiday_schedules",
    "fundings",
}


def detect(data: Any) -> str | None:
    """``oruk-json-3.0``, ``oruk-json-v1`` or None (not a service feed we read)."""
    services = services_of(data)
    if services is None:
        return None
    if isinstance(data, dict) and ("content" in data or "totalElements" in data):
        return ORUK_V1
    for service in services[:20]:
        if isinstance(service, dict) and _V1_KEYS & set(service):
            return ORUK_V1
    return ORUK_30


def services_of(data: Any) -> list[Any] | None:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in ("contents", "content"):
            if isinstance(data.get(key), list):
                return list(data[key])
        if "id" in data and {"name", "status", "organization", "description"} & set(data):
            return [data]
    return None


def read_file(path: Path) -> Feed:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as error:
        feed = Feed("json")
        feed.problem(path.name, "", "", f"is not JSON: {error}")
        return feed
    except RecursionError:  # json.loads recurses once per "[" or "{"
        data = None
    if data is None or _too_deep(data):
        feed = Feed("json")
        feed.problem(path.name, "", "", f"is nested more than {MAX_DEPTH} levels deep")
        return feed
    return read_data(data, file=path.name)


# A service with its locations, schedules and contacts is a dozen levels deep; a feed
# nested far deeper is broken or hostile, and reading it recursively would fail.
MAX_DEPTH = 64


def _too_deep(data: Any) -> bool:
    """Whether ``data`` nests lists and objects more than MAX_DEPTH deep (no recursion)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values() if isinstance(v, dict | list))
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value if isinstance(v, dict | list))
    return False


def read_data(data: Any, *, file: str) -> Feed:
    version = detect(data)
    if version is None:
        feed = Feed("json")
        feed.problem(file, "", "", "is neither an ORUK 3.0 nor an ORUK v1 service feed")
        return feed
    reader = _Reader(Feed(version), file)
    services = services_of(data) or []
    prefix = "" if isinstance(data, list) else ("content" if "content" in data else "contents")
    if isinstance(data, dict) and prefix not in data:
        prefix = ""
    if version == ORUK_30:
        reader.validate(data, prefix)
    for index, service in enumerate(services):
        where = f"{prefix}[{index}]" if (prefix or isinstance(data, list)) else ""
        if not isinstance(service, dict):
            reader.feed.problem(file, where, "", "is not an object")
        elif version == ORUK_30:
            reader.service_30(service, where)
        else:
            reader.service_v1(service, where)
    return reader.feed


def _at(where: str, key: str, index: int | None = None) -> str:
    path = f"{where}.{key}" if where else key
    return path if index is None else f"{path}[{index}]"


class _Reader:
    def __init__(self, feed: Feed, file: str) -> None:
        self.feed = feed
        self.file = file
        self.seen: set[tuple[str, str]] = set()
        self.counter: dict[tuple[str, str, str], int] = {}

    # -- shared ---------------------------------------------------------------------

    def validate(self, data: Any, prefix: str) -> None:
        if isinstance(data, dict) and prefix == "contents":
            problems = schemas.validate_response("/services", data)
        elif isinstance(data, list):
            problems = [
                schemas.SchemaProblem(
                    f"[{i}]" + (f".{p.path}" if p.path and p.path[0] != "[" else p.path), p.message
                )
                for i, item in enumerate(data)
                for p in schemas.validate("compiled/service.json", item)
            ]
        else:
            problems = schemas.validate("compiled/service.json", data)
        for problem in problems:
            required = _REQUIRED.match(problem.message)
            if required:
                path = f"{problem.path}.{required[1]}" if problem.path else required[1]
                problem = schemas.SchemaProblem(path, "is required")
            where, _, last = problem.path.rpartition(".")
            if last.endswith("]") or (not where and "[" in last):
                where, last = problem.path, ""
            self.feed.problem(self.file, where, last, problem.message)

    def add(
        self,
        table: str,
        obj: Mapping[str, Any],
        where: str,
        *,
        parent: tuple[str, str] | None = None,
        refs: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Record | None:
        """A record of ``table`` from ``obj`` (nested under ``parent``), once per id."""
        fallback = ""
        if parent is not None:
            key = (table, *parent)
            self.counter[key] = self.counter.get(key, 0) + 1
            fallback = f"{parent[0]}/{parent[1]}/{table}/{self.counter[key]}"
        row = {**obj, **(extra or {})}
        record = record_from(
            self.feed,
            SPECS[table],
            row,
            file=self.file,
            where=where,
            fallback_id=fallback,
            skip_refs=tuple(refs or ()),
        )
        if record is None:
            return None
        record.refs.update(refs or {})
        key2 = (table, record.id)
        if key2 in self.seen and table != "service":
            return record
        self.seen.add(key2)
        self.feed.add(record)
        return record

    def each(
        self, obj: Mapping[str, Any], key: str, where: str
    ) -> list[tuple[dict[str, Any], str]]:
        items = obj.get(key)
        if items is None:
            return []
        if not isinstance(items, list):
            self.feed.problem(self.file, where, key, "is not a list")
            return []
        out = []
        for index, item in enumerate(items):
            if isinstance(item, dict):
                out.append((item, _at(where, key, index)))
            else:
                self.feed.problem(self.file, _at(where, key, index), "", "is not an object")
        return out

    def organization(self, obj: Any, where: str) -> str:
        if not isinstance(obj, dict):
            return ""
        org = self.add("organization", obj, where)
        return org.id if org else ""

    def term(self, obj: Mapping[str, Any], where: str, *, vocabulary: str = "") -> str:
        """A taxonomy term (and its taxonomy, given by id, as an object, or by name)."""
        refs: dict[str, str] = {}
        taxonomy = obj.get("taxonomy_detail") or obj.get("taxonomy")
        if isinstance(taxonomy, dict):
            tax = self.add("taxonomy", taxonomy, _at(where, "taxonomy"))
            if tax:
                refs["taxonomy"] = tax.id
        elif ref_text(obj.get("taxonomy_id")):
            refs["taxonomy"] = ref_text(obj.get("taxonomy_id"))
            if isinstance(taxonomy, str) and taxonomy.strip():
                # The term names its taxonomy by id and by name: that is the taxonomy.
                self.add("taxonomy", {"id": refs["taxonomy"], "name": taxonomy}, where)
        name = vocabulary or (taxonomy if isinstance(taxonomy, str) else "")
        if "taxonomy" not in refs and name:
            tax = self.add("taxonomy", {"id": f"name:{name}", "name": name}, where)
            if tax:
                refs["taxonomy"] = tax.id
        parent = obj.get("parent_id", obj.get("parent"))
        if isinstance(parent, dict):
            parent = self.term(parent, _at(where, "parent"), vocabulary=vocabulary)
        if ref_text(parent):
            refs["parent"] = ref_text(parent)
        extra = {"term": obj["code"]} if "code" in obj else None
        record = self.add("taxonomy_term", obj, where, refs=refs, extra=extra)
        return record.id if record else ""

    def attribute(
        self,
        term_id: str,
        link: tuple[str, str],
        obj: Mapping[str, Any],
        where: str,
        parent: tuple[str, str],
    ) -> None:
        if not term_id:
            return
        record = self.add(
            "attribute",
            obj,
            where,
            parent=parent,
            refs={"taxonomy_term": term_id},
            extra={"link_type": link[0], "link_entity": link[0]},
        )
        if record is not None:
            record.link = link

    # -- ORUK 3.0 -------------------------------------------------------------------

    def service_30(self, obj: dict[str, Any], where: str) -> None:
        refs = {}
        org = self.organization(obj.get("organization"), _at(where, "organization"))
        if org or ref_text(obj.get("organization_id")):
            refs["organization"] = org or ref_text(obj.get("organization_id"))
        service = self.add("service", obj, where, refs=refs)
        if service is None:
            return
        sid = service.id
        here = ("service", sid)
        for item, at in self.each(obj, "schedules", where):
            self.add("schedule", item, at, parent=here, refs={"service": sid})
        for item, at in self.each(obj, "service_areas", where):
            self.add("service_area", item, at, parent=here, refs={"service": sid})
        for item, at in self.each(obj, "languages", where):
            self.add("language", item, at, parent=here, refs={"service": sid})
        for item, at in self.each(obj, "cost_options", where):
            self.add("cost_option", item, at, parent=here, refs={"service": sid})
        for item, at in self.each(obj, "phones", where):
            self.phone(item, at, here, {"service": sid})
        for item, at in self.each(obj, "contacts", where):
            self.contact(item, at, here, {"service": sid})
        for item, at in self.each(obj, "attributes", where):
            self.attribute_30(item, at, here)
        for item, at in self.each(obj, "service_at_locations", where):
            self.service_at_location(item, at, sid)

    def attribute_30(self, item: dict[str, Any], at: str, link: tuple[str, str]) -> None:
        term = item.get("taxonomy_term")
        term_id = (
            self.term(term, _at(at, "taxonomy_term"))
            if isinstance(term, dict)
            else ref_text(item.get("taxonomy_term_id"))
        )
        self.attribute(term_id, link, item, at, link)

    def phone(
        self, item: dict[str, Any], at: str, parent: tuple[str, str], refs: dict[str, str]
    ) -> None:
        phone = self.add("phone", item, at, parent=parent, refs=refs)
        if phone is not None:
            for lang, lat in self.each(item, "languages", at):
                self.add(
                    "language", lang, lat, parent=("phone", phone.id), refs={"phone": phone.id}
                )

    def contact(
        self, item: dict[str, Any], at: str, parent: tuple[str, str], refs: dict[str, str]
    ) -> None:
        contact = self.add("contact", item, at, parent=parent, refs=refs)
        if contact is not None:
            for phone, pat in self.each(item, "phones", at):
                self.phone(phone, pat, ("contact", contact.id), {"contact": contact.id})

    def service_at_location(self, item: dict[str, Any], at: str, sid: str) -> None:
        location = item.get("location")
        lid = ref_text(item.get("location_id"))
        if isinstance(location, dict):
            lid = self.location(location, _at(at, "location")) or lid
        refs = {"service": sid}
        if lid:
            refs["location"] = lid
        else:
            self.feed.problem(self.file, at, "location", "is required")
            return
        sal = self.add("service_at_location", item, at, parent=("service", sid), refs=refs)
        if sal is None:
            return
        here = ("service_at_location", sal.id)
        for sched, sat in self.each(item, "schedules", at):
            self.add("schedule", sched, sat, parent=here, refs={"service_at_location": sal.id})
        for phone, pat in self.each(item, "phones", at):
            self.phone(phone, pat, here, {"service_at_location": sal.id})
        for contact, cat in self.each(item, "contacts", at):
            self.contact(contact, cat, here, {"service_at_location": sal.id})

    def location(self, obj: dict[str, Any], where: str) -> str:
        v1 = "physical_addresses" in obj
        extra = {"location_type": obj.get("location_type") or "physical"}
        location = self.add("location", obj, where, extra=extra, refs={})
        if location is None:
            return ""
        lid = location.id
        here = ("location", lid)
        for key in ("addresses", "physical_addresses", "postal_addresses"):
            for addr, aat in self.each(obj, key, where):
                kind = (
                    "postal"
                    if key == "postal_addresses"
                    else addr.get("address_type") or "physical"
                )
                self.add(
                    "address",
                    addr,
                    aat,
                    parent=here,
                    refs={"location": lid},
                    extra={"address_type": kind},
                )
        for phone, pat in self.each(obj, "phones", where):
            self.phone(phone, pat, here, {"location": lid})
        for lang, lat in self.each(obj, "languages", where):
            self.add(
                "language",
                self._v1_language(lang) if v1 else lang,
                lat,
                parent=here,
                refs={"location": lid},
            )
        for sched, sat in self.each(obj, "schedules", where):
            self.add("schedule", sched, sat, parent=here, refs={"location": lid})
        for item, at in self.each(obj, "attributes", where):
            self.attribute_30(item, at, here)
        return lid

    # -- ORUK v1 --------------------------------------------------------------------

    @staticmethod
    def _v1_language(obj: dict[str, Any]) -> dict[str, Any]:
        return {**obj, "name": obj.get("language", obj.get("name", ""))}

    def service_v1(self, obj: dict[str, Any], where: str) -> None:
        refs = {}
        org = obj.get("organization")
        if isinstance(org, dict):
            org = {**org, "website": org.get("url", org.get("website", ""))}
            org_id = self.organization(org, _at(where, "organization"))
            if org_id:
                refs["organization"] = org_id
        extra = self._v1_eligibility(obj, where)
        service = self.add("service", obj, where, refs=refs, extra=extra)
        if service is None:
            return
        sid = service.id
        here = ("service", sid)
        for item, at in self.each(obj, "regular_schedules", where):
            self.schedule_v1(item, at, here, {"service": sid})
        for item, at in self.each(obj, "service_areas", where):
            self.add("service_area", item, at, parent=here, refs={"service": sid})
        for item, at in self.each(obj, "languages", where):
            self.add("language", self._v1_language(item), at, parent=here, refs={"service": sid})
        for item, at in self.each(obj, "cost_options", where):
            self.add("cost_option", item, at, parent=here, refs={"service": sid})
        for item, at in self.each(obj, "contacts", where):
            self.contact(item, at, here, {"service": sid})
        for item, at in self.each(obj, "service_taxonomys", where):
            term = item.get("taxonomy")
            if not isinstance(term, dict):
                self.feed.problem(self.file, at, "taxonomy", "is required")
                continue
            vocabulary = str(term.get("vocabulary") or "")
            term_id = self.term(
                {k: v for k, v in term.items() if k != "vocabulary"},
                _at(at, "taxonomy"),
                vocabulary=vocabulary,
            )
            self.attribute(term_id, here, item, at, here)
        for item, at in self.each(obj, "service_at_locations", where):
            location = item.get("location")
            if not isinstance(location, dict):
                self.feed.problem(self.file, at, "location", "is required")
                continue
            lid = self.location(location, _at(at, "location"))
            if not lid:
                continue
            sal = self.add(
                "service_at_location", item, at, parent=here, refs={"service": sid, "location": lid}
            )
            if sal is None:
                continue
            for sched, sat in self.each(item, "regular_schedules", at):
                self.schedule_v1(
                    sched, sat, ("service_at_location", sal.id), {"service_at_location": sal.id}
                )

    def _v1_eligibility(self, obj: dict[str, Any], where: str) -> dict[str, Any]:
        texts: list[str] = []
        mins: list[int] = []
        maxes: list[int] = []
        for item, at in self.each(obj, "eligibilitys", where):
            if item.get("eligibility"):
                texts.append(str(item["eligibility"]).strip())
            for key, into in (("minimum_age", mins), ("maximum_age", maxes)):
                if item.get(key) not in (None, ""):
                    try:
                        into.append(parse_int(item[key]))
                    except BadValue as error:
                        self.feed.problem(self.file, at, key, str(error))
        extra: dict[str, Any] = {}
        if texts:
            extra["eligibility_description"] = "; ".join(texts)
        if mins:
            extra["minimum_age"] = min(mins)
        if maxes:
            extra["maximum_age"] = max(maxes)
        if "fees" in obj and obj.get("fees") is not None:
            extra["fees"] = obj["fees"]
        return extra

    def schedule_v1(
        self, item: dict[str, Any], at: str, parent: tuple[str, str], refs: dict[str, str]
    ) -> None:
        extra: dict[str, Any] = {}
        freq = str(item.get("freq") or "").strip().upper()
        byday = str(item.get("byday") or "").strip().upper()
        weekday = item.get("weekday")
        if weekday not in (None, "") and not byday:
            try:
                byday = day_code(weekday)
            except BadValue as error:
                self.feed.problem(self.file, at, "weekday", str(error))
                return
        if byday and not freq:
            freq = "WEEKLY"
        extra["freq"], extra["byday"] = freq, byday
        self.add("schedule", item, at, parent=parent, refs=refs, extra=extra)
