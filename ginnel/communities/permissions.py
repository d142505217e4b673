"""Who may do what: the one place Ginnel decides it.

Roles grant permissions; every community page names the permission it needs
through :func:`community_view`, which resolves the community from the URL and
the asker's membership, then refuses anyone without that permission. Services
call :func:`require` for the same check when they are used outside a view.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Concatenate, ParamSpec, cast

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from ginnel.communities.models import Community, Membership, MembershipStatus, Role
from ginnel.errors import PermissionRefused
from ginnel.people.models import User


class Perm(enum.StrEnum):
    VIEW_COMMUNITY = "view_community"
    EDIT_OWN_RECORD = "edit_own_record"
    VIEW_MEMBERS = "view_members"
    RECORD_PERSON = "record_person"
    DECIDE_APPLICATIONS = "decide_applications"
    INVITE = "invite"
    VIEW_INSIGHTS = "view_insights"
    MANAGE_ROLES = "manage_roles"
    MANAGE_COMMUNITY = "manage_community"
    USE_TIMEBANK = "use_timebank"
    COORDINATE_TIMEBANK = "coordinate_timebank"
    VIEW_NETWORK = "view_network"
    COACH = "coach"
    VIEW_ISOLATED_NAMES = "view_isolated_names"
    EDIT_DIRECTORY = "edit_directory"  # entries of the organisations one edits for
    REVIEW_DIRECTORY = "review_directory"  # any entry: review, edit, publish events
    IMPORT_DIRECTORY = "import_directory"  # feeds in and out, all at once
    REFER = "refer"  # send a referral: for oneself, or for someone else with their agreement
    WORK_REFERRALS = "work_referrals"  # work the referrals one is the link worker for
    ALLOCATE_REFERRALS = "allocate_referrals"  # any referral: allocate, rebalance, read, act
    VIEW_REFERRAL_COUNTS = "view_referral_counts"  # numbers only, never names or content


_MEMBER = frozenset({Perm.VIEW_COMMUNITY, Perm.EDIT_OWN_RECORD, Perm.USE_TIMEBANK, Perm.REFER})

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.MEMBER: _MEMBER,
    Role.COORDINATOR: _MEMBER
    | {
        Perm.VIEW_MEMBERS,
        Perm.RECORD_PERSON,
        Perm.DECIDE_APPLICATIONS,
        Perm.INVITE,
        Perm.VIEW_INSIGHTS,
        Perm.COORDINATE_TIMEBANK,
        Perm.VIEW_NETWORK,
        Perm.VIEW_ISOLATED_NAMES,
        Perm.COACH,
        Perm.EDIT_DIRECTORY,
        Perm.REVIEW_DIRECTORY,
        Perm.ALLOCATE_REFERRALS,
        Perm.VIEW_REFERRAL_COUNTS,
    },
    Role.LINK_WORKER: _MEMBER
    | {Perm.VIEW_MEMBERS, Perm.RECORD_PERSON, Perm.COACH, Perm.WORK_REFERRALS},
    Role.ORG_EDITOR: _MEMBER | {Perm.EDIT_DIRECTORY},
    Role.ANALYST: _MEMBER | {Perm.VIEW_INSIGHTS, Perm.VIEW_NETWORK, Perm.VIEW_REFERRAL_COUNTS},
    Role.ADMINISTRATOR: frozenset(Perm),
}


@dataclass(frozen=True)
class Access:
    """The asker's standing in one community, resolved once per request."""

    community: Community
    membership: Membership | None
    roles: frozenset[Role] = field(default_factory=frozenset)

    @property
    def is_member(self) -> bool:
        return self.membership is not None and self.membership.status == MembershipStatus.ACTIVE

    @property
    def permissions(self) -> frozenset[Perm]:
        granted: set[Perm] = set()
        for role in self.roles:
            granted |= ROLE_PERMISSIONS[role]
        return frozenset(granted)

    def can(self, perm: Perm) -> bool:
        return perm in self.permissions

    def has_role(self, role: Role) -> bool:
        return role in self.roles


def roles_of(membership: Membership | None) -> frozenset[Role]:
    if membership is None or membership.status != MembershipStatus.ACTIVE:
        return frozenset()
    return frozenset({Role.MEMBER, *(Role(g.role) for g in membership.grants.all())})


def access_for(user: User | AnonymousUser, community: Community) -> Access:
    membership = None
    if isinstance(user, User):
        membership = (
            Membership.objects.filter(community=community, user=user)
            .select_related("person", "person__neighbourhood")
            .prefetch_related("grants")
            .first()
        )
    return Access(community=community, membership=membership, roles=roles_of(membership))


def require(access: Access, perm: Perm) -> None:
    if not access.can(perm):
        raise PermissionRefused(_("You do not have a role in this community that allows this."))


P = ParamSpec("P")
CommunityView = Callable[Concatenate[HttpRequest, Access, P], HttpResponse]
RoutedView = Callable[Concatenate[HttpRequest, str, P], HttpResponse]


def community_view(perm: Perm) -> Callable[[CommunityView[P]], RoutedView[P]]:
    """Resolve ``/c/<community>/…`` and refuse askers without ``perm``.

    Anonymous visitors are sent to log in; members without the permission, and
    people who are not members of this community at all, get 403.
    """

    def decorate(view: CommunityView[P]) -> RoutedView[P]:
        @wraps(view)
        def wrapper(
            request: HttpRequest, community: str, *args: P.args, **kwargs: P.kwargs
        ) -> HttpResponse:
            found = get_object_or_404(Community, slug=community)
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            access = access_for(request.user, found)
            if not access.can(perm):
                raise PermissionDenied(
                    _("You do not have a role in this community that allows this.")
                )
            if request.session.get("community") != found.slug:
                request.session["community"] = found.slug  # where "/" takes them next time
            return view(request, access, *args, **kwargs)

        return cast("RoutedView[P]", wrapper)

    return decorate
