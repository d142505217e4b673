"""Editing the directory: organisations and their services, review, reminders.

Each function is one use-case in one transaction: it checks that the asker
may edit the organisation (its editors, or a coordinator), refuses an edit
made from a stale copy (the ``version`` it was made from is no longer the
current one), writes, keeps the derived columns in step with
:func:`services_refresh`, and records a :class:`DirectoryAction`.

Saving a service counts as reviewing it: the person who saved it has just
looked at every field.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal
from functools import partial

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ginnel.communities.models import Community, Role
from ginnel.communities.permissions import ROLE_PERMISSIONS, Access, Perm, require, roles_of
from ginnel.directory import notifications
from ginnel.directory.hsds.values import DAY_CODES
from ginnel.directory.models import (
    KINDS_TAXONOMY,
    Address,
    Attribute,
    CostOption,
    DirectoryAction,
    Freq,
    Kind,
    Location,
    LocationType,
    Organization,
    Phone,
    Postcode,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceStatus,
    TaxonomyTerm,
)
from ginnel.directory.selectors.review import (
    REMIND_AGAIN_AFTER,
    organization_editable_by,
    person_of,
    review_due_q,
)
from ginnel.directory.services.derived import service_kind_set, services_refresh
from ginnel.errors import GinnelError, PermissionRefused
from ginnel.people.models import Person

DAYS = DAY_CODES
# The schedules the form edits: weekly opening times. Monthly ones (from feeds) are kept.
WEEKLY_SCHEDULES = Q(freq__in=[Freq.WEEKLY, ""], bymonthday="")
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


class EditConflict(GinnelError):
    """Someone else saved the entry after the asker opened it."""


@dataclass(frozen=True)
class LocationData:
    name: str
    address_1: str
    address_2: str
    city: str
    postal_code: str
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class AddressData:
    """An organisation's own address (its first place)."""

    address_1: str
    city: str
    postal_code: str
    address_2: str = ""


@dataclass(frozen=True)
class ScheduleData:
    days: Sequence[str]
    opens_at: time
    closes_at: time


@dataclass(frozen=True)
class ServiceData:
    name: str
    description: str = ""
    kind: Kind = Kind.SERVICE
    status: str = ServiceStatus.ACTIVE
    needs: Sequence[TaxonomyTerm] = ()
    minimum_age: int | None = None
    maximum_age: int | None = None
    free: bool = True
    amount: Decimal | None = None
    fees: str = ""
    email: str = ""
    url: str = ""
    phones: Sequence[tuple[str, str]] = ()  # (number, what it is for)
    location: LocationData | None = None
    schedules: Sequence[ScheduleData] = field(default_factory=tuple)


def normalise_postcode(text: str) -> str:
    """ "ls6 1aa" → "LS6 1AA" (the outward and inward codes split by one space)."""
    compact = "".join(text.upper().split())
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def _actor(access: Access) -> Person:
    person = person_of(access)
    if person is None:
        raise PermissionRefused(_("You do not have a role in this community that allows this."))
    return person


def require_editor(*, access: Access, organization: Organization) -> Person:
    """The asker, if they may edit this organisation's entries; refused otherwise."""
    require(access, Perm.EDIT_DIRECTORY)
    if not organization_editable_by(access=access, organization=organization):
        raise PermissionRefused(_("You can only change the entries of organisations you edit for."))
    return _actor(access)


def action_record(
    *,
    community: Community,
    actor: Person | None,
    verb: str,
    subject: Organization | Service | None = None,
    subject_type: str = "",
    subject_id: uuid.UUID | None = None,
    detail: str = "",
) -> DirectoryAction:
    if subject is not None:
        subject_type = "organization" if isinstance(subject, Organization) else "service"
        subject_id = subject.uuid
    return DirectoryAction.objects.create(
        community=community,
        actor=actor,
        verb=verb,
        subject_type=subject_type,
        subject_id=subject_id,
        detail=detail[:2000],
    )


def version_check(current: int, seen: int | None, what: str) -> None:
    if seen is not None and current != seen:
        messages = {
            "service": _(
                "Someone else saved changes to this service after you opened it, so yours "
                "have not been saved. Open it again to see their changes, then make yours."
            ),
            "organisation": _(
                "Someone else saved changes to this organisation after you opened it, so "
                "yours have not been saved. Open it again to see their changes, then make "
                "yours."
            ),
            "event": _(
                "Someone else saved changes to this event after you opened it, so yours "
                "have not been saved. Open it again to see their changes, then make yours."
            ),
        }
        raise EditConflict(messages.get(what, messages["service"]))


# Organisations -------------------------------------------------------------------------------


@transaction.atomic
def organization_save(
    *,
    access: Access,
    organization: Organization | None,
    version: int | None,
    name: str,
    description: str = "",
    email: str = "",
    website: str = "",
    phone: str | None = None,
    address: AddressData | None = None,
) -> Organization:
    """Create (coordinators) or change an organisation, with its own phone and address.

    ``phone`` None leaves the phone as it is ("" takes it off); ``address`` None leaves
    the address as it is.
    """
    name = name.strip()
    if not name:
        raise GinnelError(_("Enter the organisation's name."), field="name")
    if organization is None:
        require(access, Perm.REVIEW_DIRECTORY)
        actor = _actor(access)
        organization = Organization.objects.create(
            community=access.community,
            name=name,
            description=description,
            email=email,
            website=website,
        )
        _organization_contact_set(organization, phone, address)
        action_record(
            community=access.community,
            actor=actor,
            verb="organization.create",
            subject=organization,
        )
        return organization
    actor = require_editor(access=access, organization=organization)
    locked = Organization.objects.select_for_update().get(pk=organization.pk)
    version_check(locked.version, version, "organisation")
    changed = [
        key
        for key, value in {
            "name": name,
            "description": description,
            "email": email,
            "website": website,
        }.items()
        if getattr(locked, key) != value
    ]
    changed += _organization_contact_set(locked, phone, address)
    locked.name, locked.description, locked.email, locked.website = (
        name,
        description,
        email,
        website,
    )
    locked.version += 1
    locked.last_modified = timezone.now()
    locked.save(
        update_fields=["name", "description", "email", "website", "version", "last_modified"]
    )
    # The organisation's name is part of each of its services' search text.
    services_refresh(
        community=access.community,
        service_ids=list(locked.services.values_list("pk", flat=True)),
    )
    action_record(
        community=access.community,
        actor=actor,
        verb="organization.update",
        subject=locked,
        detail=", ".join(changed),
    )
    return locked


def _organization_contact_set(
    organization: Organization, phone: str | None, address: AddressData | None
) -> list[str]:
    """Write the organisation's own phone and address; the names of what changed."""
    changed: list[str] = []
    if phone is not None:
        own = (
            Phone.objects.filter(
                organization=organization,
                service__isnull=True,
                location__isnull=True,
                contact__isnull=True,
                service_at_location__isnull=True,
            )
            .order_by("id")
            .first()
        )
        if own is None and phone:
            Phone.objects.create(
                community=organization.community, organization=organization, number=phone
            )
            changed.append("phone")
        elif own is not None and not phone:
            own.delete()
            changed.append("phone")
        elif own is not None and own.number != phone:
            own.number = phone
            own.save(update_fields=["number"])
            changed.append("phone")
    if address is not None:
        postcode = normalise_postcode(address.postal_code)
        centre = Postcode.objects.filter(postcode=postcode.replace(" ", "")).first()
        location = Location.objects.filter(organization=organization).order_by("id").first()
        if location is None:
            location = Location.objects.create(
                community=organization.community,
                organization=organization,
                location_type=LocationType.PHYSICAL,
                name=organization.name,
                latitude=centre.latitude if centre else None,
                longitude=centre.longitude if centre else None,
            )
        elif location.latitude is None and centre is not None:
            location.latitude, location.longitude = centre.latitude, centre.longitude
            location.save(update_fields=["latitude", "longitude"])
        row = location.addresses.order_by("id").first() or Address(
            community=organization.community, location=location
        )
        new = (address.address_1, address.address_2, address.city, postcode)
        if row.pk is None or (row.address_1, row.address_2, row.city, row.postal_code) != new:
            row.address_1, row.address_2, row.city, row.postal_code = new
            row.save()
            changed.append("address")
    return changed


@transaction.atomic
def organization_editors_set(
    *, access: Access, organization: Organization, editors: Sequence[Person]
) -> None:
    """Coordinators choose who keeps an organisation's entries up to date."""
    require(access, Perm.REVIEW_DIRECTORY)
    actor = _actor(access)
    if organization.community_id != access.community.pk:
        raise PermissionRefused(_("That organisation is not in this community."))
    for person in editors:
        membership = person.membership
        roles: frozenset[Role] = (
            roles_of(membership) if person.community_id == access.community.pk else frozenset()
        )
        if not any(Perm.EDIT_DIRECTORY in ROLE_PERMISSIONS[r] for r in roles):
            raise GinnelError(
                _("%(name)s needs the organisation editor role first.")
                % {"name": person.display_name},
                field="editors",
            )
    organization.editors.set(editors)
    action_record(
        community=access.community,
        actor=actor,
        verb="organization.editors",
        subject=organization,
        detail=", ".join(sorted(p.display_name for p in editors)) or "(none)",
    )


# Services ------------------------------------------------------------------------------------


def _validate(community: Community, data: ServiceData) -> None:
    if not data.name.strip():
        raise GinnelError(_("Enter the name of the service."), field="name")
    if data.status not in ServiceStatus.values:
        raise GinnelError(_("Choose whether the service is running."), field="status")
    if (
        data.minimum_age is not None
        and data.maximum_age is not None
        and data.minimum_age > data.maximum_age
    ):
        raise GinnelError(
            _("The youngest age must be the same as or lower than the oldest."), field="minimum_age"
        )
    if data.free and data.amount:
        raise GinnelError(
            _("A free service cannot have a charge: leave the amount empty."), field="amount"
        )
    if data.amount is not None and data.amount < 0:
        raise GinnelError(_("Enter an amount of 0 or more."), field="amount")
    for term in data.needs:
        if term.community_id != community.pk or term.taxonomy.name == KINDS_TAXONOMY:
            raise GinnelError(_("Choose needs from the list."), field="needs")
    for schedule in data.schedules:
        if not schedule.days or any(d not in DAYS for d in schedule.days):
            raise GinnelError(_("Choose the days it is open."), field="schedules")
        if schedule.closes_at <= schedule.opens_at:
            raise GinnelError(
                _("The closing time must be after the opening time."), field="schedules"
            )
    if data.location is not None:
        loc = data.location
        if not POSTCODE.match(normalise_postcode(loc.postal_code)):
            raise GinnelError(_("Enter a real postcode, like LS6 1AA."), field="postal_code")
        if (loc.latitude is None) != (loc.longitude is None):
            raise GinnelError(
                _("Enter both the latitude and the longitude, or neither."), field="latitude"
            )


@transaction.atomic
def service_save(
    *,
    access: Access,
    organization: Organization,
    service: Service | None,
    version: int | None,
    data: ServiceData,
) -> Service:
    """Add a service to an organisation, or change one; either counts as reviewing it."""
    actor = require_editor(access=access, organization=organization)
    _validate(access.community, data)
    linked = (
        set(
            Attribute.objects.filter(
                community=access.community, link_type="service", link_id=service.uuid
            ).values_list("taxonomy_term_id", flat=True)
        )
        if service is not None
        else set()
    )
    for term in data.needs:
        if term.retired_at is not None and term.pk not in linked:
            raise GinnelError(
                _("%(need)s is no longer used for new entries. Choose another need.")
                % {"need": term.name},
                field="needs",
            )
    now = timezone.now()
    if service is None:
        service = Service(community=access.community, organization=organization)
        verb = "service.create"
    else:
        if service.organization_id != organization.pk:
            raise PermissionRefused(_("That service belongs to another organisation."))
        service = Service.objects.select_for_update().get(pk=service.pk)
        version_check(service.version, version, "service")
        service.version += 1
        verb = "service.update"
    service.name = data.name.strip()
    service.description = data.description
    service.status = data.status
    service.minimum_age = data.minimum_age
    service.maximum_age = data.maximum_age
    service.fees_description = "" if data.free else data.fees
    service.email = data.email
    service.url = data.url
    service.last_modified = now
    service.last_reviewed = now
    service.reviewed_by = actor
    service.review_reminded_at = None
    service.save()

    service_kind_set(service=service, kind=data.kind)
    _needs_set(service, data.needs)
    _costs_set(service, data)
    service.phones.all().delete()
    Phone.objects.bulk_create(
        Phone(community=access.community, service=service, number=n, description=d)
        for n, d in data.phones
    )
    if data.location is not None:
        _location_set(service, data.location)
    Schedule.objects.filter(service=service).filter(WEEKLY_SCHEDULES).delete()
    Schedule.objects.bulk_create(
        Schedule(
            community=access.community,
            service=service,
            freq=Freq.WEEKLY,
            interval=1,
            byday=",".join(d for d in DAYS if d in s.days),
            opens_at=s.opens_at,
            closes_at=s.closes_at,
        )
        for s in data.schedules
    )
    services_refresh(community=access.community, service_ids=[service.pk])
    action_record(community=access.community, actor=actor, verb=verb, subject=service)
    service.refresh_from_db()
    return service


def _needs_set(service: Service, needs: Sequence[TaxonomyTerm]) -> None:
    """Replace the service's terms (all but its kind) with ``needs``."""
    Attribute.objects.filter(
        community=service.community, link_type="service", link_id=service.uuid
    ).exclude(taxonomy_term__taxonomy__name=KINDS_TAXONOMY).delete()
    Attribute.objects.bulk_create(
        Attribute(
            community=service.community,
            taxonomy_term=term,
            link_type="service",
            link_id=service.uuid,
            link_entity="service",
        )
        for term in {t.pk: t for t in needs}.values()
    )


def _costs_set(service: Service, data: ServiceData) -> None:
    service.cost_options.all().delete()
    if data.free:
        option = CostOption(option="Free", amount=Decimal(0), amount_description=data.fees)
    else:
        option = CostOption(option="Charge", amount=data.amount, amount_description=data.fees)
    option.community = service.community
    option.service = service
    option.save()


def _location_set(service: Service, data: LocationData) -> None:
    """The service's (first) place: changed where it is, made when it has none."""
    postcode = normalise_postcode(data.postal_code)
    latitude, longitude = data.latitude, data.longitude
    if latitude is None:
        centre = Postcode.objects.filter(postcode=postcode.replace(" ", "")).first()
        if centre is not None:
            latitude, longitude = centre.latitude, centre.longitude
    link = service.at_locations.select_related("location").order_by("id").first()
    if link is None:
        location = Location.objects.create(
            community=service.community,
            organization=service.organization,
            location_type=LocationType.PHYSICAL,
            name=data.name,
            latitude=latitude,
            longitude=longitude,
        )
        ServiceAtLocation.objects.create(
            community=service.community, service=service, location=location
        )
    else:
        location = Location.objects.select_for_update().get(pk=link.location_id)
        location.name = data.name
        location.latitude, location.longitude = latitude, longitude
        location.save(update_fields=["name", "latitude", "longitude"])
    address = location.addresses.order_by("id").first() or Address(
        community=service.community, location=location
    )
    address.address_1 = data.address_1
    address.address_2 = data.address_2
    address.city = data.city
    address.postal_code = postcode
    address.save()


@transaction.atomic
def service_review(*, access: Access, service: Service) -> Service:
    """ "Reviewed — still correct": the entry was checked and needs no change."""
    actor = require_editor(access=access, organization=service.organization)
    now = timezone.now()
    Service.objects.filter(pk=service.pk).update(
        last_reviewed=now, reviewed_by=actor, review_reminded_at=None
    )
    action_record(community=access.community, actor=actor, verb="service.review", subject=service)
    service.refresh_from_db()
    return service


# Reminders -----------------------------------------------------------------------------------


def reviews_remind(*, now: datetime | None = None) -> int:
    """Email each organisation's editors once about its entries overdue for review.

    Run daily (``ginnel remind_reviews``). An entry is mentioned again only
    after 30 days, and not at all once someone reviews or edits it. An
    organisation without editors is left for the coordinators' review queue.
    Returns the number of emails sent.
    """
    now = now or timezone.now()
    not_lately = Q(review_reminded_at__isnull=True) | Q(
        review_reminded_at__lt=now - REMIND_AGAIN_AFTER
    )
    due = (
        Service.objects.filter(review_due_q(now=now) & not_lately)
        .filter(organization__editors__isnull=False)
        .values_list("organization_id", flat=True)
        .distinct()
    )
    sent = 0
    for organization_id in sorted(set(due)):
        sent += _remind_organization(organization_id, now, not_lately)
    return sent


@transaction.atomic
def _remind_organization(organization_id: int, now: datetime, not_lately: Q) -> int:
    organization = Organization.objects.select_related("community").get(pk=organization_id)
    # Claim the entries under a lock, so two runs at once cannot both send.
    services = list(
        Service.objects.select_for_update()
        .filter(organization=organization)
        .filter(review_due_q(now=now) & not_lately)
        .order_by("name", "id")
    )
    if not services:
        return 0
    Service.objects.filter(pk__in=[s.pk for s in services]).update(review_reminded_at=now)
    notifications.review_due(organization=organization, services=services, now=now)
    editors = list(organization.editors.select_related("membership__user"))
    addresses = defaultdict(list)
    for editor in editors:
        user = editor.membership.user
        address = editor.contact_email or (user.email if user is not None else "")
        if address:
            addresses[address].append(editor)
    names = "\n".join(
        _("- %(entry)s (last reviewed %(date)s)")
        % {
            "entry": s.name,
            "date": date_format(timezone.localtime(s.last_reviewed), "j F Y"),
        }
        if s.last_reviewed
        else _("- %(entry)s (never reviewed)") % {"entry": s.name}
        for s in services
    )
    community = organization.community
    subject = _("Please check %(organisation)s's entries in the %(community)s directory") % {
        "organisation": organization.name,
        "community": community.name,
    }
    for address, people in addresses.items():
        body = _(
            "Hello %(name)s,\n\n"
            "These entries of %(organisation)s have not been checked for a year or more:\n\n"
            "%(entries)s\n\n"
            "Please log in to %(community)s, open Directory, then Your organisations, "
            "and either change what is out of date or choose “Reviewed — still correct”. "
            "People rely on these details to find help.\n"
        ) % {
            "name": people[0].display_name,
            "organisation": organization.name,
            "entries": names,
            "community": community.name,
        }
        transaction.on_commit(partial(send_mail, subject, body, None, [address]))
    action_record(
        community=community,
        actor=None,
        verb="review.remind",
        subject=organization,
        detail=f"{len(services)} entries; {len(addresses)} editors emailed",
    )
    return len(addresses)
