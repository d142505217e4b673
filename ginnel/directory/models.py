"""The directory: organisations, services, locations and events in the Open Referral shape.

The tables follow HSDS 3.0 and its UK profile (Open Referral UK): one row per
HSDS object, the same field names, so that import, export and the ORUK API
are plain mappings. Every object has:

- ``community``: directories are per community, like everything else;
- ``uuid``: the HSDS ``id`` we publish (taken from the feed when it is a UUID,
  otherwise derived from the source id, so it is stable across re-imports);
- ``source_id``: the id the object had in the feed it came from (blank for
  entries made here), so that re-importing a feed updates rather than
  duplicates.

What *kind* of entry a service is (a service, a community group, a digital
community hub, a care-technology product) is a term of the community's
"Ginnel kinds" taxonomy linked by an :class:`Attribute`, as HSDS links any
term to any object — not a separate table. ``Service.kind`` caches it for
filtering and is only written by the services that write the attribute.
"""

from __future__ import annotations

import secrets
import uuid as uuid_module

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The namespace of the UUIDs derived from a feed's own (non-UUID) ids.
SOURCE_NAMESPACE = uuid_module.UUID("5b1f7a0e-6a3c-4c55-9d1e-1d3c9f0b7e21")


def derived_uuid(community_id: int, table: str, source_id: str) -> uuid_module.UUID:
    """A stable UUID for a feed's object whose own id is not a UUID."""
    return uuid_module.uuid5(SOURCE_NAMESPACE, f"{community_id}/{table}/{source_id}")


class Kind(models.TextChoices):
    """What an entry is, from the user's point of view (the "Ginnel kinds" taxonomy)."""

    SERVICE = "service", _("Service")
    GROUP = "group", _("Community group")
    HUB = "hub", _("Digital community hub")
    CARE_TECH = "care_tech", _("Care technology")


KINDS_TAXONOMY = "Ginnel kinds"


class ServiceStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    DEFUNCT = "defunct", _("Defunct")
    TEMPORARILY_CLOSED = "temporarily closed", _("Temporarily closed")


class LocationType(models.TextChoices):
    PHYSICAL = "physical", _("A place people can visit")
    POSTAL = "postal", _("A postal address")
    VIRTUAL = "virtual", _("Online")


class AddressType(models.TextChoices):
    PHYSICAL = "physical", _("Physical")
    POSTAL = "postal", _("Postal")
    VIRTUAL = "virtual", _("Virtual")


class Freq(models.TextChoices):
    WEEKLY = "WEEKLY", _("Weekly")
    MONTHLY = "MONTHLY", _("Monthly")


class HsdsObject(models.Model):
    """The columns every directory table has."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    uuid = models.UUIDField(default=uuid_module.uuid4, editable=False)
    source_id = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True

    @classmethod
    def unique_constraints(cls, table: str) -> list[models.BaseConstraint]:
        return [
            models.UniqueConstraint(fields=["community", "uuid"], name=f"{table}_unique_uuid"),
            models.UniqueConstraint(
                fields=["community", "source_id"],
                condition=~Q(source_id=""),
                name=f"{table}_unique_source_id",
            ),
        ]


class Taxonomy(HsdsObject):
    """A vocabulary of terms: needs, service types, themes, kinds (several per community)."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    uri = models.URLField(max_length=500, blank=True)
    version = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ("name",)
        verbose_name_plural = "taxonomies"
        constraints = HsdsObject.unique_constraints("taxonomy")

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(HsdsObject):
    """A term of a taxonomy; terms form a hierarchy through ``parent``."""

    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.CASCADE, related_name="terms")
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    code = models.CharField("term", max_length=200, blank=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    term_uri = models.URLField(max_length=500, blank=True)
    # A retired term is no longer offered for new entries; what already has it keeps it.
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("name",)
        constraints = HsdsObject.unique_constraints("taxonomy_term")

    def __str__(self) -> str:
        return self.name


class Organization(HsdsObject):
    """An organisation that runs services, groups or events."""

    name = models.CharField(max_length=300)
    alternate_name = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(max_length=500, blank=True)
    logo = models.URLField(max_length=500, blank=True)
    uri = models.URLField(max_length=500, blank=True)
    parent_organization = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    # The members (organisation editors) who keep this organisation's entries up to date.
    editors = models.ManyToManyField("people.Person", blank=True, related_name="edits_for")
    last_modified = models.DateTimeField(default=timezone.now)
    # Optimistic locking: each edit adds one, so an edit made from a stale copy is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ("name",)
        constraints = HsdsObject.unique_constraints("organization")

    def __str__(self) -> str:
        return self.name


class Service(HsdsObject):
    """A service, community group, digital hub or care-technology product (see ``kind``)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="services"
    )
    name = models.CharField(max_length=300)
    alternate_name = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    url = models.URLField(max_length=500, blank=True)
    email = models.EmailField(blank=True)
    status = models.CharField(
        max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE
    )
    interpretation_services = models.TextField(blank=True)
    application_process = models.TextField(blank=True)
    fees_description = models.TextField("fees", blank=True)
    wait_time = models.CharField(max_length=200, blank=True)
    accreditations = models.TextField(blank=True)
    licenses = models.TextField(blank=True)
    eligibility_description = models.TextField(blank=True)
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    assured_date = models.DateField(null=True, blank=True)
    assurer_email = models.EmailField(blank=True)
    alert = models.TextField(blank=True)
    last_modified = models.DateTimeField(default=timezone.now)
    # Cached from the kinds taxonomy and the cost options, for filtering.
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.SERVICE)
    free = models.BooleanField(
        default=False, help_text="No cost option with a charge, or fees say it is free."
    )
    # Lower-cased name, description and term names: what text search reads.
    search_text = models.TextField(blank=True, editable=False)
    last_reviewed = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review_reminded_at = models.DateTimeField(null=True, blank=True)
    # Optimistic locking: each edit adds one, so an edit made from a stale copy is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ("name", "id")
        constraints = HsdsObject.unique_constraints("service")
        indexes = [
            models.Index(fields=["community", "status", "kind"], name="service_filter"),
            models.Index(fields=["community", "last_modified"], name="service_modified"),
        ]

    def __str__(self) -> str:
        return self.name


class Location(HsdsObject):
    """Where a service is: a building, a postal address, or online."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="locations"
    )
    location_type = models.CharField(
        max_length=10, choices=LocationType.choices, default=LocationType.PHYSICAL
    )
    url = models.URLField(max_length=500, blank=True)
    name = models.CharField(max_length=300, blank=True)
    alternate_name = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    transportation = models.TextField(blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    external_identifier = models.CharField(max_length=200, blank=True)
    external_identifier_type = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("name", "id")
        constraints = HsdsObject.unique_constraints("location")
        indexes = [models.Index(fields=["community", "latitude", "longitude"], name="location_ll")]

    def __str__(self) -> str:
        return self.name or "Location"


class Address(HsdsObject):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="addresses")
    attention = models.CharField(max_length=300, blank=True)
    address_1 = models.CharField(max_length=300)
    address_2 = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=200)
    region = models.CharField(max_length=200, blank=True)
    state_province = models.CharField(max_length=200, blank=True)
    postal_code = models.CharField(max_length=20)
    country = models.CharField(max_length=2, default="GB")
    address_type = models.CharField(
        max_length=10, choices=AddressType.choices, default=AddressType.PHYSICAL
    )

    class Meta:
        ordering = ("id",)
        verbose_name_plural = "addresses"
        constraints = HsdsObject.unique_constraints("address")

    def __str__(self) -> str:
        return ", ".join(p for p in (self.address_1, self.city, self.postal_code) if p)


class ServiceAtLocation(HsdsObject):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="at_locations")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ("id",)
        constraints = HsdsObject.unique_constraints("service_at_location")

    def __str__(self) -> str:
        return f"{self.service} at {self.location}"


class Contact(HsdsObject):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    name = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=200, blank=True)
    department = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ("id",)
        constraints = HsdsObject.unique_constraints("contact")

    def __str__(self) -> str:
        return self.name or self.title or "Contact"


class Phone(HsdsObject):
    """A phone number of a location, service, organisation, contact or service at a location."""

    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    number = models.CharField(max_length=50)
    extension = models.CharField(max_length=20, blank=True)
    type = models.CharField(max_length=20, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ("id",)
        constraints = HsdsObject.unique_constraints("phone")

    def __str__(self) -> str:
        return self.number


class Schedule(HsdsObject):
    """When a service (or a service at a location, or a location) is open: iCal RRULE-like.

    ``byday`` holds iCal day codes, comma-separated ("MO,TH"); a ``MONTHLY``
    schedule may have an ordinal ("2TH": the second Thursday) or ``bymonthday``.
    """

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="schedules",
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    dtstart = models.DateField(null=True, blank=True)
    until = models.DateField(null=True, blank=True)
    freq = models.CharField(max_length=10, choices=Freq.choices, blank=True)
    interval = models.PositiveSmallIntegerField(null=True, blank=True)
    byday = models.CharField(max_length=60, blank=True)
    bymonthday = models.CharField(max_length=60, blank=True)
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    description = models.TextField(blank=True)
    schedule_link = models.URLField(max_length=500, blank=True)
    attending_type = models.CharField(max_length=100, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ("id",)
        constraints = HsdsObject.unique_constraints("schedule")

    def __str__(self) -> str:
        return self.description or f"{self.freq} {self.byday} {self.opens_at}-{self.closes_at}"


class CostOption(HsdsObject):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="cost_options")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    option = models.CharField(max_length=300, blank=True)
    currency = models.CharField(max_length=3, default="GBP", blank=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    amount_description = models.TextField(blank=True)

    class Meta:
        ordering = ("id",)
        constraints = HsdsObject.unique_constraints("cost_option")

    def __str__(self) -> str:
        return self.option or str(self.amount)


class Language(HsdsObject):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="languages"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="languages"
    )
    phone = models.ForeignKey(
        Phone, on_delete=models.CASCADE, null=True, blank=True, related_name="languages"
    )
    name = models.CharField(max_length=100, blank=True)
    code = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ("id",)
        constraints = HsdsObject.unique_constraints("language")

    def __str__(self) -> str:
        return self.name or self.code


class ServiceArea(HsdsObject):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_areas")
    name = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    extent = models.TextField(blank=True)
    extent_type = models.CharField(max_length=50, blank=True)
    uri = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ("id",)
        constraints = HsdsObject.unique_constraints("service_area")

    def __str__(self) -> str:
        return self.name or self.extent


class Attribute(HsdsObject):
    """A taxonomy term linked to any directory object (HSDS ``attribute``).

    ``link_type`` names the table ("service", "organization", "location", "event"…)
    and ``link_id`` the linked object's ``uuid``.
    """

    taxonomy_term = models.ForeignKey(
        TaxonomyTerm, on_delete=models.CASCADE, related_name="attributes"
    )
    link_type = models.CharField(max_length=40)
    link_id = models.UUIDField()
    link_entity = models.CharField(max_length=40, blank=True)
    value = models.TextField(blank=True)
    label = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("id",)
        constraints = HsdsObject.unique_constraints("attribute")
        indexes = [
            models.Index(fields=["community", "link_type", "link_id"], name="attribute_link"),
            # Covering for "services with these terms": no read of the attribute rows.
            models.Index(
                fields=["taxonomy_term", "link_type", "community", "link_id"],
                name="attribute_term_link",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.link_type} {self.link_id}: {self.taxonomy_term_id}"


class Event(HsdsObject):
    """A one-off or recurring event of an organisation or a group.

    A recurring event repeats weekly or monthly (``freq``, ``interval``,
    ``byday`` as in :class:`Schedule`) from ``starts_at`` until ``until``.
    Its themes are taxonomy terms linked by :class:`Attribute` (``link_type``
    "event"), cached in ``themes`` for the calendar and the clash view.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="events", null=True, blank=True
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        help_text="The group or service that runs it, if any.",
    )
    location = models.ForeignKey(
        Location, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # Where to join an event that happens online (or as well as in a place).
    url = models.URLField("online link", max_length=500, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    freq = models.CharField(max_length=10, choices=Freq.choices, blank=True)
    interval = models.PositiveSmallIntegerField(default=1)
    byday = models.CharField(max_length=60, blank=True)
    until = models.DateField(null=True, blank=True)
    free = models.BooleanField(default=True)
    themes = models.ManyToManyField(TaxonomyTerm, blank=True, related_name="events")
    created_by = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_modified = models.DateTimeField(default=timezone.now)
    # A cancelled event stays (feeds tell calendars it is off) but leaves the calendar.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ("starts_at", "id")
        constraints = [
            *HsdsObject.unique_constraints("event"),
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="event_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["community", "starts_at"], name="event_starts")]

    def __str__(self) -> str:
        return self.title


class Postcode(models.Model):
    """A UK postcode's centre, for "within 2 miles of a postcode" (not per community).

    Loaded from the ONS Postcode Directory or OS Code-Point Open with
    ``ginnel load-postcodes`` (see docs/directory.md); ``postcode`` is stored
    upper case without spaces ("LS61AA").
    """

    postcode = models.CharField(max_length=8, primary_key=True)
    latitude = models.FloatField()
    longitude = models.FloatField()

    def __str__(self) -> str:
        return self.postcode


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class EventFeed(models.Model):
    """The secret in the address of a community's calendar feeds.

    Calendar apps cannot log in, so the feeds are read with an unguessable
    token in the URL instead; a coordinator can replace it if it leaks.
    """

    community = models.OneToOneField(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Event feed of community {self.community_id}"


class DirectoryAction(models.Model):
    """Who changed, reviewed, imported or exported what in a community's directory."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verb = models.CharField(max_length=40)
    subject_type = models.CharField(max_length=40, blank=True)
    subject_id = models.UUIDField(null=True, blank=True)
    detail = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-at", "-id")

    def __str__(self) -> str:
        return f"{self.verb} {self.subject_type}"


class DirectorySettings(models.Model):
    """How a community shares its directory (a row only once it differs from the defaults)."""

    community = models.OneToOneField(
        "communities.Community", on_delete=models.CASCADE, related_name="directory_settings"
    )
    publish_api = models.BooleanField(
        "publish the Open Referral UK feed",
        default=False,
        help_text="Anyone may read the directory's active services through the ORUK API, "
        "without logging in. Otherwise only this community's members may.",
    )

    class Meta:
        verbose_name_plural = "directory settings"

    def __str__(self) -> str:
        return f"Directory settings of {self.community_id}"


class SavedService(models.Model):
    """A service, group or hub a person keeps on their list ("save a service").

    Saved by the person, or for them by a link worker or coordinator (``saved_by``),
    who can then see the list with them.
    """

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="saved_services"
    )
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="saved_by")
    saved_by = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-saved_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=["person", "service"], name="saved_service_once")
        ]

    def __str__(self) -> str:
        return f"{self.service} saved by {self.person_id}"


class ServiceOpening(models.Model):
    """A weekday on which a service is open, derived from its schedules for day search.

    One row per service, schedule and weekday its ``byday`` names (a schedule on the
    service, on one of its services at a location or on one of its locations; a schedule
    naming no weekday gives one row without a weekday), with the schedule's hours and
    validity. Written only by ``services_refresh`` (services/derived.py), which import and
    editing call after every write; searching by day reads it through its index instead of
    every schedule's ``byday`` text.
    """

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="openings")
    weekday = models.PositiveSmallIntegerField(null=True, blank=True)  # 0 = Monday
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ("service", "weekday", "opens_at")
        indexes = [
            # Covering: day search reads only the index, never the rows.
            models.Index(
                fields=[
                    "community",
                    "weekday",
                    "opens_at",
                    "closes_at",
                    "valid_from",
                    "valid_to",
                    "service",
                ],
                name="opening_day_hours",
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_id} on day {self.weekday} {self.opens_at}-{self.closes_at}"
