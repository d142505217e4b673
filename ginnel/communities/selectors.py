"""Read queries shared by views and commands, scoped to a community first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, DateField, F, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Lower
from django.utils.translation import gettext

from ginnel.communities.models import (
    Community,
    CommunityEvent,
    Invitation,
    Membership,
    MembershipStatus,
    Neighbourhood,
    Role,
    RoleGrant,
    SignupMode,
)
from ginnel.communities.permissions import Access, Perm, require
from ginnel.people.email_check import shown_to_others_q
from ginnel.people.models import Person, User
from ginnel.ui.ids import is_id


def communities_of(user: User) -> QuerySet[Community]:
    """The communities where this user is an active member, for the switcher."""
    return Community.objects.filter(
        memberships__user=user, memberships__status=MembershipStatus.ACTIVE
    ).order_by("name")


def communities_to_join(user: User | None) -> QuerySet[Community]:
    """Communities open to sign-up or application, leaving out any the user is in or applied to."""
    found = Community.objects.exclude(signup_mode=SignupMode.INVITATION)
    if user is not None:
        found = found.exclude(pk__in=Membership.objects.filter(user=user).values("community_id"))
    return found.order_by("name")


def communities_applied(user: User) -> QuerySet[Community]:
    """Communities where the user's application is waiting for a coordinator."""
    return Community.objects.filter(
        memberships__user=user, memberships__status=MembershipStatus.APPLIED
    ).order_by("name")


def neighbourhoods_of(community: Community) -> QuerySet[Neighbourhood]:
    return Neighbourhood.objects.filter(community=community).order_by("name")


def neighbourhoods_for_settings(*, access: Access) -> QuerySet[Neighbourhood]:
    """Every neighbourhood, retired ones last, each with how many people live there."""
    require(access, Perm.MANAGE_COMMUNITY)
    return (
        Neighbourhood.objects.filter(community=access.community)
        .annotate(people_count=Count("people"))
        .order_by(F("retired_at").asc(nulls_first=True), "name")
    )


def neighbourhood_get(*, access: Access, neighbourhood_id: int) -> Neighbourhood | None:
    require(access, Perm.MANAGE_COMMUNITY)
    return (
        Neighbourhood.objects.filter(community=access.community, pk=neighbourhood_id)
        .annotate(people_count=Count("people"))
        .first()
    )


def members_list(
    *, access: Access, search: str = "", neighbourhood_id: int | None = None
) -> QuerySet[Person]:
    require(access, Perm.VIEW_MEMBERS)
    people = (
        Person.objects.filter(
            community=access.community, membership__status=MembershipStatus.ACTIVE
        )
        .select_related("neighbourhood", "membership__user")
        .prefetch_related("membership__grants")
        .order_by("display_name", "id")
    )
    if search:
        people = people.filter(
            Q(display_name__icontains=search) | Q(membership__user__email__icontains=search)
        )
    if neighbourhood_id is not None:
        people = people.filter(neighbourhood_id=neighbourhood_id)
    return people


def member_get(*, access: Access, person_id: int) -> Person | None:
    return members_list(access=access).filter(pk=person_id).first()


def applications_pending(*, access: Access) -> QuerySet[Person]:
    require(access, Perm.DECIDE_APPLICATIONS)
    return (
        Person.objects.filter(
            community=access.community, membership__status=MembershipStatus.APPLIED
        )
        .select_related("neighbourhood", "membership__user")
        .order_by("membership__created_at", "id")
    )


def invitations_list(*, access: Access) -> QuerySet[Invitation]:
    require(access, Perm.INVITE)
    return Invitation.objects.filter(community=access.community).order_by("-created_at")


def events_recent(*, access: Access, limit: int = 50) -> QuerySet[CommunityEvent]:
    require(access, Perm.MANAGE_COMMUNITY)
    return (
        CommunityEvent.objects.filter(community=access.community)
        .select_related("actor__person", "subject__person")
        .order_by("-at", "-id")[:limit]
    )


#: Counts under this are shown to analysts as "fewer than 5", so no one can be picked out.
SMALLEST = 5


def counts_exact(access: Access) -> bool:
    """Whether the asker sees small counts exactly: those who may see the members
    themselves (coordinators, administrators); analysts see counts only, small ones hidden."""
    return access.can(Perm.VIEW_MEMBERS)


def count_shown(value: int, *, exact: bool) -> str:
    """A count as the asker may read it: under :data:`SMALLEST` (but not 0) as "fewer
    than 5", unless ``exact``."""
    if exact or value == 0 or value >= SMALLEST:
        return str(value)
    return gettext("fewer than %(smallest)d") % {"smallest": SMALLEST}


@dataclass(frozen=True)
class CountRow:
    """One row of counts: what it counts, the number, and the number as the asker may read it."""

    name: str
    count: int
    shown: str


@dataclass(frozen=True)
class Insights:
    #: Members are people with an active membership, staff included, on every page.
    active_members: int
    pending_applications: int
    #: The two above, as rows to show.
    summary: list[CountRow]
    by_neighbourhood: list[CountRow]
    without_neighbourhood: CountRow
    by_role: list[CountRow]


def insights(*, access: Access) -> Insights:
    """Counts only, never names: what an analyst may see (small counts hidden from them)."""
    require(access, Perm.VIEW_INSIGHTS)
    community = access.community
    exact = counts_exact(access)

    def row(name: str, value: int) -> CountRow:
        return CountRow(name=name, count=value, shown=count_shown(value, exact=exact))

    active = Q(people__membership__status=MembershipStatus.ACTIVE)
    by_neighbourhood = [
        row(n.name, n.members)
        for n in Neighbourhood.objects.filter(community=community)
        .annotate(members=Count("people", filter=active))
        .order_by("name")
    ]
    memberships = Membership.objects.filter(community=community)
    active_count = memberships.filter(status=MembershipStatus.ACTIVE).count()
    by_role = {Role.MEMBER: active_count}
    for grant in (
        RoleGrant.objects.filter(community=community, membership__status=MembershipStatus.ACTIVE)
        .values("role")
        .annotate(n=Count("id"))
        .order_by("role")
    ):
        by_role[Role(grant["role"])] = grant["n"]
    pending = memberships.filter(status=MembershipStatus.APPLIED).count()
    return Insights(
        active_members=active_count,
        pending_applications=pending,
        summary=[
            row(gettext("Active members"), active_count),
            row(gettext("Applications waiting"), pending),
        ],
        by_neighbourhood=by_neighbourhood,
        without_neighbourhood=row(
            gettext("Not given"),
            Person.objects.filter(
                community=community,
                membership__status=MembershipStatus.ACTIVE,
                neighbourhood__isnull=True,
            ).count(),
        ),
        by_role=[row(str(role.label), n) for role, n in by_role.items()],
    )


# Choosing a person -------------------------------------------------------------------------------

#: The most people one search returns; a picker asks for one more to know there are more.
PEOPLE_SEARCH_LIMIT = 20


@dataclass(frozen=True)
class PersonMatch:
    """A member found by a search, with what tells them apart that the asker may see."""

    person: Person
    # Empty when the person chose not to show their neighbourhood to other members.
    neighbourhood: str
    # The part of their email before the @, only for roles that see members' contact details.
    email_name: str
    member_number: int
    # The last day the asker and this person exchanged time, when a capability says so.
    recent_on: date | None


def people_search(
    *,
    access: Access,
    text: str = "",
    ids: Sequence[int] = (),
    exclude_ids: Sequence[int] = (),
    limit: int = PEOPLE_SEARCH_LIMIT,
    recent: Subquery | None = None,
) -> list[PersonMatch]:
    """Active members of the asker's community whose name holds every word of ``text``
    (or whose member number it is), or those of ``ids``; at most ``limit``, one query.

    ``recent`` is a subquery a capability supplies, giving the last date the asker
    and each person had something to do with each other (``OuterRef("pk")`` is the
    person); people with a recent date come first, the most recent first.
    """
    require(access, Perm.VIEW_COMMUNITY)
    staff = access.can(Perm.VIEW_MEMBERS)
    people = (
        Person.objects.filter(
            community=access.community, membership__status=MembershipStatus.ACTIVE
        )
        .select_related("neighbourhood", "membership__user")
        .annotate(
            shares_neighbourhood=Coalesce(F("strengths__share_neighbourhood"), Value(True)),
            recent_on=recent if recent is not None else Value(None, output_field=DateField()),
        )
    )
    if exclude_ids:
        people = people.exclude(pk__in=list(exclude_ids))
    if not staff:
        # Members are not offered someone who has not checked their email address yet.
        people = people.filter(shown_to_others_q())
    if ids:
        people = people.filter(pk__in=list(ids))
    else:
        words = text.split()[:5]
        if not words:
            return []
        by_name = Q()
        for word in words:
            by_name &= Q(display_name__icontains=word)
        if len(words) == 1 and is_id(words[0]):
            by_name |= Q(pk=int(words[0]))
        people = people.filter(by_name)
    order = (F("recent_on").desc(nulls_last=True), Lower("display_name"), "id")
    found = people.order_by(*order)[:limit]
    return [
        PersonMatch(
            person=p,
            neighbourhood=(
                p.neighbourhood.name
                if p.neighbourhood is not None and (staff or p.shares_neighbourhood)
                else ""
            ),
            email_name=_email_name(p) if staff else "",
            member_number=p.pk,
            recent_on=p.recent_on,
        )
        for p in found
    ]


def _email_name(person: Person) -> str:
    user = person.membership.user
    email = person.contact_email or (user.email if user is not None else "")
    return email.split("@", 1)[0]
