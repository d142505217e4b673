"""Suggestions as the pages ask for them, each scoped to what the asker may see."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ginnel.communities.permissions import Access, Perm, require
from ginnel.errors import GinnelError
from ginnel.matching import adapter
from ginnel.matching.adapter import Shown
from ginnel.matching.engine import Kind
from ginnel.matching.models import Block, Dismissal, Introduction, IntroductionState
from ginnel.people.models import Person
from ginnel.timebank.models import Listing, ListingKind

#: Headings: as a member reads them about themselves, and as a coach reads them about a person.
HEADINGS: dict[Kind, tuple[Promise, Promise]] = {
    Kind.HELPER: (
        gettext_lazy("People who could help you"),
        gettext_lazy("Timebank members who could help"),
    ),
    Kind.HELPEE: (gettext_lazy("People you could help"), gettext_lazy("People they could help")),
    Kind.PEER: (
        gettext_lazy("People who share a concern with you"),
        gettext_lazy("Peers: both chose to connect"),
    ),
    Kind.GROUP: (gettext_lazy("Groups"), gettext_lazy("Groups")),
    Kind.EVENT: (gettext_lazy("Events"), gettext_lazy("Events")),
    Kind.SERVICE: (gettext_lazy("Services"), gettext_lazy("Services")),
    Kind.OPPORTUNITY: (gettext_lazy("Opportunities"), gettext_lazy("Opportunities")),
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
        Section(kind, str(HEADINGS[kind][1 if coach else 0]), shown)
        for kind, shown in found.items()
        if shown
    ]


def _acting_for(shown: Shown, person: Person) -> Shown:
    """A suggestion as a coach sees it on a person's page: its action is for that person."""
    action = shown.candidate.action
    if action is None:
        return shown
    return replace(shown, candidate=replace(shown.candidate, action=action.acting_for(person)))


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
        raise GinnelError(_("There is no such request in this community."))
    mine = access.membership is not None and access.membership.person.pk == listing.owner_id
    if not mine:
        require(access, Perm.COORDINATE_TIMEBANK)
    found = adapter.suggestions_for(listing.owner, [Kind.HELPER], k=k, listing=listing).get(
        Kind.HELPER, []
    )
    # A coordinator on someone's request acts for them: "Ask Hana for this, for Mo".
    return found if mine else [_acting_for(s, listing.owner) for s in found]


def connections_for(*, access: Access, person: Person, k: int = 5) -> list[Section]:
    """Suggested connections, for a link worker or coordinator looking at a person."""
    require(access, Perm.COACH)
    if person.community_id != access.community.pk:
        raise GinnelError(_("There is no such person in this community."))
    found = adapter.suggestions_for(person, COACH_KINDS, k=k)
    return _sections(
        {kind: [_acting_for(s, person) for s in shown] for kind, shown in found.items()},
        coach=True,
    )


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


def introductions_queue(
    *, access: Access, state: str, page: int | str = 1, per_page: int = 20
) -> Page[Introduction]:
    """A coordinator's queue: the introductions in one state, newest first."""
    require(access, Perm.COORDINATE_TIMEBANK)
    found = (
        Introduction.objects.filter(community=access.community, state=state)
        .select_related("person", "other", "requested_by__person", "decided_by__person")
        .order_by("-at", "-id")
    )
    return Paginator(found, per_page).get_page(page)


def introduction_exists(*, access: Access, introduction_id: int) -> bool:
    require(access, Perm.COORDINATE_TIMEBANK)
    return Introduction.objects.filter(community=access.community, pk=introduction_id).exists()


def introduction_counts(*, access: Access) -> dict[str, int]:
    """How many introductions are in each state, for the queue's tabs."""
    require(access, Perm.COORDINATE_TIMEBANK)
    counts = dict.fromkeys(IntroductionState.values, 0)
    for state, n in (
        Introduction.objects.filter(community=access.community)
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    ):
        counts[state] = n
    return counts


def introductions_about_me(*, access: Access, limit: int = 20) -> list[Introduction]:
    """Introductions about the asker: those asked for them (in every state), and those
    made to them by a coordinator. One asked for with them as the other person stays
    unseen until a coordinator has made it: they are spoken to first."""
    require(access, Perm.VIEW_COMMUNITY)
    if access.membership is None or not access.is_member:
        return []
    me = access.membership.person
    return list(
        Introduction.objects.filter(community=access.community)
        .filter(Q(person=me) | Q(other=me, state=IntroductionState.MADE))
        .select_related("person", "other", "requested_by__person")
        .order_by("-at", "-id")[:limit]
    )
