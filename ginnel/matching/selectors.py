"""Suggestions as the pages ask for them, each scoped to what the asker may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from ginnel.communities.permissions import Access, Perm, require
from ginnel.errors import GinnelError
from ginnel.matching import adapter
from ginnel.matching.adapter import Shown
from ginnel.matching.engine import Kind
from ginnel.matching.models import Block, Dismissal
from ginnel.people.models import Person
from ginnel.timebank.models import Listing, ListingKind

#: Headings: as a member reads them about themselves, and as a coach reads them about a person.
HEADINGS: dict[Kind, tuple[str, str]] = {
    Kind.HELPER: ("People who could help you", "Timebank members who could help"),
    Kind.HELPEE: ("People you could help", "People they could help"),
    Kind.PEER: ("People who share a concern with you", "Peers: both chose to connect"),
    Kind.GROUP: ("Groups", "Groups"),
    Kind.EVENT: ("Events", "Events"),
    Kind.SERVICE: ("Services", "Services"),
    Kind.OPPORTUNITY: ("Opportunities", "Opportunities"),
}

#: What a link worker or coordinator is shown about a person: never people they could help.
COACH_KINDS = (Kind.PEER, Kind.HELPER, Kind.SERVICE, Kind.GROUP, Kind.EVENT, Kind.OPPORTUNITY)
HOME_KINDS = (
    Kind.HELPER,
    Kind.HELPEE,
    Kind.PEER,
    Kind.GROUP,
    Kind.EVENT,
    Kind.SERVICE,
    Kind.OPPORTUNITY,
)


@dataclass(frozen=True)
class Section:
    kind: Kind
    heading: str
    suggestions: list[Shown]


def _sections(found: dict[Kind, list[Shown]], *, coach: bool) -> list[Section]:
    return [
        Section(kind, HEADINGS[kind][1 if coach else 0], shown)
        for kind, shown in found.items()
        if shown
    ]


def suggestions_home(*, access: Access, k: int = 3) -> list[Section]:
    """Suggested for you: the asker's own suggestions of every kind with a source."""
    require(access, Perm.VIEW_COMMUNITY)
    if access.membership is None or not access.is_member:
        return []
    person: Person = access.membership.person
    return _sections(adapter.suggestions_for(person, HOME_KINDS, k=k), coach=False)


def who_could_help(*, access: Access, listing: Listing, k: int = 5) -> list[Shown]:
    """People who could help with a request: for its owner and the timebank's coordinators."""
    require(access, Perm.USE_TIMEBANK)
    if listing.community_id != access.community.pk or listing.kind != ListingKind.REQUEST:
        raise GinnelError("There is no such request in this community.")
    mine = access.membership is not None and access.membership.person.pk == listing.owner_id
    if not mine:
        require(access, Perm.COORDINATE_TIMEBANK)
    return adapter.suggestions_for(listing.owner, [Kind.HELPER], k=k, listing=listing).get(
        Kind.HELPER, []
    )


def connections_for(*, access: Access, person: Person, k: int = 5) -> list[Section]:
    """Suggested connections, for a link worker or coordinator looking at a person."""
    require(access, Perm.COACH)
    if person.community_id != access.community.pk:
        raise GinnelError("There is no such person in this community.")
    return _sections(adapter.suggestions_for(person, COACH_KINDS, k=k), coach=True)


def blocks_of(*, access: Access) -> QuerySet[Block]:
    """The people the asker asked us never to suggest to them (nor them to), by name."""
    require(access, Perm.VIEW_COMMUNITY)
    if access.membership is None:
        return Block.objects.none()
    return (
        Block.objects.filter(community=access.community, person=access.membership.person)
        .select_related("blocked")
        .order_by("blocked__display_name", "id")
    )


def is_blocked(*, access: Access, person_id: int) -> bool:
    """Has the asker blocked this person?"""
    return blocks_of(access=access).filter(blocked_id=person_id).exists()


def dismissals_of(*, access: Access) -> QuerySet[Dismissal]:
    """What the asker said was not for them, newest first."""
    require(access, Perm.VIEW_COMMUNITY)
    if access.membership is None:
        return Dismissal.objects.none()
    return Dismissal.objects.filter(
        community=access.community, person=access.membership.person
    ).order_by("-at", "-id")
