"""Directory rows as Open Referral UK 3.0 objects: what the API answers and the JSON export writes.

Each function turns rows into the plain dicts of one ORUK schema (see
``schema/compiled/``): ``id`` is the row's ``uuid``, dates are ISO 8601, and
an optional field with no value is left out rather than sent empty (an empty
``email`` or ``url`` would break the schema's formats). Fields that HSDS 3.0
has and the UK profile leaves out (``alternate_name``, ``phones``,
``languages``' names…) are written too, so that an export read back loses
nothing we hold; the schemas allow extra fields.

Serialising many services at once: :func:`services_full` loads a batch with
a fixed number of queries (:func:`with_full_relations` plus one query for
every attribute of the batch, :class:`AttributeIndex`), whatever its size.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet

from ginnel.directory.models import (
    Address,
    Attribute,
    Contact,
    CostOption,
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
)
from ginnel.ui.urls_safe import safe_url

Json = dict[str, Any]

# How many services :func:`services_full` loads at a time (bounded IN lists on every database).
BATCH = 500


def _put(out: Json, **values: Any) -> Json:
    """Add the values that are set: not None, not an empty string or list."""
    for key, value in values.items():
        if value is None or value == "" or value == []:
            continue
        out[key] = _plain(value)
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


# Taxonomies -----------------------------------------------------------------------------------


def taxonomy_term(term: TaxonomyTerm, *, taxonomy: Taxonomy | None = None) -> Json:
    """A term (taxonomy_term.json). Pass ``taxonomy`` or select_related("taxonomy", "parent")."""
    taxonomy = taxonomy or term.taxonomy
    out: Json = {"id": str(term.uuid), "name": term.name, "description": term.description}
    parent_uuid = term.parent.uuid if term.parent_id is not None and term.parent else None
    return _put(
        out,
        parent_id=parent_uuid,
        taxonomy=taxonomy.name,
        taxonomy_id=taxonomy.uuid,
        term_uri=safe_url(term.term_uri),
        term=term.code or term.name,
        code=term.code,
    )


def taxonomy(tax: Taxonomy, *, terms: Iterable[TaxonomyTerm] | None = None) -> Json:
    """A taxonomy (taxonomy.json), with its terms when given (select_related their parent)."""
    out: Json = {"id": str(tax.uuid), "name": tax.name, "description": tax.description}
    _put(out, uri=safe_url(tax.uri), version=tax.version)
    if terms is not None:
        out["taxonomy_terms"] = [taxonomy_term(t, taxonomy=tax) for t in terms]
    return out


def taxonomy_terms_queryset(community_id: int) -> QuerySet[TaxonomyTerm]:
    """Terms ready for :func:`taxonomy_term` (one query)."""
    return TaxonomyTerm.objects.filter(community_id=community_id).select_related(
        "taxonomy", "parent"
    )


# Attributes -----------------------------------------------------------------------------------


class AttributeIndex:
    """Every attribute linked to a set of objects, loaded in one query, looked up by object."""

    def __init__(self, rows: Iterable[Attribute] = ()) -> None:
        self._by: dict[tuple[str, uuid.UUID], list[Attribute]] = defaultdict(list)
        for row in rows:
            self._by[(row.link_type, row.link_id)].append(row)

    @classmethod
    def load(cls, *, community_id: int, link_ids: Iterable[uuid.UUID]) -> AttributeIndex:
        ids = list(set(link_ids))
        if not ids:
            return cls()
        rows = (
            Attribute.objects.filter(community_id=community_id, link_id__in=ids)
            .select_related("taxonomy_term__taxonomy", "taxonomy_term__parent")
            .order_by("id")
        )
        return cls(rows)

    def of(self, link_type: str, link_id: uuid.UUID) -> list[Json]:
        return [attribute(a) for a in self._by.get((link_type, link_id), [])]


def attribute(row: Attribute) -> Json:
    """An attribute (attribute.json) with its term (select_related taxonomy_term__taxonomy)."""
    out: Json = {"id": str(row.uuid)}
    return _put(
        out,
        link_id=row.link_id,
        link_type=row.link_type,
        link_entity=row.link_entity,
        taxonomy_term_id=row.taxonomy_term.uuid,
        value=row.value,
        label=row.label,
        taxonomy_term=taxonomy_term(row.taxonomy_term),
    )


# Small objects --------------------------------------------------------------------------------


def _language(row: Language) -> Json:
    return _put({"id": str(row.uuid)}, name=row.name, code=row.code, note=row.note)


def _phone(row: Phone) -> Json:
    out: Json = {"id": str(row.uuid), "number": row.number}
    return _put(out, extension=row.extension, type=row.type, description=row.description)


def _schedule(row: Schedule, **links: uuid.UUID | None) -> Json:
    out: Json = {"id": str(row.uuid)}
    return _put(
        out,
        **links,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        dtstart=row.dtstart,
        until=row.until,
        freq=row.freq,
        interval=row.interval,
        byday=row.byday,
        bymonthday=row.bymonthday,
        opens_at=row.opens_at,
        closes_at=row.closes_at,
        description=row.description,
        schedule_link=safe_url(row.schedule_link),
        attending_type=row.attending_type,
        notes=row.notes,
    )


def _contact(row: Contact, attributes: AttributeIndex, **links: uuid.UUID | None) -> Json:
    out: Json = {"id": str(row.uuid)}
    return _put(
        out,
        **links,
        name=row.name,
        title=row.title,
        department=row.department,
        email=row.email,
        phones=[_phone(p) for p in row.phones.all()],
        attributes=attributes.of("contact", row.uuid),
    )


def _cost_option(row: CostOption, service_uuid: uuid.UUID) -> Json:
    out: Json = {"id": str(row.uuid), "service_id": str(service_uuid)}
    return _put(
        out,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        option=row.option,
        currency=row.currency,
        amount=row.amount,
        amount_description=row.amount_description,
    )


def _service_area(row: ServiceArea, service_uuid: uuid.UUID) -> Json:
    out: Json = {"id": str(row.uuid), "service_id": str(service_uuid)}
    return _put(
        out,
        name=row.name,
        description=row.description,
        extent=row.extent,
        extent_type=row.extent_type,
        uri=safe_url(row.uri),
    )


def _address(row: Address, attributes: AttributeIndex, location_uuid: uuid.UUID) -> Json:
    out: Json = {
        "id": str(row.uuid),
        "location_id": str(location_uuid),
        "address_1": row.address_1,
        "city": row.city,
        "state_province": row.state_province,
        "postal_code": row.postal_code,
        "country": row.country,
        "address_type": row.address_type,
    }
    return _put(
        out,
        attention=row.attention,
        address_2=row.address_2,
        region=row.region,
        attributes=attributes.of("address", row.uuid),
    )


# Organisations --------------------------------------------------------------------------------


def organization_brief(org: Organization) -> Json:
    """The one-to-one fields of an organisation (as nested in service lists)."""
    out: Json = {"id": str(org.uuid), "name": org.name, "description": org.description}
    parent = org.parent_organization if org.parent_organization_id else None
    parent_uuid = parent.uuid if parent is not None else None
    return _put(
        out,
        alternate_name=org.alternate_name,
        email=org.email,
        website=safe_url(org.website),
        logo=safe_url(org.logo),
        uri=safe_url(org.uri),
        parent_organization_id=parent_uuid,
    )


def _organization_nested(org: Organization, attributes: AttributeIndex) -> Json:
    out = organization_brief(org)
    return _put(out, attributes=attributes.of("organization", org.uuid))


def organization_full(org: Organization, *, services: Iterable[Service] | None = None) -> Json:
    """An organisation with its services in full (compiled/organization.json).

    ``services`` defaults to every service of the organisation; pass the ones
    to publish (the API passes the active ones). Costs a fixed number of queries.
    """
    rows = list(services) if services is not None else list(org.services.all())
    index = AttributeIndex.load(community_id=org.community_id, link_ids=[org.uuid])
    out = _organization_nested(org, index)
    phones = list(Phone.objects.filter(organization=org).order_by("id"))
    _put(out, phones=[_phone(p) for p in phones])
    out["services"] = services_full(rows, community_id=org.community_id)
    return out


# Locations ------------------------------------------------------------------------------------


def location_brief(loc: Location) -> Json:
    """The one-to-one fields of a location (as nested in service_at_location lists)."""
    out: Json = {"id": str(loc.uuid), "location_type": loc.location_type}
    return _put(
        out,
        name=loc.name,
        alternate_name=loc.alternate_name,
        description=loc.description,
        url=safe_url(loc.url),
        transportation=loc.transportation,
        latitude=loc.latitude,
        longitude=loc.longitude,
        external_identifier=loc.external_identifier,
        external_identifier_type=loc.external_identifier_type,
    )


def _location_full(loc: Location, attributes: AttributeIndex) -> Json:
    out = location_brief(loc)
    organization_uuid = loc.organization.uuid if loc.organization_id and loc.organization else None
    return _put(
        out,
        organization_id=organization_uuid,
        addresses=[_address(a, attributes, loc.uuid) for a in loc.addresses.all()],
        phones=[_phone(p) for p in loc.phones.all()],
        languages=[_language(la) for la in loc.languages.all()],
        schedules=[_schedule(s, location_id=loc.uuid) for s in loc.schedules.all()],
        attributes=attributes.of("location", loc.uuid),
    )


# Services -------------------------------------------------------------------------------------


def service_brief(service: Service) -> Json:
    """A service's one-to-one fields without its organisation."""
    out: Json = {"id": str(service.uuid), "name": service.name, "status": service.status}
    return _put(
        out,
        organization_id=service.organization.uuid,
        alternate_name=service.alternate_name,
        description=service.description,
        url=safe_url(service.url),
        email=service.email,
        interpretation_services=service.interpretation_services,
        application_process=service.application_process,
        fees=service.fees_description,
        wait_time=service.wait_time,
        accreditations=service.accreditations,
        licenses=service.licenses,
        eligibility_description=service.eligibility_description,
        minimum_age=service.minimum_age,
        maximum_age=service.maximum_age,
        assured_date=service.assured_date,
        assurer_email=service.assurer_email,
        alert=service.alert,
        last_modified=service.last_modified,
    )


def service_list_item(service: Service) -> Json:
    """A service in the ``/services`` list (compiled/service_list.json).

    Needs ``select_related("organization__parent_organization")`` for one query a page.
    """
    out = service_brief(service)
    out["organization"] = organization_brief(service.organization)
    return out


def service_at_location_list_item(sal: ServiceAtLocation, *, distance: float | None = None) -> Json:
    """A service at a location in the ``/service_at_locations`` list
    (compiled/service_at_location_list.json), with the distance in metres when known.

    Needs ``select_related("location", "service__organization__parent_organization")``.
    """
    out: Json = {
        "id": str(sal.uuid),
        "service_id": str(sal.service.uuid),
        "location_id": str(sal.location.uuid),
    }
    _put(out, description=sal.description)
    out["location"] = location_brief(sal.location)
    out["service"] = service_list_item(sal.service)
    if distance is not None:
        out["distance"] = round(distance, 1)
    return out


def _service_at_location(sal: ServiceAtLocation, attributes: AttributeIndex) -> Json:
    out: Json = {
        "id": str(sal.uuid),
        "service_id": str(sal.service.uuid),
        "location_id": str(sal.location.uuid),
    }
    return _put(
        out,
        description=sal.description,
        contacts=[
            _contact(c, attributes, service_at_location_id=sal.uuid) for c in sal.contacts.all()
        ],
        phones=[_phone(p) for p in sal.phones.all()],
        schedules=[_schedule(s, service_at_location_id=sal.uuid) for s in sal.schedules.all()],
        attributes=attributes.of("service_at_location", sal.uuid),
        location=_location_full(sal.location, attributes),
    )


def _service_full(
    service: Service, attributes: AttributeIndex, *, with_locations: bool = True
) -> Json:
    out = service_brief(service)
    _put(
        out,
        schedules=[_schedule(s, service_id=service.uuid) for s in service.schedules.all()],
        service_areas=[_service_area(a, service.uuid) for a in service.service_areas.all()],
        languages=[_language(la) for la in service.languages.all()],
        phones=[_phone(p) for p in service.phones.all()],
        cost_options=[_cost_option(c, service.uuid) for c in service.cost_options.all()],
        contacts=[_contact(c, attributes, service_id=service.uuid) for c in service.contacts.all()],
        attributes=attributes.of("service", service.uuid),
    )
    if with_locations:
        _put(
            out,
            service_at_locations=[
                _service_at_location(sal, attributes) for sal in service.at_locations.all()
            ],
        )
    out["organization"] = _organization_nested(service.organization, attributes)
    return out


_LOCATION_PARTS = ("addresses", "phones", "languages", "schedules")


def with_full_relations(services: QuerySet[Service]) -> QuerySet[Service]:
    """Services with everything :func:`service_full` reads, in a fixed number of queries."""
    at_locations = ServiceAtLocation.objects.select_related(
        "location__organization", "service"
    ).order_by("id")
    return services.select_related("organization__parent_organization").prefetch_related(
        "schedules",
        "service_areas",
        "languages",
        "phones",
        "cost_options",
        "contacts__phones",
        Prefetch("at_locations", queryset=at_locations),
        "at_locations__contacts__phones",
        "at_locations__phones",
        "at_locations__schedules",
        *(f"at_locations__location__{part}" for part in _LOCATION_PARTS),
    )


def _link_ids(services: Iterable[Service]) -> Iterator[uuid.UUID]:
    for service in services:
        yield service.uuid
        yield service.organization.uuid
        for contact in service.contacts.all():
            yield contact.uuid
        for sal in service.at_locations.all():
            yield sal.uuid
            yield sal.location.uuid
            for contact in sal.contacts.all():
                yield contact.uuid
            for address in sal.location.addresses.all():
                yield address.uuid


def services_full(services: Iterable[Service], *, community_id: int | None = None) -> list[Json]:
    """Full services (compiled/service.json), in the order given, loaded in batches.

    Accepts services already loaded with :func:`with_full_relations` or plain
    ones (they are re-read with their relations, ``BATCH`` at a time).
    """
    rows = list(services)
    out: list[Json] = []
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        loaded = batch
        if batch and not _is_prefetched(batch[0]):
            by_pk = {
                s.pk: s
                for s in with_full_relations(Service.objects.filter(pk__in=[s.pk for s in batch]))
            }
            loaded = [by_pk[s.pk] for s in batch]
        if not loaded:
            continue
        index = AttributeIndex.load(
            community_id=community_id if community_id is not None else loaded[0].community_id,
            link_ids=_link_ids(loaded),
        )
        out.extend(_service_full(s, index) for s in loaded)
    return out


def _is_prefetched(service: Service) -> bool:
    cache: Mapping[str, Any] = getattr(service, "_prefetched_objects_cache", {})
    return "at_locations" in cache and "schedules" in cache


def service_full(service: Service) -> Json:
    """One service with all its related objects (compiled/service.json)."""
    return services_full([service])[0]


def service_at_location_full(sal: ServiceAtLocation) -> Json:
    """A service at one location, in full: the location and the service nested
    (compiled/service_at_location.json).

    The ORUK OpenAPI document declares ``compiled/service.json`` for
    ``/service_at_locations/{id}``, which requires ``name`` and ``status``: they
    are the service's, so the answer validates against both schemas.
    """
    service = with_full_relations(Service.objects.filter(pk=sal.service_id)).get()
    chosen = next((s for s in service.at_locations.all() if s.pk == sal.pk), None)
    if chosen is None:  # pragma: no cover - sal belongs to the service by construction
        raise ValueError("The service at a location does not belong to its service.")
    index = AttributeIndex.load(community_id=service.community_id, link_ids=_link_ids([service]))
    out = _service_at_location(chosen, index)
    out["name"] = service.name
    out["status"] = service.status
    out["service"] = _service_full(service, index, with_locations=False)
    return out
