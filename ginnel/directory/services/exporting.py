"""Exporting a community's directory as an Open Referral feed.

Three formats, the same ones :mod:`.importing` reads:

- ``oruk-json``: ORUK 3.0 — the ``/services`` answer (a ``Page``) holding every
  service as a full object, made by ``ginnel.directory.oruk`` like the API's;
- ``hsds-csv``: an HSDS 3.0 tabular datapackage, ``datapackage.json`` and one
  CSV per table with every field the directory keeps;
- ``oruk-v1``: the older ORUK v1 service list many council systems still read.

Every object is published under its ``uuid``; references name UUIDs too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ginnel.communities.models import Community
from ginnel.directory import oruk
from ginnel.directory.hsds import writers
from ginnel.directory.hsds.records import SPECS, TABLES
from ginnel.directory.models import DirectoryAction, Service
from ginnel.directory.services.importing import MODELS
from ginnel.errors import GinnelError
from ginnel.people.models import Person

FORMATS = ("oruk-json", "hsds-csv", "oruk-v1")
CHUNK = 2000

Progress = Callable[[int], None]


@dataclass
class ExportResult:
    format: str
    path: Path
    counts: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        return ", ".join(f"{n} {table}" for table, n in self.counts.items() if n) or "nothing"


def directory_export(
    *,
    community: Community,
    format: str,
    out: Path,
    actor: Person | None = None,
    progress: Progress | None = None,
) -> ExportResult:
    """Write ``community``'s directory to ``out`` (a folder for ``hsds-csv``, else a file)."""
    if format not in FORMATS:
        raise GinnelError(
            _("%(format)r is not an export format: use one of %(formats)s.")
            % {"format": format, "formats": ", ".join(FORMATS)},
            field="format",
        )
    if format == "hsds-csv" and out.exists() and not out.is_dir():
        raise GinnelError(
            _("%(out)s is a file: give a folder for a CSV datapackage.") % {"out": out},
            field="out",
        )
    if format != "hsds-csv" and out.is_dir():
        raise GinnelError(
            _("%(out)s is a folder: give a file name for JSON.") % {"out": out}, field="out"
        )
    if not out.parent.is_dir():
        raise GinnelError(
            _("%(folder)s does not exist: make the folder first.") % {"folder": out.parent},
            field="out",
        )
    # One snapshot of the directory, even while others edit it.
    with transaction.atomic():
        if format == "hsds-csv":
            counts = writers.write_package(
                out, {t: _rows(community, t, progress) for t in TABLES}, title=community.name
            )
        else:
            counts = {
                "service": _write_json(community, out, v1=format == "oruk-v1", progress=progress)
            }
        result = ExportResult(format, out, counts)
        DirectoryAction.objects.create(
            community=community,
            actor=actor,
            verb="export",
            subject_type="feed",
            detail=f"{format}: {result.summary()}",
        )
    return result


def _rows(community: Community, table: str, progress: Progress | None) -> Iterator[dict[str, Any]]:
    """The rows of ``table`` keyed by the HSDS 3.0 columns, references as UUIDs."""
    spec = SPECS[table]
    names: dict[str, str] = {"id": "uuid"}
    names.update({r.column: f"{r.field}__uuid" for r in spec.refs})
    if table == "attribute":
        names["link_id"] = "link_id"
    names.update({c.column: c.field for c in spec.columns})
    query = MODELS[table].objects.filter(community=community).order_by("pk").values(*names.values())
    for row in query.iterator(chunk_size=CHUNK):
        if progress is not None:
            progress(1)
        yield {column: row[name] for column, name in names.items()}


def _services(community: Community) -> Iterator[list[Service]]:
    ids = list(
        Service.objects.filter(community=community).order_by("pk").values_list("pk", flat=True)
    )
    for start in range(0, len(ids), oruk.BATCH):
        batch = ids[start : start + oruk.BATCH]
        yield list(oruk.with_full_relations(Service.objects.filter(pk__in=batch)).order_by("pk"))


def _write_json(community: Community, out: Path, *, v1: bool, progress: Progress | None) -> int:
    """Stream every full service into one page, a batch at a time."""
    total = Service.objects.filter(community=community).count()
    if v1:
        head = {k: v for k, v in writers.v1_page([]).items() if k != "content"}
        head.update(totalElements=total, size=total)
        key = "content"
    else:
        head = {
            "total_items": total,
            "total_pages": 1,
            "page_number": 1,
            "size": total,
            "first_page": True,
            "last_page": True,
            "empty": total == 0,
        }
        key = "contents"
    written = 0
    with out.open("w", encoding="utf-8") as handle:
        handle.write(json.dumps(head, indent=2)[:-2] + f',\n  "{key}": [')
        for batch in _services(community):
            for item in oruk.services_full(batch, community_id=community.pk):
                obj = writers.v1_service(item) if v1 else item
                handle.write(("\n" if not written else ",\n") + json.dumps(obj, ensure_ascii=False))
                written += 1
                if progress is not None:
                    progress(1)
        handle.write("\n  ]\n}\n")
    return written
