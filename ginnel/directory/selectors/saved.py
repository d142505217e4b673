"""A person's saved services."""

from __future__ import annotations

from django.db.models import QuerySet

from ginnel.directory.models import SavedService
from ginnel.people.models import Person


def saved_services(*, person: Person) -> QuerySet[SavedService]:
    """What the person saved (or had saved for them), newest first, with who saved it."""
    return SavedService.objects.filter(person=person, community=person.community).select_related(
        "service__organization", "saved_by"
    )


def saved_uuids(*, person: Person) -> set[str]:
    return {str(u) for u in saved_services(person=person).values_list("service__uuid", flat=True)}
