"""Read queries shared by views and commands, scoped to a community first."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

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
from ginnel.people.models import Person, User


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


@dataclass(frozen=True)
class NeighbourhoodCount:
    name: str
    members: int


@dataclass(frozen=True)
class Insights:
    active_members: int
    pending_applications: int
    by_neighbourhood: list[NeighbourhoodCount]
    without_neighbourhood: int
    by_role: dict[str, int]


def insights(*, access: Access) -> Insights:
    """Counts only, never names: what an analyst may see."""
    require(access, Perm.VIEW_INSIGHTS)
    community = access.community
    active = Q(people__membership__status=MembershipStatus.ACTIVE)
    by_neighbourhood = [
        NeighbourhoodCount(name=n.name, members=n.members)
        for n in Neighbourhood.objects.filter(community=community)
        .annotate(members=Count("people", filter=active))
        .order_by("name")
    ]
    memberships = Membership.objects.filter(community=community)
    active_count = memberships.filter(status=MembershipStatus.ACTIVE).count()
    by_role = {Role.MEMBER.label: active_count}
    for row in (
        RoleGrant.objects.filter(community=community, membership__status=MembershipStatus.ACTIVE)
        .values("role")
        .annotate(n=Count("id"))
        .order_by("role")
    ):
        by_role[Role(row["role"]).label] = row["n"]
    return Insights(
        active_members=active_count,
        pending_applications=memberships.filter(status=MembershipStatus.APPLIED).count(),
        by_neighbourhood=by_neighbourhood,
        without_neighbourhood=Person.objects.filter(
            community=community,
            membership__status=MembershipStatus.ACTIVE,
            neighbourhood__isnull=True,
        ).count(),
        by_role=by_role,
    )
