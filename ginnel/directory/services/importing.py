"""Importing an Open Referral feed into a community's directory, all or nothing.

:func:`directory_import` reads the feed (``ginnel.directory.hsds``, no database),
checks it whole — every field, every reference, against what the feed and the
directory hold — and only then writes it in one transaction, in bulk. If there
is any error nothing is written and :class:`ImportFailed` lists every problem
with its file, row (or JSON path) and field. Warnings (a link to something the
feed does not contain, a row with nothing in it) do not stop the import unless
``strict`` is set; they come back in the result.

Objects are matched on the id they have in the feed (``source_id``, per table),
or on their ``uuid`` for entries that were made here and exported, so importing
the same feed again updates rather than duplicates. Ids that are not UUIDs are
published under a UUID derived from the community and the source id.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, models, transaction

from ginnel.communities.models import Community
from ginnel.directory import hsds, notifications
from ginnel.directory.hsds.checks import STAND_IN_ORGANIZATION, STAND_IN_TAXONOMY, check
from ginnel.directory.hsds.records import SPECS, TABLES, Feed, Problem, Record
from ginnel.directory.hsds.values import is_uuid
from ginnel.directory.models import (
    KINDS_TAXONOMY,
    Address,
    Attribute,
    Contact,
    CostOption,
    DirectoryAction,
    Event,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
    derived_uuid,
)
from ginnel.directory.services.derived import kinds_taxonomy_ensure, services_refresh
from ginnel.errors import GinnelError
from ginnel.people.models import Person
from ginnel.ui.urls_safe import ALLOWED_SCHEMES, safe_url

# The model of each table (typed loosely: the writer treats them all alike).
MODELS: dict[str, Any] = {
    "taxonomy": Taxonomy,
    "taxonomy_term": TaxonomyTerm,
    "organization": Organization,
    "service": Service,
    "location": Location,
    "address": Address,
    "service_at_location": ServiceAtLocation,
    "contact": Contact,
    "phone": Phone,
    "schedule": Schedule,
    "cost_option": CostOption,
    "language": Language,
    "service_area": ServiceArea,
    "attribute": Attribute,
    "event": Event,
}

INSERT_BATCH = 5000
# bulk_update writes one CASE per field over the batch: small batches keep it linear.
UPDATE_BATCH = 100
SQLITE_CACHE_KIB = 256 * 1024
CHUNK = 2000
STAND_IN_ORGANIZATION_ID = "ginnel:stand-in-organization"
STAND_IN_TAXONOMY_ID = "ginnel:stand-in-taxonomy"
# Blank in a feed means the model's default for these (an active service, a physical place).
_DEFAULT_WHEN_BLANK = {"status", "location_type", "address_type", "country", "currency"}
_COUNTRIES = {
    "united kingdom": "GB",
    "uk": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "great britain": "GB",
}

# Long text (a TextField: descriptions, notes) is cut to this many characters on import,
# with a warning; text with a column size is cut to it. A feed larger than
# GINNEL_IMPORT_MAX_BYTES (this by default) is refused before it is read.
MAX_TEXT_LENGTH = 10_000
DEFAULT_IMPORT_MAX_BYTES = 50 * 1024 * 1024

Progress = Callable[[str, int], None]


class ImportFailed(GinnelError):
    """The feed has problems; nothing was written. ``problems`` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        count = len(problems)
        super().__init__(
            f"The feed was not imported: {count} problem{'s' if count != 1 else ''} "
            "(nothing was changed)."
        )
        self.problems = problems


@dataclass
class ImportResult:
    format: str
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    service_ids: list[int] = field(default_factory=list)

    def summary(self) -> str:
        parts = [
            f"{table}: {self.created.get(table, 0)} new, {self.updated.get(table, 0)} updated"
            for table in TABLES
            if self.created.get(table) or self.updated.get(table)
        ]
        return "; ".join(parts) or "nothing"


def feed_read(*, path: Path) -> Feed:
    """The feed at ``path`` (a GinnelError naming the path when it is not one we read, or
    when it is larger than GINNEL_IMPORT_MAX_BYTES: checked before anything is read)."""
    _check_size(path)
    try:
        return hsds.read(path)
    except hsds.UnknownFormat as error:
        raise GinnelError(str(error), field="path") from None


def directory_import(
    *,
    community: Community,
    path: Path,
    actor: Person | None = None,
    strict: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import the feed at ``path`` into ``community``'s directory (all or nothing)."""
    try:
        feed = feed_read(path=path)
    except GinnelError as error:
        notifications.feed_failed(
            community=community, source=path.name, problems=0, message=error.message
        )
        raise
    return feed_import(
        community=community,
        feed=feed,
        actor=actor,
        strict=strict,
        progress=progress,
        source=path.name,
    )


def feed_import(
    *,
    community: Community,
    feed: Feed,
    actor: Person | None = None,
    strict: bool = False,
    progress: Progress | None = None,
    source: str = "",
) -> ImportResult:
    """Check ``feed`` whole against the directory, then write it in one transaction.

    If it fails, the directory's keepers are told (after the rollback, once a feed a day).
    """
    try:
        return _feed_import(
            community=community,
            feed=feed,
            actor=actor,
            strict=strict,
            progress=progress,
            source=source,
        )
    except ImportFailed as error:
        notifications.feed_failed(
            community=community,
            source=source or feed.format,
            problems=len(error.problems),
            message=error.message,
        )
        raise
    except Exception:
        # Broken rather than refused: still tell them, unless the database is what broke.
        with suppress(DatabaseError):
            notifications.feed_failed(
                community=community, source=source or feed.format, problems=0, message=""
            )
        raise


def _feed_import(
    *,
    community: Community,
    feed: Feed,
    actor: Person | None,
    strict: bool,
    progress: Progress | None,
    source: str,
) -> ImportResult:
    with _page_cache(), transaction.atomic():
        writer = _Writer(community, progress)
        check(feed, writer.known())
        _check_urls(feed)
        _check_lengths(feed)
        problems = feed.errors + (feed.warnings if strict else [])
        if problems:
            raise ImportFailed(problems)
        result = ImportResult(feed.format, warnings=feed.warnings)
        writer.write(feed, result)
        services_refresh(community=community, service_ids=result.service_ids)
        DirectoryAction.objects.create(
            community=community,
            actor=actor,
            verb="import",
            subject_type="feed",
            detail=f"{feed.format} {source}: {result.summary()}".strip()[:2000],
        )
    return result


@contextmanager
def _page_cache() -> Iterator[None]:
    """On SQLite, room in memory for the pages a large import changes (up to 256 MiB).

    SQLite keeps 2 MiB of pages by default: past that a transaction spills pages to the
    file and reads them back as its indexes grow, which made writing 400,000 rows twice
    as slow per row as writing 100,000. The memory is taken only as pages are used and
    the connection's own setting comes back afterwards.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {before}")


def _check_urls(feed: Feed) -> None:
    """Web addresses through the one rule (``ginnel.ui.urls_safe``): ``example.com`` is
    stored as ``https://example.com``; a ``javascript:`` address (any scheme but http,
    https, mailto and tel) is left out, with a warning naming the row and the field."""
    schemes = ", ".join(ALLOWED_SCHEMES)
    for table, records in feed.records.items():
        fields = {
            f.name for f in MODELS[table]._meta.get_fields() if isinstance(f, models.URLField)
        }
        if not fields:
            continue
        columns = {c.field: c.column for c in SPECS[table].columns}
        for record in records:
            for name in fields & record.values.keys():
                value = record.values[name]
                if not isinstance(value, str) or not value:
                    continue
                safe = safe_url(value)
                record.values[name] = safe or ""
                if safe is None:
                    feed.problem(
                        record.file,
                        record.where,
                        columns.get(name, name),
                        f"{value[:80]!r} is not a web address we link to (only {schemes}): "
                        "left out",
                        warning=True,
                    )


def _check_size(path: Path) -> None:
    """Refuse a feed larger than GINNEL_IMPORT_MAX_BYTES from its size on disk, unread
    (a folder counts the files in it)."""
    limit = int(getattr(settings, "GINNEL_IMPORT_MAX_BYTES", DEFAULT_IMPORT_MAX_BYTES))
    try:
        if path.is_file() and path.name == "datapackage.json":
            path = path.parent
        if path.is_dir():
            size = sum(f.stat().st_size for f in path.iterdir() if f.is_file())
        elif path.is_file():
            size = path.stat().st_size
        else:
            return  # not there: the reader says so
    except OSError:
        return
    if size > limit:
        raise GinnelError(
            f"{path.name} is too large to import: {_megabytes(size)} MB, and a feed may be "
            f"at most {_megabytes(limit)} MB (GINNEL_IMPORT_MAX_BYTES). Nothing was read or "
            "changed: split the feed, or raise the limit if the server has the memory.",
            field="path",
        )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f}"


def _check_lengths(feed: Feed) -> None:
    """Text longer than its column (or than MAX_TEXT_LENGTH, for long text) is cut to it,
    with a warning naming the row and the field; an id too long is an error."""
    for table, records in feed.records.items():
        model = MODELS[table]
        limits = {
            f.name: f.max_length
            for f in model._meta.get_fields()
            if isinstance(f, models.CharField) and f.max_length
        } | {
            f.name: MAX_TEXT_LENGTH
            for f in model._meta.get_fields()
            if isinstance(f, models.TextField)
        }
        columns = {c.field: c.column for c in SPECS[table].columns}
        for record in records:
            if len(record.id) > 200:
                feed.problem(record.file, record.where, "id", "is longer than 200 characters")
            for name, value in record.values.items():
                if name == "country" and isinstance(value, str):
                    value = record.values[name] = _COUNTRIES.get(value.lower(), value)
                limit = limits.get(name)
                if limit and isinstance(value, str) and len(value) > limit:
                    record.values[name] = value[:limit]
                    feed.problem(
                        record.file,
                        record.where,
                        columns.get(name, name),
                        f"is {len(value):,} characters long: cut to the first {limit:,}",
                        warning=True,
                    )


class _Writer:
    """Writes a checked feed table by table, in bulk, resolving feed ids to rows."""

    def __init__(self, community: Community, progress: Progress | None) -> None:
        self.community = community
        self.progress = progress
        # Per table: feed id (source id, or UUID text) -> (pk, uuid), for rows already stored.
        self.stored: dict[str, dict[str, tuple[int, uuid_module.UUID]]] = {}
        # Per table: feed id -> (pk, uuid) of rows written by this import.
        self.written: dict[str, dict[str, tuple[int, uuid_module.UUID]]] = {t: {} for t in MODELS}
        self.blank_source: dict[str, set[int]] = {}

    def known(self) -> dict[str, set[str]]:
        for table, model in MODELS.items():
            rows = model.objects.filter(community=self.community).values_list(
                "pk", "uuid", "source_id"
            )
            index: dict[str, tuple[int, uuid_module.UUID]] = {}
            blank: set[int] = set()
            for pk, uid, source_id in rows:
                index[str(uid)] = (pk, uid)
                if source_id:
                    index[source_id] = (pk, uid)
                else:
                    blank.add(pk)
            self.stored[table] = index
            self.blank_source[table] = blank
        return {table: set(index) for table, index in self.stored.items()}

    def find(self, table: str, feed_id: str) -> tuple[int, uuid_module.UUID] | None:
        stored = self.stored[table]
        return (
            self.written[table].get(feed_id) or stored.get(feed_id) or stored.get(feed_id.lower())
        )

    def write(self, feed: Feed, result: ImportResult) -> None:
        self._kinds(feed)
        for table in TABLES:
            records = feed.records[table]
            if records:
                self._table(table, records, result)
        result.service_ids = [pk for pk, _ in self.written["service"].values()]

    def _kinds(self, feed: Feed) -> None:
        """A feed's "Ginnel kinds" taxonomy (ours, exported) maps to this community's own."""
        taxonomies = [r for r in feed.records["taxonomy"] if r.values.get("name") == KINDS_TAXONOMY]
        if not taxonomies:
            return
        terms = kinds_taxonomy_ensure(community=self.community)
        ids = {r.id for r in taxonomies}
        kinds_taxonomy = next(iter(terms.values())).taxonomy
        for record in taxonomies:
            self.written["taxonomy"][record.id] = (kinds_taxonomy.pk, kinds_taxonomy.uuid)
        kept = []
        for record in feed.records["taxonomy_term"]:
            term = terms.get(record.values.get("code", ""))
            if record.refs.get("taxonomy") in ids and term is not None:
                self.written["taxonomy_term"][record.id] = (term.pk, term.uuid)
            else:
                kept.append(record)
        feed.records["taxonomy_term"] = kept
        feed.records["taxonomy"] = [r for r in feed.records["taxonomy"] if r.id not in ids]

    def _stand_in(self, table: str) -> int:
        if table == "organization":
            org, _ = Organization.objects.get_or_create(
                community=self.community,
                source_id=STAND_IN_ORGANIZATION_ID,
                defaults={
                    "uuid": derived_uuid(
                        self.community.pk, "organization", STAND_IN_ORGANIZATION_ID
                    ),
                    "name": STAND_IN_ORGANIZATION,
                    "description": "The services filed here came from feeds that name an "
                    "organisation without describing it.",
                },
            )
            return org.pk
        taxonomy, _ = Taxonomy.objects.get_or_create(
            community=self.community,
            source_id=STAND_IN_TAXONOMY_ID,
            defaults={
                "uuid": derived_uuid(self.community.pk, "taxonomy", STAND_IN_TAXONOMY_ID),
                "name": STAND_IN_TAXONOMY,
                "description": "Terms that imported feeds gave without their taxonomy.",
            },
        )
        return taxonomy.pk

    def _table(self, table: str, records: list[Record], result: ImportResult) -> None:
        model = MODELS[table]
        spec = SPECS[table]
        meta = model._meta
        defaults = {
            f.name: f.get_default() for f in meta.concrete_fields if f.name in _DEFAULT_WHEN_BLANK
        }
        self_refs = [r for r in spec.refs if r.table == table]
        other_refs = [r for r in spec.refs if r.table != table]
        ref_targets = [(f"{r.field}_id", self._resolver(r.table)) for r in other_refs]
        stand_in_field = {"service": "organization_id", "taxonomy_term": "taxonomy_id"}.get(table)
        stand_in: int | None = None
        stored = self.stored[table]
        blank_source = self.blank_source[table]
        community_pk = self.community.pk
        link = self._resolver_any() if table == "attribute" else None
        # Per record, its row keyed by the model's attnames (what the feed gives; the rest
        # takes the fields' defaults), and whether it matches a stored row.
        creates: list[tuple[dict[str, Any], Record]] = []
        updates: list[tuple[dict[str, Any], Record, tuple[int, uuid_module.UUID]]] = []
        for record in records:
            row = dict(record.values)
            for name, default in defaults.items():
                if row.get(name, "") == "":
                    row[name] = default
            row["source_id"] = record.id
            refs = record.refs
            for attname, resolve in ref_targets:
                target = refs.get(attname[:-3])
                row[attname] = resolve(target) if target else None
            if stand_in_field is not None and row[stand_in_field] is None:
                stand_in = stand_in or self._stand_in(
                    "organization" if table == "service" else "taxonomy"
                )
                row[stand_in_field] = stand_in
            if link is not None and record.link:
                row["link_id"] = link(*record.link)
            match = stored and (stored.get(record.id) or stored.get(record.id.lower()))
            if match:
                if match[0] in blank_source:
                    row["source_id"] = ""  # made here and exported: it stays ours
                updates.append((row, record, match))
            else:
                row["uuid"] = (
                    uuid_module.UUID(record.id)
                    if is_uuid(record.id)
                    else derived_uuid(community_pk, table, record.id)
                )
                creates.append((row, record))
        written = self.written[table]
        if creates:
            self._insert(table, model, creates)
            pks = self._pks(model)
            for row, record in creates:
                written[record.id] = (pks[record.id], row["uuid"])
        fields = [
            "source_id",
            *(c.field for c in spec.columns),
            *(r.field for r in other_refs),
            *(["link_id"] if table == "attribute" else []),
        ]
        objs = []
        for row, record, (pk, uid) in updates:
            obj = model(community_id=community_pk, **row)
            obj.pk, obj.uuid = pk, uid
            objs.append(obj)
            written[record.id] = (pk, uid)
        changed = self._changed(model, objs, fields)
        self._progress(table, len(updates) - len(changed))
        for start in range(0, len(changed), UPDATE_BATCH):
            batch = changed[start : start + UPDATE_BATCH]
            model.objects.bulk_update(batch, fields)
            self._progress(table, len(batch))
        result.created[table] = result.created.get(table, 0) + len(creates)
        result.updated[table] = result.updated.get(table, 0) + len(updates)
        if self_refs:
            created = {record.id for _, record in creates}
            # A new row's parent is blank until set here: only rows naming one need a look.
            self._self_refs(
                table,
                [
                    r
                    for r in records
                    if r.id not in created or any(r.refs.get(ref.field) for ref in self_refs)
                ],
                self_refs,
            )

    def _pks(self, model: Any) -> dict[str, int]:
        """Source id -> pk of the community's rows of ``model`` that have a source id."""
        ops = connection.ops
        sql = (
            f"SELECT {ops.quote_name('source_id')}, {ops.quote_name('id')} "  # noqa: S608
            f"FROM {ops.quote_name(model._meta.db_table)} "
            f"WHERE {ops.quote_name('community_id')} = %s AND {ops.quote_name('source_id')} <> ''"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.community.pk])
            return dict(cursor.fetchall())

    def _resolver(self, table: str) -> Callable[[str], int | None]:
        """Feed id -> pk in ``table`` (written by this import, or stored), None if neither."""
        written, stored = self.written[table], self.stored[table]

        def resolve(feed_id: str) -> int | None:
            found = written.get(feed_id) or stored.get(feed_id) or stored.get(feed_id.lower())
            return found[0] if found else None

        return resolve

    def _resolver_any(self) -> Callable[[str, str], uuid_module.UUID | None]:
        def resolve(table: str, feed_id: str) -> uuid_module.UUID | None:
            found = self.find(table, feed_id)
            return found[1] if found else None

        return resolve

    def _insert(self, table: str, model: Any, creates: list[tuple[dict[str, Any], Record]]) -> None:
        """New rows in batches without model instances: COPY on PostgreSQL, INSERTs on SQLite."""
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        community_pk = self.community.pk
        # Each column's attname and default, and the columns whose values need converting.
        plan: list[tuple[str, Any]] = [
            (f.attname, community_pk if f.attname == "community_id" else f.get_default())
            for f in fields
        ]
        converters = [
            (position, convert)
            for position, convert in enumerate(_db_value(f) for f in fields)
            if convert is not None
        ]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        name = connection.ops.quote_name(model._meta.db_table)
        sql = f"INSERT INTO {name} ({columns}) VALUES ({marks})"  # noqa: S608
        copy_sql = f"COPY {name} ({columns}) FROM STDIN"
        with connection.cursor() as cursor:
            for start in range(0, len(creates), INSERT_BATCH):
                batch = creates[start : start + INSERT_BATCH]
                params = []
                for row, _ in batch:
                    get = row.get
                    values = [get(attname, default) for attname, default in plan]
                    for position, convert in converters:
                        value = values[position]
                        if value is not None:
                            values[position] = convert(value)
                    params.append(values)
                if hasattr(cursor.cursor, "copy"):  # psycopg 3, PostgreSQL
                    # COPY takes the rows as one stream: an INSERT per row, even pipelined,
                    # waits on the server several times longer.
                    with cursor.cursor.copy(copy_sql) as copy:
                        for values in params:
                            copy.write_row(values)
                else:
                    cursor.executemany(sql, params)
                self._progress(table, len(batch))

    def _changed(self, model: Any, objs: list[Any], fields: list[str]) -> list[Any]:
        """The objects whose fields differ from their stored rows (re-imports mostly match)."""
        # A feed without last_modified leaves it at "now": that alone is not a change.
        names = [model._meta.get_field(f).attname for f in fields if f != "last_modified"]
        out = []
        for start in range(0, len(objs), CHUNK):
            batch = objs[start : start + CHUNK]
            stored = {
                row[0]: row[1:]
                for row in model.objects.filter(pk__in=[o.pk for o in batch]).values_list(
                    "pk", *names
                )
            }
            for obj in batch:
                old = stored.get(obj.pk)
                new = tuple(getattr(obj, name) for name in names)
                if old is None or old != tuple(
                    _comparable(o, n) for o, n in zip(old, new, strict=True)
                ):
                    out.append(obj)
        return out

    def _self_refs(self, table: str, records: list[Record], refs: Iterable[Any]) -> None:
        """Parents in the same table (organisations, terms), once every row has a key."""
        model = MODELS[table]
        objs = []
        for record in records:
            mine = self.written[table].get(record.id)
            if mine is None:
                continue
            obj = model(pk=mine[0])
            for ref in refs:
                target = record.refs.get(ref.field)
                found = self.find(table, target) if target else None
                setattr(obj, f"{ref.field}_id", found[0] if found else None)
            objs.append(obj)
        fields = [r.field for r in refs]
        changed = self._changed(model, objs, fields)
        for start in range(0, len(changed), UPDATE_BATCH):
            model.objects.bulk_update(changed[start : start + UPDATE_BATCH], fields)

    def _progress(self, table: str, count: int) -> None:
        if self.progress is not None:
            self.progress(table, count)


def _comparable(stored: Any, new: Any) -> Any:
    """``new`` as the database gives it back, for comparing with the stored value."""
    if isinstance(stored, Decimal) and isinstance(new, int | float | Decimal):
        return Decimal(str(new)).quantize(stored)
    if isinstance(stored, float) and isinstance(new, int | float):
        return float(new)
    if isinstance(stored, uuid_module.UUID) and isinstance(new, str) and is_uuid(new):
        return uuid_module.UUID(new)
    return new


_AS_IS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.FloatField,
    models.BooleanField,
    models.ForeignKey,
)


def _db_value(f: Any) -> Callable[[Any], Any] | None:
    """How a field's value goes to the database (None: as it is), as ``bulk_create`` would."""
    if isinstance(f, _AS_IS):
        return None
    if isinstance(f, models.UUIDField):
        if connection.features.has_native_uuid_field:
            return None
        return lambda value: value.hex if isinstance(value, uuid_module.UUID) else value
    return lambda value: f.get_db_prep_save(value, connection)
