"""Values the directory derives from its own rows, kept in step by every write.

- the community's "Ginnel kinds" taxonomy (service, community group, digital
  community hub, care technology) that tells entries apart;
- ``Service.kind``: the kinds term linked to the service by an Attribute;
- ``Service.free``: no cost option with a charge, and nothing in the fees text
  or the cost options that says there is one;
- ``Service.search_text``: the lower-cased name, description, organisation
  name and the names of the service's taxonomy terms, which text search reads.

Import and editing call :func:`services_refresh` with the services they
wrote, inside their own transaction.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import QuerySet

from ginnel.communities.models import Community
from ginnel.directory.models import (
    KINDS_TAXONOMY,
    Attribute,
    CostOption,
    Kind,
    Service,
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
        term, _ = TaxonomyTerm.objects.get_or_create(
            community=community,
            source_id=f"ginnel:kind:{kind.value}",
            defaults={
                "uuid": derived_uuid(community.pk, "taxonomy_term", f"kind:{kind.value}"),
                "taxonomy": taxonomy,
                "code": kind.value,
                "name": kind.label,
                "description": f"The entry is a {kind.label.lower()}.",
            },
        )
        terms[kind.value] = term
    return terms


def is_free(fees: str, options: Iterable[CostOption]) -> bool:
    """Free of charge: every cost option is zero (or says free), and the fees text, if any,
    says free and names no price."""
    options = list(options)
    for option in options:
        if option.amount is not None and option.amount > Decimal(0):
            return False
        if option.amount is None and not _FREE.search(
            f"{option.option} {option.amount_description}"
        ):
            return False
    if fees.strip():
        return bool(_FREE.search(fees)) and not _CHARGE.search(fees)
    return bool(options)


def services_refresh(*, community: Community, service_ids: Iterable[int] | None = None) -> int:
    """Recompute ``kind``, ``free`` and ``search_text`` of the given services (all when None).

    Reads in bulk (four queries per 2,000 services) and writes only the rows that changed.
    Returns how many changed.
    """
    services = Service.objects.filter(community=community).select_related("organization")
    if service_ids is not None:
        ids = list(service_ids)
        changed = 0
        for start in range(0, len(ids), 2000):
            changed += _refresh(community, services.filter(pk__in=ids[start : start + 2000]))
        return changed
    return _refresh(community, services)


def _refresh(community: Community, services: QuerySet[Service]) -> int:
    rows = list(services)
    if not rows:
        return 0
    kinds_by_term = {
        term.pk: kind for kind, term in kinds_taxonomy_ensure(community=community).items()
    }
    by_uuid: dict[uuid.UUID, Service] = {s.uuid: s for s in rows}
    terms: dict[uuid.UUID, list[str]] = defaultdict(list)
    kinds: dict[uuid.UUID, str] = {}
    links = Attribute.objects.filter(
        community=community, link_type="service", link_id__in=list(by_uuid)
    ).values_list("link_id", "taxonomy_term_id", "taxonomy_term__name")
    for link_id, term_id, name in links:
        if term_id in kinds_by_term:
            kinds[link_id] = kinds_by_term[term_id]
        else:
            terms[link_id].append(name)
    options: dict[int, list[CostOption]] = defaultdict(list)
    for option in CostOption.objects.filter(service__in=[s.pk for s in rows]):
        options[option.service_id].append(option)

    changed = []
    for service in rows:
        text = " ".join(
            [
                service.name,
                service.alternate_name,
                service.organization.name,
                service.description,
                *sorted(terms[service.uuid]),
            ]
        )
        values = {
            "kind": kinds.get(service.uuid, Kind.SERVICE.value),
            "free": is_free(service.fees_description, options[service.pk]),
            "search_text": " ".join(text.lower().split()),
        }
        if any(getattr(service, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(service, key, value)
            changed.append(service)
    # One parameterised UPDATE per row, sent as a batch: far quicker than bulk_update's
    # CASE expressions once thousands of rows change (an import of 50,000 services).
    if not changed:
        return 0
    table = connection.ops.quote_name(Service._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET kind = %s, free = %s, search_text = %s WHERE id = %s",  # noqa: S608
            [(s.kind, s.free, s.search_text, s.pk) for s in changed],
        )
    return len(changed)


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
