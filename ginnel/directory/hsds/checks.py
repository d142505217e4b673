"""Checks across a whole feed: ids used once, and every reference naming something.

``known`` holds, per table, the ids (source ids and UUIDs) already in the
directory, so that a feed may refer to what an earlier import brought in.
"""

from __future__ import annotations

from collections.abc import Mapping

from ginnel.directory.hsds.records import LINKABLE, SPECS, Feed, Link

LABELS = {
    "taxonomy": "taxonomy",
    "taxonomy_term": "taxonomy term",
    "organization": "organisation",
    "service": "service",
    "location": "location",
    "address": "address",
    "service_at_location": "service at a location",
    "contact": "contact",
    "phone": "phone",
    "schedule": "schedule",
    "cost_option": "cost option",
    "language": "language",
    "service_area": "service area",
    "attribute": "attribute",
    "event": "event",
}

STAND_IN_ORGANIZATION = "Organisation not named in the feed"
STAND_IN_TAXONOMY = "Terms from imported feeds"


def check(feed: Feed, known: Mapping[str, set[str]] | None = None) -> None:
    """Add the feed's cross-row problems to ``feed.problems`` (and drop loose links)."""
    known = known or {}
    ids: dict[str, set[str]] = {}
    for table, records in feed.records.items():
        first: dict[str, str] = {}
        for record in records:
            if record.id in first:
                feed.problem(
                    record.file,
                    record.where,
                    "id",
                    f"{record.id} is used twice (also at {first[record.id]})",
                )
            else:
                first[record.id] = record.where or record.file
        ids[table] = set(first)

    def exists(table: str, target: str) -> bool:
        return target in ids.get(table, set()) or target in known.get(table, set())

    for table, records in feed.records.items():
        spec = SPECS[table]
        for record in records:
            for ref in spec.refs:
                target = record.refs.get(ref.field)
                if not target:
                    if ref.link is Link.STAND_IN and ref.column not in _reported(feed, record):
                        feed.problem(
                            record.file,
                            record.where,
                            ref.column,
                            f"no {LABELS[ref.table]} given: filed under “{STAND_IN_ORGANIZATION}”",
                            warning=True,
                        )
                    continue
                if exists(ref.table, target):
                    continue
                message = f"no {LABELS[ref.table]} with id {target}"
                if ref.link is Link.LOOSE:
                    feed.problem(
                        record.file,
                        record.where,
                        ref.column,
                        f"{message}: the link is left out",
                        warning=True,
                    )
                    del record.refs[ref.field]
                elif ref.link is Link.STAND_IN:
                    feed.problem(
                        record.file,
                        record.where,
                        ref.column,
                        f"{message} in the feed: filed under “{STAND_IN_ORGANIZATION}”",
                        warning=True,
                    )
                    del record.refs[ref.field]
                else:
                    feed.problem(record.file, record.where, ref.column, message)
    kept = []
    for record in feed.records["attribute"]:
        link_type, link_id = record.link or ("", "")
        if link_type not in LINKABLE:
            feed.problem(
                record.file,
                record.where,
                "link_type",
                f"{link_type!r} is not something a term can be linked to: the row is left out",
                warning=True,
            )
        elif not exists(link_type, link_id):
            feed.problem(
                record.file,
                record.where,
                "link_id",
                f"no {LABELS[link_type]} with id {link_id}: the row is left out",
                warning=True,
            )
        else:
            kept.append(record)
    feed.records["attribute"] = kept


def _reported(feed: Feed, record: object) -> set[str]:
    """Fields of ``record`` already reported as errors (so a blank one is not reported twice)."""
    file, where = getattr(record, "file", ""), getattr(record, "where", "")
    return {p.field for p in feed.problems if p.file == file and p.where == where}
