"""Reads for a coordinator's pages: the allocation queue, link workers' loads, filters.

Like the caseload, these list names, urgency, dates and where a referral came
from, never its content, so they record no read. Filters (reason, referring
organisation, the person's neighbourhood) narrow the rows and the counts
alike, so a number next to a list is always the length of that list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from ginnel.communities.models import Membership, MembershipStatus, Neighbourhood, Role, RoleGrant
from ginnel.communities.permissions import Access, Perm, require
from ginnel.referrals import selectors
from ginnel.referrals.models import (
    OPEN_STATES,
    Questionnaire,
    Referral,
    ReferralReason,
    ReferralState,
    ReferringOrganisation,
)

PER_PAGE = selectors.PER_PAGE

# The columns a list of referrals shows: enough to choose what to open next, no content.
LIST_COLUMNS = (
    "id",
    "community_id",
    "state",
    "urgency",
    "received_at",
    "accepted_at",
    "failed_contacts",
    "next_follow_up_on",
    "link_worker_id",
    "organisation_id",
    "organisation__id",
    "organisation__name",
    "person__id",
    "person__display_name",
    "person__neighbourhood_id",
    "person__neighbourhood__id",
    "person__neighbourhood__name",
)


@dataclass(frozen=True)
class ReferralFilters:
    """What a coordinator narrowed a list to; ``None`` is "any"."""

    reason: ReferralReason | None = None
    organisation: ReferringOrganisation | None = None
    neighbourhood: Neighbourhood | None = None

    @property
    def any(self) -> bool:
        return any((self.reason, self.organisation, self.neighbourhood))

    def q(self, prefix: str = "") -> Q:
        """The condition on referrals (``prefix`` reaches them from another table)."""
        condition = Q()
        if self.reason is not None:
            condition &= Q(**{f"{prefix}reason_links__reason": self.reason})
        if self.organisation is not None:
            condition &= Q(**{f"{prefix}organisation": self.organisation})
        if self.neighbourhood is not None:
            condition &= Q(**{f"{prefix}person__neighbourhood": self.neighbourhood})
        return condition


NO_FILTERS = ReferralFilters()


def _listing(rows: QuerySet[Referral]) -> QuerySet[Referral]:
    return rows.select_related("person__neighbourhood", "organisation").only(*LIST_COLUMNS)


def to_allocate(
    *,
    access: Access,
    filters: ReferralFilters = NO_FILTERS,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page[Referral]:
    """New referrals waiting for a coordinator, the longest waiting first, as filtered."""
    require(access, Perm.ALLOCATE_REFERRALS)
    rows = Referral.objects.filter(
        filters.q(), community=access.community, state=ReferralState.RECEIVED
    ).order_by("received_at", "id")
    return Paginator(_listing(rows), per_page).get_page(page)


@dataclass(frozen=True)
class WorkerLoad:
    """One link worker and how many of their cases are open, new and overdue (as filtered)."""

    membership: Membership
    open: int
    new: int
    overdue: int

    @property
    def name(self) -> str:
        return self.membership.person.display_name


def link_workers(*, access: Access) -> QuerySet[Membership]:
    """The community's active members who hold the link worker role, by name."""
    return (
        Membership.objects.filter(
            community=access.community,
            status=MembershipStatus.ACTIVE,
            pk__in=RoleGrant.objects.filter(
                community=access.community, role=Role.LINK_WORKER
            ).values("membership_id"),
        )
        .select_related("person")
        .order_by("person__display_name", "id")
    )


def worker_loads(*, access: Access, filters: ReferralFilters = NO_FILTERS) -> list[WorkerLoad]:
    """Every link worker with their counts, worked out by the database in one query."""
    require(access, Perm.ALLOCATE_REFERRALS)
    today = timezone.localdate()
    open_cases = Q(referral_cases__state__in=OPEN_STATES) & filters.q("referral_cases__")
    rows = link_workers(access=access).annotate(
        n_open=Count("referral_cases", filter=open_cases, distinct=True),
        n_new=Count(
            "referral_cases",
            filter=open_cases
            & Q(referral_cases__state=ReferralState.ACCEPTED, referral_cases__failed_contacts=0),
            distinct=True,
        ),
        n_overdue=Count(
            "referral_cases",
            filter=open_cases & Q(referral_cases__next_follow_up_on__lt=today),
            distinct=True,
        ),
    )
    return [WorkerLoad(membership=m, open=m.n_open, new=m.n_new, overdue=m.n_overdue) for m in rows]


def link_worker_get(*, access: Access, membership_id: int) -> Membership | None:
    """A link worker of this community (someone a case may be given to), or None."""
    return link_workers(access=access).filter(pk=membership_id).first()


# The caseload, filtered -----------------------------------------------------------------------


def caseload(
    *,
    access: Access,
    section: selectors.Section = "open",
    filters: ReferralFilters = NO_FILTERS,
    page: int = 1,
    link_worker: Membership | None = None,
    per_page: int = PER_PAGE,
) -> Page[Referral]:
    """One section of a caseload (as ``selectors.caseload``), narrowed by ``filters``."""
    if not filters.any:
        return selectors.caseload(
            access=access, section=section, page=page, link_worker=link_worker, per_page=per_page
        )
    scope = selectors._caseload_scope(access, link_worker).filter(filters.q())
    rows = _listing(selectors._section(scope, section))
    return Paginator(rows, per_page).get_page(page)


def caseload_counts(
    *, access: Access, filters: ReferralFilters = NO_FILTERS, link_worker: Membership | None = None
) -> selectors.CaseloadCounts:
    """How many cases each section holds, narrowed by ``filters`` (one query)."""
    scope = selectors._caseload_scope(access, link_worker).filter(filters.q())
    today = timezone.localdate()
    accepted = Q(state=ReferralState.ACCEPTED)
    found: dict[str, Any] = scope.aggregate(
        new=Count("id", filter=accepted & Q(failed_contacts=0), distinct=True),
        waiting=Count("id", filter=accepted, distinct=True),
        due_today=Count("id", filter=Q(next_follow_up_on=today), distinct=True),
        overdue=Count("id", filter=Q(next_follow_up_on__lt=today), distinct=True),
        open=Count("id", distinct=True),
    )
    return selectors.CaseloadCounts(**found)


# What the filter form offers ------------------------------------------------------------------


def filter_choices(
    *, access: Access
) -> tuple[QuerySet[ReferralReason], QuerySet[ReferringOrganisation], QuerySet[Neighbourhood]]:
    """The reasons (retired ones too: old referrals have them), organisations and neighbourhoods."""
    return (
        ReferralReason.objects.filter(community=access.community).order_by(
            "-is_active", "position", "label", "id"
        ),
        ReferringOrganisation.objects.filter(community=access.community).order_by("name", "id"),
        Neighbourhood.objects.filter(community=access.community).order_by("name", "id"),
    )


# Settings and organisations -------------------------------------------------------------------


def reasons(*, access: Access) -> QuerySet[ReferralReason]:
    require(access, Perm.ALLOCATE_REFERRALS)
    return ReferralReason.objects.filter(community=access.community).order_by(
        "-is_active", "position", "label", "id"
    )


def questionnaires(*, access: Access) -> QuerySet[Questionnaire]:
    require(access, Perm.ALLOCATE_REFERRALS)
    return Questionnaire.objects.filter(community=access.community).order_by("code", "-version")


def organisations(*, access: Access, page: int = 1, per_page: int = PER_PAGE) -> Page[Any]:
    """Referring organisations, by name, each with its referrers and how many it has sent."""
    require(access, Perm.ALLOCATE_REFERRALS)
    rows = (
        ReferringOrganisation.objects.filter(community=access.community)
        .annotate(n_referrals=Count("referrals", distinct=True))
        .prefetch_related("referrers")
        .order_by("name", "id")
    )
    return Paginator(rows, per_page).get_page(page)


def organisation_get(*, access: Access, organisation_id: int) -> ReferringOrganisation | None:
    require(access, Perm.ALLOCATE_REFERRALS)
    return ReferringOrganisation.objects.filter(
        community=access.community, pk=organisation_id
    ).first()


def referral_get(*, access: Access, referral_id: int) -> Referral | None:
    """A referral of this community for a coordinator's step (no content read, no read recorded)."""
    require(access, Perm.ALLOCATE_REFERRALS)
    return (
        Referral.objects.filter(community=access.community, pk=referral_id)
        .select_related("person")
        .first()
    )
