"""The directory's part of a person's roles page: the organisations they edit for."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ginnel.communities.permissions import Access, Perm
from ginnel.communities.roles_page import RoleLink
from ginnel.people.models import Person


def directory_roles_links(*, access: Access, person: Person) -> list[RoleLink]:
    if not access.can(Perm.REVIEW_DIRECTORY):
        return []
    count = person.edits_for.filter(community=access.community).count()
    if count:
        detail = ngettext(
            "Edits for %(count)d organisation now.",
            "Edits for %(count)d organisations now.",
            count,
        ) % {"count": count}
    else:
        detail = _("Edits for no organisation yet. Give them the organisation editor role first.")
    return [
        RoleLink(
            text=_("Choose the organisations %(name)s edits for") % {"name": person.display_name},
            url=reverse("directory:person_organisations", args=[access.community.slug, person.pk]),
            detail=detail,
        )
    ]
