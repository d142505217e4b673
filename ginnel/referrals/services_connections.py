"""Connections made for a referred person from the connections page: each one transaction.

:func:`ginnel.referrals.services.connection_record` writes a connection and its
log entry (it checks who is asking, that the referral is engaged, and that a
member is one of this community's). Here, before it, what a member-less target
points at is checked too — a directory service, group or event of this
community — and its name is taken from the row, never from the form. Proposing
an exchange for the person from a suggested offer records the connection to
that member in the same transaction: both are written, or neither.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from ginnel.communities.permissions import Access
from ginnel.directory.models import Event, Service, ServiceStatus
from ginnel.errors import GinnelError, PermissionRefused
from ginnel.people.models import Person
from ginnel.referrals import services
from ginnel.referrals.models import Connection, ConnectionKind, Referral
from ginnel.referrals.selectors_connections import SERVICE_KINDS
from ginnel.timebank import services as timebank
from ginnel.timebank.models import Exchange, Listing


def _label(access: Access, kind: str, target_id: int | None, label: str) -> str:
    """The name to record: the row's own for anything with an id, as typed for "something else"."""
    if kind == ConnectionKind.OTHER:
        return label
    if kind in (ConnectionKind.TIMEBANK_MEMBER, ConnectionKind.PEER):
        name = (
            Person.objects.filter(community=access.community, pk=target_id or 0)
            .values_list("display_name", flat=True)
            .first()
        )
        if name is None:
            raise GinnelError(_("Choose a member of this community."), field="target_id")
        return name  # the service checks they are an active member, and not the person
    if kind in SERVICE_KINDS:
        name = (
            Service.objects.filter(
                community=access.community,
                pk=target_id or 0,
                status=ServiceStatus.ACTIVE,
                kind__in=SERVICE_KINDS[kind],
            )
            .values_list("name", flat=True)
            .first()
        )
        if name is None:
            raise GinnelError(
                _("Choose a service from this community's directory.")
                if kind == ConnectionKind.SERVICE
                else _("Choose a group from this community's directory."),
                field="target_id",
            )
        return name
    if kind == ConnectionKind.EVENT:
        title = (
            Event.objects.filter(
                community=access.community, pk=target_id or 0, cancelled_at__isnull=True
            )
            .values_list("title", flat=True)
            .first()
        )
        if title is None:
            raise GinnelError(_("Choose an event of this community."), field="target_id")
        return title
    raise GinnelError(_("Choose what kind of connection it is."), field="kind")


@transaction.atomic
def connection_add(
    *,
    access: Access,
    referral: Referral,
    kind: str,
    target_id: int | None = None,
    label: str = "",
    suggested_because: str = "",
) -> Connection:
    """Record a connection to a member, a directory entry, an event or something else."""
    if not services.may_act_on(access, referral):
        raise PermissionRefused(
            _("This referral is not on your caseload. Ask a coordinator to give it to you.")
        )
    return services.connection_record(
        access=access,
        referral=referral,
        kind=kind,
        target_id=target_id if kind != ConnectionKind.OTHER else None,
        target_label=_label(access, kind, target_id, label),
        suggested_because=suggested_because,
    )


@transaction.atomic
def exchange_propose_for_referral(
    *,
    access: Access,
    referral: Referral,
    listing: Listing,
    where: str,
    message: str,
    suggested_because: str = "",
) -> tuple[Exchange, Connection]:
    """A link worker asks an offer's owner for help for the person referred.

    The exchange is the person's (they propose it; the link worker is recorded
    as acting for them) and the connection to the offer's owner is recorded
    with it, in the same transaction.
    """
    if listing.community_id != access.community.pk:
        raise GinnelError(_("This offer or request is no longer open."))
    connection = connection_add(
        access=access,
        referral=referral,
        kind=ConnectionKind.TIMEBANK_MEMBER,
        target_id=listing.owner_id,
        suggested_because=suggested_because,
    )
    exchange = timebank.exchange_propose(
        access=access,
        listing=listing,
        message=message,
        where=where,
        for_person_id=referral.person_id,
    )
    return exchange, connection
