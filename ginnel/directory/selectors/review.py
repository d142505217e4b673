"""What an editor may change, and what is due for review.

An organisation editor edits the organisations whose ``editors`` include them
(and those organisations' services, locations, schedules, phones and events);
a coordinator (``REVIEW_DIRECTORY``) edits any entry of the community. An
entry is due for review when nobody has confirmed it for twelve months, or
never has.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from ginnel.communities.models import MembershipStatus, Role
from ginnel.communities.permissions import Access, Perm
from ginnel.directory.models import Organization, Service, ServiceStatus, TaxonomyTerm
from ginnel.people.models import Person

REVIEW_AFTER = timedelta(days=365)
# An editor reminded about an entry is not reminded again about it for this long.
REMIND_AGAIN_AFTER = timedelta(days=30)
# Roles that may be made an organisation's editor (each grants EDIT_DIRECTORY).
EDITOR_ROLES = (Role.ORG_EDITOR, Role.COORDINATOR, Role.ADMINISTRATOR)


def review_due_q(*, now: datetime | None = None, prefix: str = "") -> Q:
    """Services nobody has confirmed for twelve months, or ever (defunct ones are never due).

    ``prefix`` puts the condition on a related table ("services__").
    """
    cutoff = (now or timezone.now()) - REVIEW_AFTER
    return (
        Q(**{f"{prefix}last_reviewed__isnull": True}) | Q(**{f"{prefix}last_reviewed__lt": cutoff})
    ) & ~Q(**{f"{prefix}status": ServiceStatus.DEFUNCT})


def is_review_due(service: Service, *, now: datetime | None = None) -> bool:
    if service.status == ServiceStatus.DEFUNCT:
        return False
    cutoff = (now or timezone.now()) - REVIEW_AFTER
    return service.last_reviewed is None or service.last_reviewed < cutoff


def person_of(access: Access) -> Person | None:
    return access.membership.person if access.membership is not None else None


def organization_editable_by(*, access: Access, organization: Organization) -> bool:
    """May the asker change this organisation's entries?"""
    if organization.community_id != access.community.pk:
        return False
    if access.can(Perm.REVIEW_DIRECTORY):
        return True
    person = person_of(access)
    if not access.can(Perm.EDIT_DIRECTORY) or person is None:
        return False
    return organization.editors.filter(pk=person.pk).exists()


def organizations_editable(*, access: Access) -> QuerySet[Organization]:
    """The organisations the asker edits, each with its number of services and of those due."""
    found = Organization.objects.filter(community=access.community)
    if not access.can(Perm.REVIEW_DIRECTORY):
        person = person_of(access)
        if not access.can(Perm.EDIT_DIRECTORY) or person is None:
            return found.none()
        found = found.filter(editors=person)
    return found.annotate(
        service_count=Count("services", distinct=True),
        due_count=Count("services", filter=review_due_q(prefix="services__"), distinct=True),
    ).order_by("name", "id")


def organization_editable_get(*, access: Access, organization_id: int) -> Organization | None:
    organization = Organization.objects.filter(
        community=access.community, pk=organization_id
    ).first()
    if organization is None or not organization_editable_by(
        access=access, organization=organization
    ):
        return None
    return organization


def service_editable_get(*, access: Access, service_id: int) -> Service | None:
    service = (
        Service.objects.filter(community=access.community, pk=service_id)
        .select_related("organization", "reviewed_by")
        .first()
    )
    if service is None or not organization_editable_by(
        access=access, organization=service.organization
    ):
        return None
    return service


def organization_services(*, organization: Organization) -> QuerySet[Service]:
    return (
        Service.objects.filter(organization=organization)
        .select_related("reviewed_by")
        .order_by("name", "id")
    )


def review_queue(*, access: Access, now: datetime | None = None) -> QuerySet[Service]:
    """Entries due for review, never-reviewed first, then the longest since review."""
    return (
        Service.objects.filter(community=access.community)
        .filter(review_due_q(now=now))
        .select_related("organization", "reviewed_by")
        .order_by(F("last_reviewed").asc(nulls_first=True), "name", "id")
    )


def editor_candidates(*, access: Access) -> QuerySet[Person]:
    """Active members whose roles let them edit the directory."""
    return (
        Person.objects.filter(
            community=access.community,
            membership__status=MembershipStatus.ACTIVE,
            membership__grants__role__in=[r.value for r in EDITOR_ROLES],
        )
        .distinct()
        .order_by("display_name", "id")
    )


def service_terms(*, service: Service) -> QuerySet[TaxonomyTerm]:
    """The terms linked to a service (its needs and its kind)."""
    return TaxonomyTerm.objects.filter(
        community_id=service.community_id,
        attributes__link_type="service",
        attributes__link_id=service.uuid,
    )
