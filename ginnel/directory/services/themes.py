"""Administrators keep the community's themes and needs (taxonomy terms) tidy.

A term can be renamed, and retired: a retired term is no longer offered for new
entries and events, but whatever already has it keeps it and still shows it, so
history reads as it was. Retiring is undone by restoring.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ginnel.communities.permissions import Access, Perm, require
from ginnel.directory.models import KINDS_TAXONOMY, Attribute, Service, TaxonomyTerm
from ginnel.directory.selectors.review import person_of
from ginnel.directory.services.derived import services_refresh
from ginnel.directory.services.editing import action_record
from ginnel.errors import GinnelError

NAME_LENGTH = 200


def _term(access: Access, term_id: int) -> TaxonomyTerm:
    term = (
        TaxonomyTerm.objects.select_for_update()
        .filter(community=access.community, pk=term_id)
        .exclude(taxonomy__name=KINDS_TAXONOMY)
        .first()
    )
    if term is None:
        raise GinnelError(_("There is no such theme in this community."))
    return term


def _refresh_linked(access: Access, term: TaxonomyTerm) -> None:
    """A term's name is part of its services' search text."""
    uuids = Attribute.objects.filter(
        community=access.community, taxonomy_term=term, link_type="service"
    ).values_list("link_id", flat=True)
    ids = list(
        Service.objects.filter(community=access.community, uuid__in=uuids).values_list(
            "pk", flat=True
        )
    )
    if ids:
        services_refresh(community=access.community, service_ids=ids)


@transaction.atomic
def term_rename(*, access: Access, term_id: int, name: str) -> TaxonomyTerm:
    """Give a theme a new name; everything tagged with it shows the new one."""
    require(access, Perm.MANAGE_COMMUNITY)
    term = _term(access, term_id)
    name = " ".join(name.split())
    if not name:
        raise GinnelError(_("Enter the theme's new name."), field="name")
    if len(name) > NAME_LENGTH:
        raise GinnelError(
            _("Enter a name of %(most)s characters or fewer.") % {"most": NAME_LENGTH},
            field="name",
        )
    clash = (
        TaxonomyTerm.objects.filter(taxonomy_id=term.taxonomy_id, name__iexact=name)
        .exclude(pk=term.pk)
        .exists()
    )
    if clash:
        raise GinnelError(
            _("%(taxonomy)s already has a theme called %(name)s. Choose another name.")
            % {"taxonomy": term.taxonomy.name, "name": name},
            field="name",
        )
    old = term.name
    if old == name:
        return term
    term.name = name
    term.save(update_fields=["name"])
    _refresh_linked(access, term)
    action_record(
        community=access.community,
        actor=person_of(access),
        verb="term.rename",
        subject_type="taxonomy_term",
        subject_id=term.uuid,
        detail=f"{old} → {name}",
    )
    return term


@transaction.atomic
def term_retire(*, access: Access, term_id: int, retire: bool = True) -> TaxonomyTerm:
    """Stop offering a theme for new entries (or offer it again)."""
    require(access, Perm.MANAGE_COMMUNITY)
    term = _term(access, term_id)
    if retire and term.retired_at is not None:
        raise GinnelError(_("This theme is already retired."))
    if not retire and term.retired_at is None:
        raise GinnelError(_("This theme is in use: there is nothing to restore."))
    term.retired_at = timezone.now() if retire else None
    term.save(update_fields=["retired_at"])
    action_record(
        community=access.community,
        actor=person_of(access),
        verb="term.retire" if retire else "term.restore",
        subject_type="taxonomy_term",
        subject_id=term.uuid,
        detail=term.name,
    )
    return term
