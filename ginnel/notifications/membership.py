"""What joining a community tells people: an application to its coordinators, the decision to
the applicant.

``communities`` imports no capability, so it sends signals
(:mod:`ginnel.communities.signals`) inside its use-cases' transactions and
these receivers, connected in this app's ``ready()``, call :func:`notify`.

- ``communities.application_received`` (a staff kind): everyone in the
  community whose role may decide applications (``Perm.DECIDE_APPLICATIONS``);
- ``communities.application_approved``: the applicant, now a member;
- ``communities.application_declined``: the applicant — a kind that reaches
  applicants (``to_applicants``), as a declined applicant is no member: it goes
  through the outbox like any other, to their login's address.

Deciding an application marks its "received" notification read for every
coordinator: it waits for no one any more.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ginnel.communities import signals
from ginnel.communities.models import Membership, MembershipStatus, RoleGrant
from ginnel.communities.permissions import ROLE_PERMISSIONS, Perm
from ginnel.notifications import services
from ginnel.notifications.kinds import Kind, register
from ginnel.notifications.models import Notification
from ginnel.people.models import Person

APPLICATION_RECEIVED = "communities.application_received"
APPLICATION_APPROVED = "communities.application_approved"
APPLICATION_DECLINED = "communities.application_declined"

KINDS = (
    Kind(
        code=APPLICATION_RECEIVED,
        label=_("An application to join"),
        audience=_("Coordinators who decide applications"),
        templates="notifications/kinds/application_received",
        staff=True,
    ),
    Kind(
        code=APPLICATION_APPROVED,
        label=_("Your application approved"),
        audience=_("The person who applied"),
        templates="notifications/kinds/application_approved",
    ),
    Kind(
        code=APPLICATION_DECLINED,
        label=_("Your application not accepted"),
        audience=_("The person who applied"),
        templates="notifications/kinds/application_declined",
        to_applicants=True,
    ),
)


def deciders(community_id: int) -> list[Person]:
    """Active members of the community whose roles let them decide applications."""
    roles = [
        role.value for role, perms in ROLE_PERMISSIONS.items() if Perm.DECIDE_APPLICATIONS in perms
    ]
    memberships = RoleGrant.objects.filter(community_id=community_id, role__in=roles).values(
        "membership"
    )
    return list(
        Person.objects.filter(
            community_id=community_id,
            membership__in=memberships,
            membership__status=MembershipStatus.ACTIVE,
        )
    )


def application_url(membership: Membership) -> str:
    slug = membership.community.slug
    return reverse("communities:applications", args=[slug]) + f"#application-{membership.pk}"


def _received(sender: Any, *, membership: Membership, **kwargs: Any) -> None:
    applicant = Person.objects.get(membership=membership)
    services.notify(
        community=membership.community,
        kind=APPLICATION_RECEIVED,
        recipients=deciders(membership.community_id),
        url=application_url(membership),
        context={"applicant": applicant.display_name, "message": membership.application_message},
        actor=applicant,
    )


def _decided(
    sender: Any,
    *,
    membership: Membership,
    approved: bool,
    decided_by: Membership | None,
    **kwargs: Any,
) -> None:
    community = membership.community
    Notification.objects.filter(
        community=community,
        kind=APPLICATION_RECEIVED,
        url=application_url(membership),
        read_at__isnull=True,
    ).update(read_at=timezone.now())
    applicant = Person.objects.select_related("membership__user").get(membership=membership)
    actor = Person.objects.filter(membership=decided_by).first() if decided_by else None
    context = {"actor": actor.display_name if actor else ""}
    services.notify(
        community=community,
        kind=APPLICATION_APPROVED if approved else APPLICATION_DECLINED,
        recipients=[applicant],
        url=reverse(
            "web:community_home" if approved else "communities:join",
            kwargs={"community": community.slug},
        ),
        context=context,
        actor=actor,
    )


def connect() -> None:
    """Register the kinds and listen to communities' signals (from this app's ``ready()``)."""
    for kind in KINDS:
        register(kind)
    signals.application_received.connect(_received, dispatch_uid="notifications.received")
    signals.application_decided.connect(_decided, dispatch_uid="notifications.decided")
