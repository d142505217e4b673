"""What introductions tell people: the kinds, and the small helpers the services call.

- ``matching.introduction_requested``: someone asked for an introduction; the
  people who broker them (``COORDINATE_TIMEBANK``: coordinators and
  administrators) are told, never the one who asked. A staff kind.
- ``matching.introduction_made``: a coordinator put two people in touch; both
  are told, and so is whoever asked for it on the person's behalf (a link
  worker), never the coordinator who made it.

The context holds names only, never the reasons the two were suggested or the
note (a peer suggestion's reason can name a condition): those are on the
introductions page, behind a login. ``ginnel/matching/notifications.py`` is a
different module: it keeps blocked people from being told anything.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ginnel.communities.models import MembershipStatus, Role
from ginnel.communities.permissions import ROLE_PERMISSIONS, Perm
from ginnel.matching.models import Introduction
from ginnel.notifications.kinds import Kind, register
from ginnel.notifications.services import notify
from ginnel.people.models import Person

INTRODUCTION_REQUESTED = Kind(
    code="matching.introduction_requested",
    label=_("An introduction asked for"),
    audience=_("Coordinators who arrange introductions"),
    templates="matching/notifications/introduction_requested",
    staff=True,
)
INTRODUCTION_MADE = Kind(
    code="matching.introduction_made",
    label=_("You were introduced to someone"),
    audience=_("Both people introduced, and whoever asked for it for them"),
    templates="matching/notifications/introduction_made",
)
KINDS = (INTRODUCTION_REQUESTED, INTRODUCTION_MADE)


def register_kinds() -> None:
    """Called from ``MatchingConfig.ready()``."""
    for kind in KINDS:
        register(kind)


def brokers(community_id: int) -> QuerySet[Person]:
    """The active people of the community whose roles let them make introductions."""
    roles = [r for r, perms in ROLE_PERMISSIONS.items() if Perm.COORDINATE_TIMEBANK in perms]
    return Person.objects.filter(
        community_id=community_id,
        membership__status=MembershipStatus.ACTIVE,
        membership__grants__role__in=[r for r in roles if r != Role.MEMBER],
    ).distinct()


def introduction_requested(*, introduction: Introduction, asker: Person) -> None:
    """Tell the brokers an introduction waits for them (inside the request's transaction)."""
    notify(
        community=introduction.community,
        kind=INTRODUCTION_REQUESTED.code,
        recipients=brokers(introduction.community_id),
        url=reverse("matching:introductions", args=[introduction.community.slug]),
        context={
            "asker": asker.display_name,
            "person": introduction.person.display_name,
            "other": introduction.other.display_name,
            "for_themselves": introduction.person_id == asker.pk,
        },
        actor=asker,
        dedupe_key=f"introduction:{introduction.pk}",
    )


def introduction_made(*, introduction: Introduction, by: Person | None) -> None:
    """Tell both people (and who asked for it) they have been introduced."""
    person, other = introduction.person, introduction.other
    url = reverse("matching:my_introductions", args=[introduction.community.slug])
    key = f"introduction:{introduction.pk}"
    for recipient, to in ((person, other), (other, person)):
        notify(
            community=introduction.community,
            kind=INTRODUCTION_MADE.code,
            recipients=[recipient],
            url=url,
            context={"other": to.display_name, "for_someone": ""},
            actor=by,
            dedupe_key=key,
        )
    asked = introduction.requested_by
    asker = getattr(asked, "person", None) if asked is not None else None
    if asker is not None and asker.pk not in (person.pk, other.pk):
        notify(
            community=introduction.community,
            kind=INTRODUCTION_MADE.code,
            recipients=[asker],
            url=reverse("people:about", args=[introduction.community.slug, person.pk]),
            context={"other": other.display_name, "for_someone": person.display_name},
            actor=by,
            dedupe_key=key,
        )
