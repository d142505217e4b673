"""What a feed holds once read: plain records per HSDS table, and the problems found.

A :class:`Record` is one object of one table in the directory's own terms: its
``values`` are keyed by the directory model's field names and already typed
(``str``, ``int``, ``float``, ``Decimal``, ``date``, ``time``, ``datetime``),
its ``refs`` name other records by the id they have *in the feed*. Readers
(``csvfeed``, ``jsonfeed``) turn files into records; :mod:`.checks` resolves
the references; the directory's import service writes them.

Nothing here imports Django: it can be tested and run alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Kind(Enum):
    TEXT = "text"
    INT = "integer"
    FLOAT = "number"
    DECIMAL = "decimal"
    DATE = "date"
    DATETIME = "date-time"
    TIME = "time"


class Link(Enum):
    """How a reference must resolve.

    - ``REQUIRED``: must be given and name a record of the feed (or the directory);
    - ``PARENT``: may be blank, but when given it must resolve;
    - ``LOOSE``: may be blank; when it names nothing the link is dropped with a warning;
    - ``STAND_IN``: must be given; when it names nothing a stand-in is used with a warning
      (a service whose organisation the feed does not contain).
    """

    REQUIRED = "required"
    PARENT = "parent"
    LOOSE = "loose"
    STAND_IN = "stand-in"


@dataclass(frozen=True)
class Column:
    """A field of a table: the model field, its type, the column names it is read from."""

    field: str
    kind: Kind = Kind.TEXT
    names: tuple[str, ...] = ()
    required: bool = False

    @property
    def column(self) -> str:
        """The HSDS 3.0 column name (what we write)."""
        return self.names[0] if self.names else self.field

    @property
    def sources(self) -> tuple[str, ...]:
        return self.names or (self.field,)


@dataclass(frozen=True)
class Ref:
    """A reference to another table: ``field`` is the model's foreign key, ``column`` the CSV's."""

    field: str
    table: str
    column: str
    link: Link


@dataclass(frozen=True)
class TableSpec:
    table: str
    files: tuple[str, ...]  # CSV file names, the HSDS 3.0 (ORUK datapackage) one first
    columns: tuple[Column, ...]
    refs: tuple[Ref, ...] = ()


def _c(fld: str, kind: Kind = Kind.TEXT, *names: str, required: bool = False) -> Column:
    return Column(fld, kind, tuple(names), required)


T, INT, F, D, DT, DTT, TM = (
    Kind.TEXT,
    Kind.INT,
    Kind.FLOAT,
    Kind.DECIMAL,
    Kind.DATE,
    Kind.DATETIME,
    Kind.TIME,
)

SPECS: dict[str, TableSpec] = {
    spec.table: spec
    for spec in (
        TableSpec(
            "taxonomy",
            ("taxonomies.csv", "taxonomy.csv"),
            (_c("name", required=True), _c("description"), _c("uri"), _c("version")),
        ),
        TableSpec(
            "taxonomy_term",
            ("taxonomy_terms.csv", "taxonomy_term.csv"),
            (
                _c("code", T, "term"),
                _c("name", required=True),
                _c("description"),
                _c("term_uri"),
            ),
            (
                Ref("taxonomy", "taxonomy", "taxonomy_id", Link.LOOSE),
                Ref("parent", "taxonomy_term", "parent_id", Link.LOOSE),
            ),
        ),
        TableSpec(
            "organization",
            ("organizations.csv", "organization.csv"),
            (
                _c("name", required=True),
                _c("alternate_name"),
                _c("description"),
                _c("email"),
                _c("website", T, "website", "url"),
                _c("logo"),
                _c("uri"),
                _c("last_modified", DTT),
            ),
            (Ref("parent_organization", "organization", "parent_organization_id", Link.LOOSE),),
        ),
        TableSpec(
            "service",
            ("services.csv", "service.csv"),
            (
                _c("name", required=True),
                _c("alternate_name"),
                _c("description"),
                _c("url"),
                _c("email"),
                _c("status"),
                _c("interpretation_services"),
                _c("application_process"),
                _c("fees_description", T, "fees", "fees_description"),
                _c("wait_time"),
                _c("accreditations"),
                _c("licenses"),
                _c("eligibility_description"),
                _c("minimum_age", INT),
                _c("maximum_age", INT),
                _c("assured_date", DT),
                _c("assurer_email"),
                _c("alert"),
                _c("last_modified", DTT),
            ),
            (Ref("organization", "organization", "organization_id", Link.STAND_IN),),
        ),
        TableSpec(
            "location",
            ("locations.csv", "location.csv"),
            (
                _c("location_type"),
                _c("url"),
                _c("name"),
                _c("alternate_name"),
                _c("description"),
                _c("transportation"),
                _c("latitude", F),
                _c("longitude", F),
                _c("external_identifier"),
                _c("external_identifier_type"),
            ),
            (Ref("organization", "organization", "organization_id", Link.LOOSE),),
        ),
        TableSpec(
            "address",
            ("address.csv", "addresses.csv"),
            (
                _c("attention"),
                _c("address_1", required=True),
                _c("address_2"),
                _c("city", required=True),
                _c("region"),
                _c("state_province"),
                _c("postal_code", required=True),
                _c("country"),
                _c("address_type"),
            ),
            (Ref("location", "location", "location_id", Link.REQUIRED),),
        ),
        TableSpec(
            "service_at_location",
            ("service_at_location.csv", "service_at_locations.csv"),
            (_c("description"),),
            (
                Ref("service", "service", "service_id", Link.REQUIRED),
                Ref("location", "location", "location_id", Link.REQUIRED),
            ),
        ),
        TableSpec(
            "contact",
            ("contacts.csv", "contact.csv"),
            (_c("name"), _c("title"), _c("department"), _c("email")),
            (
                Ref("organization", "organization", "organization_id", Link.PARENT),
                Ref("service", "service", "service_id", Link.PARENT),
                Ref(
                    "service_at_location",
                    "service_at_location",
                    "service_at_location_id",
                    Link.PARENT,
                ),
                Ref("location", "location", "location_id", Link.PARENT),
            ),
        ),
        TableSpec(
            "phone",
            ("phones.csv", "phone.csv"),
            (_c("number", required=True), _c("extension"), _c("type"), _c("description")),
            (
                Ref("location", "location", "location_id", Link.PARENT),
                Ref("service", "service", "service_id", Link.PARENT),
                Ref("organization", "organization", "organization_id", Link.PARENT),
                Ref("contact", "contact", "contact_id", Link.PARENT),
                Ref(
                    "service_at_location",
                    "service_at_location",
                    "service_at_location_id",
                    Link.PARENT,
                ),
            ),
        ),
        TableSpec(
            "schedule",
            ("schedule.csv", "schedules.csv"),
            (
                _c("valid_from", DT),
                _c("valid_to", DT),
                _c("dtstart", DT),
                _c("until", DT),
                _c("freq"),
                _c("interval", INT),
                _c("byday"),
                _c("bymonthday"),
                _c("opens_at", TM),
                _c("closes_at", TM),
                _c("description"),
                _c("schedule_link"),
                _c("attending_type"),
                _c("notes"),
            ),
            (
                Ref("service", "service", "service_id", Link.PARENT),
                Ref("location", "location", "location_id", Link.PARENT),
                Ref(
                    "service_at_location",
                    "service_at_location",
                    "service_at_location_id",
                    Link.PARENT,
                ),
            ),
        ),
        TableSpec(
            "cost_option",
            ("cost_options.csv", "cost_option.csv"),
            (
                _c("valid_from", DT),
                _c("valid_to", DT),
                _c("option"),
                _c("currency"),
                _c("amount", D),
                _c("amount_description"),
            ),
            (Ref("service", "service", "service_id", Link.REQUIRED),),
        ),
        TableSpec(
            "language",
            ("languages.csv", "language.csv"),
            (_c("name"), _c("code"), _c("note")),
            (
                Ref("service", "service", "service_id", Link.PARENT),
                Ref("location", "location", "location_id", Link.PARENT),
                Ref("phone", "phone", "phone_id", Link.PARENT),
            ),
        ),
        TableSpec(
            "service_area",
            ("service_areas.csv", "service_area.csv"),
            (
                _c("name", T, "name", "service_area"),
                _c("description"),
                _c("extent"),
                _c("extent_type"),
                _c("uri"),
            ),
            (Ref("service", "service", "service_id", Link.REQUIRED),),
        ),
        TableSpec(
            "attribute",
            ("attribute.csv", "attributes.csv"),
            (_c("link_type", required=True), _c("link_entity"), _c("value"), _c("label")),
            (Ref("taxonomy_term", "taxonomy_term", "taxonomy_term_id", Link.REQUIRED),),
        ),
    )
}

# The order tables are written in: every table after the tables it refers to.
TABLES: tuple[str, ...] = tuple(SPECS)

# Tables an attribute may link a term to (``link_type``).
LINKABLE = ("service", "organization", "location", "service_at_location", "event")


@dataclass(frozen=True)
class Problem:
    """Something wrong with a feed: in which file, where (a CSV row or a JSON path), which field.

    ``warning`` problems do not stop an import (the row is imported, with the fault worked
    around as the message says); the others do.
    """

    file: str
    where: str
    field: str
    message: str
    warning: bool = False

    def __str__(self) -> str:
        parts = [p for p in (self.file, self.where) if p]
        if self.field:
            parts.append(f"field {self.field}")
        return f"{', '.join(parts)}: {self.message}"


@dataclass
class Record:
    """One object of a table as the feed gives it; ``id`` is the feed's own id."""

    table: str
    id: str
    values: dict[str, Any]
    refs: dict[str, str] = field(default_factory=dict)
    file: str = ""
    where: str = ""
    # Attributes only: what the term is linked to (table, feed id).
    link: tuple[str, str] | None = None


@dataclass
class Feed:
    """Everything read from a path: the records by table and the problems found on the way."""

    format: str
    records: dict[str, list[Record]] = field(default_factory=lambda: {t: [] for t in TABLES})
    problems: list[Problem] = field(default_factory=list)
    _noted: set[tuple[str, str, str]] = field(default_factory=set, repr=False)

    def add(self, record: Record) -> None:
        self.records[record.table].append(record)

    def problem(
        self, file: str, where: str, fld: str, message: str, *, warning: bool = False
    ) -> None:
        """Note a problem (once per file, place and field: the first word on it stands)."""
        key = (file, where, fld)
        if fld and key in self._noted:
            return
        self._noted.add(key)
        self.problems.append(Problem(file, where, fld, message, warning))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.warning]

    def count(self, table: str) -> int:
        return len(self.records[table])
