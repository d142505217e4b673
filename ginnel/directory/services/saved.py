"""Saving a service to a person's list: by the person, or for them by whoever coaches them."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils.translation import gettext as _

from ginnel.communities.models import MembershipStatus
from ginnel.communities.permissions import Access, Perm, require
from ginnel.directory.models import SavedService, Service, ServiceStatus
from ginnel.errors import GinnelError
from ginnel.people.models import Person


def _me(access: Access) -> Person:
    if access.membership is None or not access.is_member:
        raise GinnelError(_("Only members of this community can keep a list of services."))
    person: Person = access.membership.person
    return person


def _whose(access: Access, person_id: int | None) -> Person:
    """The asker, or (for a link worker or coordinator) a member of the same community."""
    me = _me(access)
    if person_id is None or person_id == me.pk:
        return me
    require(access, Perm.COACH)
    person = Person.objects.filter(
        community=access.community,
        pk=person_id,
        membership__status=MembershipStatus.ACTIVE,
    ).first()
    if person is None:
        raise GinnelError(_("There is no such member here."))
    return person


def _service(access: Access, service_uuid: uuid.UUID) -> Service:
    service = Service.objects.filter(community=access.community, uuid=service_uuid).first()
    if service is None:
        raise GinnelError(_("There is no such entry in this community's directory."))
    return service


@transaction.atomic
def service_save(
    *, access: Access, service_uuid: uuid.UUID, person_id: int | None = None
) -> SavedService:
    """Keep a service on a person's list (the asker's own, unless they coach the person)."""
    require(access, Perm.VIEW_COMMUNITY)
    person = _whose(access, person_id)
    service = _service(access, service_uuid)
    if service.status != ServiceStatus.ACTIVE:
        raise GinnelError(
            _("%(service)s is not running at the moment, so it cannot be saved.")
            % {"service": service.name}
        )
    saved, _created = SavedService.objects.get_or_create(
        person=person,
        service=service,
        defaults={"community": access.community, "saved_by": _me(access)},
    )
    return saved


@transaction.atomic
def service_unsave(
    *, access: Access, service_uuid: uuid.UUID, person_id: int | None = None
) -> tuple[Service, Person]:
    """Take a service off a person's list (nothing happens when it was not on it)."""
    require(access, Perm.VIEW_COMMUNITY)
    person = _whose(access, person_id)
    service = _service(access, service_uuid)
    SavedService.objects.filter(person=person, service=service).delete()
    return service, person
