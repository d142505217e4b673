"""Reads of the audit app."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from ginnel.audit.services import can_export
from ginnel.communities.permissions import Access
from ginnel.people.models import Person


def person_to_export(*, access: Access, person_id: int | None) -> Person:
    """Yourself, or (for staff who may) a person of this community; anyone else is not found."""
    if person_id is None:
        if access.membership is None:
            raise Http404(_("There is no such person here."))
        return access.membership.person
    person = (
        Person.objects.filter(community=access.community, pk=person_id)
        .select_related("membership", "community")
        .first()
    )
    if person is None or not can_export(access, person):
        raise Http404(_("There is no such person here."))
    return person
