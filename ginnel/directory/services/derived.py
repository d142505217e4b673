"""Values the directory derives from its own rows, kept in step by every write.

- the community's "Ginnel kinds" taxonomy (service, community group, digital
  community hub, care technology) that tells entries apart;
- ``Service.kind``: the kinds term linked to the service by an Attribute;
- ``Service.free``: no cost option with a charge, and nothing in the fees text
  or the cost options that says there is one;
- ``Service.search_text``: the lower-cased name, description, organisation
  name and the names of the service's taxonomy terms, which text search reads;
- :class:`~ginnel.directory.models.ServiceOpening`: the weekdays and hours the
  service is open, from the schedules on it, on its services at a location
  and on its locations, which day search reads.

Import and editing call :func:`services_refresh` with the services they
wrote, inside their own transaction.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, time
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import translation

from ginnel.communities.models import Community
from ginnel.directory.hsds.values import DAY_CODES
from ginnel.directory.models import (
    KINDS_TAXONOMY,
    Attribute,
    CostOption,
    Kind,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceOpening,
    Taxonomy,
    TaxonomyTerm,
    derived_uuid,
)

_FREE = re.compile(r"\b(free|no charge|no cost|without charge)\b", re.IGNORECASE)
_CHARGE = re.compile(r"[£$€]\s*\d|\b\d+(\.\d\d)?\s*(pounds|gbp)\b", re.IGNORECASE)


@transaction.atomic
def kinds_taxonomy_ensure(*, community: Community) -> dict[str, TaxonomyTerm]:
    """The community's kinds taxonomy and its terms (made the first time), by kind value."""
    taxonomy, _ = Taxonomy.objects.get_or_create(
        community=community,
        source_id=f"ginnel:{KINDS_TAXONOMY}",
        defaults={
            "uuid": derived_uuid(community.pk, "taxonomy", KINDS_TAXONOMY),
            "name": KINDS_TAXONOMY,
            "description": "What an entry is: a service, a community group, a digital "
            "community hub or a care-technology product.",
        },
    )
    terms = {}
    for kind in Kind:
        # Term names are data published in feeds: always the English label.
        with translation.override("en-gb"):
            label = str(kind.label)
        term, _ = TaxonomyTerm.objects.get_or_create(
            community=community,
            source_id=f"ginnel:kind:{kind.value}",
            defaults={
                "uuid": derived_uuid(community.pk, "taxonomy_term", f"kind:{kind.value}"),
                "taxonomy": taxonomy,
                "code": kind.value,
                "name": label,
                "description": f"The entry is a {label.lower()}.",
            },
        )
        terms[kind.value] = term
    return terms


# A cost option as the refresh reads it: (amount, option, amount_description).
Cost = tuple[Decimal | None, str, str]


def is_free(fees: str, options: Iterable[Cost]) -> bool:
    """Free of charge: every cost option is zero (or says free), and the fees text, if any,
    says free and names no price."""
    options = list(options)
    for amount, option, description in options:
        if amount is not None and amount > Decimal(0):
            return False
        if amount is None and not _FREE.search(f"{option} {description}"):
            return False
    if fees.strip():
        return bool(_FREE.search(fees)) and not _CHARGE.search(fees)
    return bool(options)


_BATCH = 2000
_COLUMNS = (
    "pk",
    "uuid",
    "name",
    "alternate_name",
    "organization__name",
    "description",
    "fees_description",
    "kind",
    "free",
    "search_text",
)


def services_refresh(*, community: Community, service_ids: Iterable[int] | None = None) -> int:
    """Recompute ``kind``, ``free`` and ``search_text`` of the given services (all when None),
    and their openings.

    Reads plain columns in bulk (a few queries per 2,000 services) and writes only the rows
    that changed. Returns how many services changed (their own columns; openings are not
    counted).
    """
    services = Service.objects.filter(community=community)
    if service_ids is None:
        ids = list(services.order_by("pk").values_list("pk", flat=True))
    else:
        ids = sorted(set(service_ids))
    if not ids:
        return 0
    kinds_by_term = {
        term.pk: kind for kind, term in kinds_taxonomy_ensure(community=community).items()
    }
    changed = 0
    for start in range(0, len(ids), _BATCH):
        batch = ids[start : start + _BATCH]
        changed += _refresh(community, services, Span(batch), kinds_by_term)
    return changed


class Span:
    """A batch of service ids, read by their range (cheap to build and to plan, even for
    thousands) and kept to the ids asked for."""

    def __init__(self, ids: list[int]) -> None:
        self.ids = ids
        self.wanted = set(ids)
        self.range = (min(ids), max(ids))

    def keep(self, pk: int) -> bool:
        return pk in self.wanted


def _refresh(
    community: Community,
    services: QuerySet[Service],
    span: Span,
    kinds_by_term: dict[int, str],
) -> int:
    in_span = services.filter(pk__range=span.range)
    rows = [row for row in in_span.values_list(*_COLUMNS) if span.keep(row[0])]
    if not rows:
        return 0
    terms: dict[uuid.UUID, list[str]] = defaultdict(list)
    kinds: dict[uuid.UUID, str] = {}
    links = Attribute.objects.filter(
        community=community, link_type="service", link_id__in=[row[1] for row in rows]
    ).values_list("link_id", "taxonomy_term_id", "taxonomy_term__name")
    for link_id, term_id, name in links:
        if term_id in kinds_by_term:
            kinds[link_id] = kinds_by_term[term_id]
        else:
            terms[link_id].append(name)
    options: dict[int, list[Cost]] = defaultdict(list)
    for service_id, *cost in CostOption.objects.filter(service__id__range=span.range).values_list(
        "service_id", "amount", "option", "amount_description"
    ):
        if span.keep(service_id):
            options[service_id].append(tuple(cost))  # type: ignore[arg-type]

    updates = []
    for pk, uid, name, alternate, organization, description, fees, kind, free, text in rows:
        joined = " ".join([name, alternate, organization, description, *sorted(terms[uid])])
        values = (
            kinds.get(uid, Kind.SERVICE.value),
            is_free(fees, options[pk]),
            " ".join(joined.lower().split()),
        )
        if values != (kind, free, text):
            updates.append((*values, pk))
    _openings_refresh(community, [row[0] for row in rows])
    # One parameterised UPDATE per row, sent as a batch: far quicker than bulk_update's
    # CASE expressions once thousands of rows change (an import of 50,000 services).
    if not updates:
        return 0
    table = connection.ops.quote_name(Service._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET kind = %s, free = %s, search_text = %s WHERE id = %s",  # noqa: S608
            updates,
        )
    return len(updates)


# (weekday, opens_at, closes_at, valid_from, valid_to)
Opening = tuple[int | None, time | None, time | None, date | None, date | None]
_SCHEDULE_FIELDS = ("byday", "opens_at", "closes_at", "valid_from", "valid_to")


def weekdays(byday: str) -> list[int | None]:
    """The weekdays a schedule's ``byday`` names (0 = Monday), as day search has always read
    it: each day code found anywhere in it, in any case ("2TH" is Thursday); ``[None]`` when
    it names none."""
    upper = byday.upper()
    found: list[int | None] = [n for n, code in enumerate(DAY_CODES) if code in upper]
    return found or [None]


def _openings(service_ids: list[int]) -> dict[int, set[Opening]]:
    """What the schedules say, by service: on the service, on one of its services at a
    location, on one of its locations (three queries)."""
    if not service_ids:
        return {}
    span = Span(service_ids)
    schedules: list[tuple[int, str, time | None, time | None, date | None, date | None]] = []
    schedules += Schedule.objects.filter(service__id__range=span.range).values_list(
        "service_id", *_SCHEDULE_FIELDS
    )
    schedules += Schedule.objects.filter(
        service_at_location__service__id__range=span.range
    ).values_list("service_at_location__service_id", *_SCHEDULE_FIELDS)
    schedules = [row for row in schedules if span.keep(row[0])]
    at_locations = ServiceAtLocation.objects.filter(service__id__range=span.range)
    by_location: dict[int, set[int]] = defaultdict(set)
    for service_id, location_id in at_locations.values_list("service_id", "location_id"):
        if span.keep(service_id):
            by_location[location_id].add(service_id)
    if by_location:
        on_locations = Schedule.objects.filter(location_id__in=list(by_location)).values_list(
            "location_id", *_SCHEDULE_FIELDS
        )
        for location_id, *fields in on_locations:
            for service_id in by_location[location_id]:
                schedules.append((service_id, *fields))
    found: dict[int, set[Opening]] = defaultdict(set)
    for service_id, byday, opens, closes, valid_from, valid_to in schedules:
        for day in weekdays(byday):
            found[service_id].add((day, opens, closes, valid_from, valid_to))
    return found


def _openings_refresh(community: Community, service_ids: list[int]) -> None:
    """Rewrite the openings of the services whose schedules say something else now."""
    wanted = _openings(service_ids)
    present: dict[int, set[Opening]] = defaultdict(set)
    if not service_ids:
        return
    span = Span(service_ids)
    rows = ServiceOpening.objects.filter(service__id__range=span.range).values_list(
        "service_id", "weekday", "opens_at", "closes_at", "valid_from", "valid_to"
    )
    for service_id, *opening in rows:
        if span.keep(service_id):
            present[service_id].add(tuple(opening))  # type: ignore[arg-type]
    stale = [pk for pk in service_ids if wanted.get(pk, set()) != present.get(pk, set())]
    if not stale:
        return
    if any(pk in present for pk in stale):  # a first import has nothing to take away
        ServiceOpening.objects.filter(service_id__in=[pk for pk in stale if pk in present]).delete()
    ops = connection.ops
    values = [
        (
            community.pk,
            pk,
            day,
            ops.adapt_timefield_value(opens),
            ops.adapt_timefield_value(closes),
            ops.adapt_datefield_value(valid_from),
            ops.adapt_datefield_value(valid_to),
        )
        for pk in stale
        for day, opens, closes, valid_from, valid_to in sorted(wanted.get(pk, ()), key=repr)
    ]
    if not values:
        return
    table = ops.quote_name(ServiceOpening._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (community_id, service_id, weekday, opens_at, closes_at, "  # noqa: S608
            "valid_from, valid_to) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            values,
        )


@transaction.atomic
def service_kind_set(*, service: Service, kind: Kind) -> None:
    """Link the service to its kinds term (replacing another kind) and cache it."""
    terms = kinds_taxonomy_ensure(community=service.community)
    Attribute.objects.filter(
        community=service.community,
        link_type="service",
        link_id=service.uuid,
        taxonomy_term__in=list(terms.values()),
    ).delete()
    Attribute.objects.create(
        community=service.community,
        taxonomy_term=terms[kind.value],
        link_type="service",
        link_id=service.uuid,
        link_entity="service",
    )
    service.kind = kind.value
    service.save(update_fields=["kind"])
