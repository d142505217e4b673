"""A person's saved services, and whose list a page saves to."""

from __future__ import annotations

from django.db.models import QuerySet

from ginnel.communities.models import MembershipStatus
from ginnel.communities.permissions import Access, Perm
from ginnel.directory.models import SavedService
from ginnel.people.models import Person
from ginnel.ui.ids import is_id


def saved_services(*, person: Person) -> QuerySet[SavedService]:
    """What the person saved (or had saved for them), newest first, with who saved it."""
    return SavedService.objects.filter(person=person, community=person.community).select_related(
        "service__organization", "saved_by"
    )


def saved_uuids(*, person: Person) -> set[str]:
    return {str(u) for u in saved_services(person=person).values_list("service__uuid", flat=True)}


def saved_among(*, person: Person | None, service_ids: list[int]) -> set[int]:
    """Which of these services are on the person's list (one query)."""
    if person is None or not service_ids:
        return set()
    return set(
        SavedService.objects.filter(person=person, service_id__in=service_ids).values_list(
            "service_id", flat=True
        )
    )


def person_helped(*, access: Access, raw: str | None) -> Person | None:
    """The member a link worker or coordinator is finding help for (``?for=<person id>``).

    None unless the asker may act for people (``COACH``) and the id is an active member of
    this community other than the asker: anyone else's pages save to their own list.
    """
    if not raw or not is_id(raw.strip()) or not access.can(Perm.COACH):
        return None
    me = access.membership.person if access.membership is not None else None
    person = (
        Person.objects.filter(
            community=access.community,
            pk=int(raw),
            membership__status=MembershipStatus.ACTIVE,
        )
        .select_related("membership")
        .first()
    )
    if person is None or (me is not None and person.pk == me.pk):
        return None
    return person


def saving_for(*, access: Access, helped: Person | None) -> Person | None:
    """Whose list the Save buttons of a page save to: the person helped, or the asker."""
    if helped is not None:
        return helped
    if access.membership is None or not access.is_member:
        return None
    person: Person = access.membership.person
    return person
