"""Reads of referrals: scoped to the community first, then to what the asker may see.

Referral content is special category data. It is readable by the person it
is about, by the link worker it is given to, and by coordinators with the
referrals permission (``ALLOCATE_REFERRALS``). Analysts get counts only. Every
read of content by someone other than the person writes a :class:`ReferralRead`
(who, whose, what, when) in the same transaction as the read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ginnel.communities.models import Membership
from ginnel.communities.permissions import Access, Perm, require
from ginnel.errors import GinnelError, PermissionRefused
from ginnel.referrals.models import (
    OPEN_STATES,
    Administration,
    Referral,
    ReferralEvent,
    ReferralRead,
    ReferralState,
)

PER_PAGE = 25

Section = Literal["new", "waiting", "due_today", "overdue", "open"]
SECTIONS: tuple[Section, ...] = ("new", "due_today", "overdue", "waiting", "open")


def can_read_content(access: Access, referral: Referral) -> bool:
    if referral.community_id != access.community.pk or not access.is_member:
        return False
    assert access.membership is not None  # noqa: S101 (is_member implies it)
    if referral.person.membership_id == access.membership.pk:
        return True
    if access.can(Perm.ALLOCATE_REFERRALS):
        return True
    return access.can(Perm.WORK_REFERRALS) and referral.link_worker_id == access.membership.pk


def _record_read(access: Access, referral: Referral, what: str) -> None:
    assert access.membership is not None  # noqa: S101 (checked by can_read_content)
    if referral.person.membership_id != access.membership.pk:
        ReferralRead.objects.create(
            community=access.community,
            reader=access.membership,
            person_id=referral.person_id,
            referral=referral,
            what=what,
        )


@transaction.atomic
def referral_read(*, access: Access, referral_id: int, what: str = "referral") -> Referral:
    """One referral with its content, for someone allowed to read it; the read is recorded."""
    referral = (
        Referral.objects.filter(community=access.community, pk=referral_id)
        .select_related("person", "person__membership", "referrer", "organisation", "link_worker")
        .prefetch_related("reasons")
        .first()
    )
    if referral is None:
        raise GinnelError(_("There is no such referral in this community."))
    if not can_read_content(access, referral):
        raise PermissionRefused(_("Only the person's link worker and coordinators can see this."))
    _record_read(access, referral, what)
    return referral


@transaction.atomic
def referral_history(*, access: Access, referral: Referral) -> list[ReferralEvent]:
    """The whole log of one referral, oldest first; the read is recorded."""
    if not can_read_content(access, referral):
        raise PermissionRefused(_("Only the person's link worker and coordinators can see this."))
    _record_read(access, referral, "history")
    return list(
        ReferralEvent.objects.filter(community=access.community, referral=referral)
        .select_related("actor__person", "actor_referrer")
        .order_by("at", "id")
    )


@transaction.atomic
def referral_answers(*, access: Access, referral: Referral) -> list[Administration]:
    if not can_read_content(access, referral):
        raise PermissionRefused(_("Only the person's link worker and coordinators can see this."))
    _record_read(access, referral, "questionnaires")
    return list(
        Administration.objects.filter(community=access.community, referral=referral)
        .select_related("questionnaire")
        .prefetch_related("answers")
    )


def my_referrals(*, access: Access) -> QuerySet[Referral]:
    """The asker's own referrals (as the person referred): no read is recorded for these."""
    if access.membership is None or not access.is_member:
        return Referral.objects.none()
    return Referral.objects.filter(
        community=access.community, person__membership=access.membership
    ).order_by("-received_at", "-id")


# Caseloads ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseloadCounts:
    new: int
    due_today: int
    overdue: int
    waiting: int
    open: int


def _caseload_scope(access: Access, link_worker: Membership | None) -> QuerySet[Referral]:
    """Open referrals of one link worker: the asker's own, or anyone's for a coordinator."""
    if access.membership is None or not access.is_member:
        raise PermissionRefused(_("Only members of this community can do this."))
    if link_worker is None or link_worker.pk == access.membership.pk:
        if not (access.can(Perm.WORK_REFERRALS) or access.can(Perm.ALLOCATE_REFERRALS)):
            raise PermissionRefused(_("Only link workers have a caseload."))
        worker = access.membership
    else:
        require(access, Perm.ALLOCATE_REFERRALS)
        if link_worker.community_id != access.community.pk:
            raise GinnelError(_("There is no such link worker in this community."))
        worker = link_worker
    return Referral.objects.filter(
        community=access.community, link_worker=worker, state__in=OPEN_STATES
    )


def _section(scope: QuerySet[Referral], section: Section) -> QuerySet[Referral]:
    today = timezone.localdate()
    if section == "new":
        # Given to them, nothing tried yet.
        return scope.filter(state=ReferralState.ACCEPTED, failed_contacts=0).order_by(
            "received_at", "id"
        )
    if section == "waiting":
        # Not reached yet: the longest wait first.
        return scope.filter(state=ReferralState.ACCEPTED).order_by("received_at", "id")
    if section == "due_today":
        return scope.filter(next_follow_up_on=today).order_by("received_at", "id")
    if section == "overdue":
        return scope.filter(next_follow_up_on__lt=today).order_by("next_follow_up_on", "id")
    return scope.order_by("received_at", "id")


def caseload(
    *,
    access: Access,
    section: Section = "open",
    page: int = 1,
    link_worker: Membership | None = None,
    per_page: int = PER_PAGE,
) -> Page[Referral]:
    """One section of a link worker's caseload, one page at a time.

    Rows carry the person's name, urgency and dates — enough to choose what to
    open next — not the content of the referral, so listing records no read.
    """
    if section not in SECTIONS:
        raise GinnelError(_("There is no such part of the caseload."))
    rows = (
        _section(_caseload_scope(access, link_worker), section)
        .select_related("person")
        .only(
            "id",
            "community_id",
            "state",
            "urgency",
            "received_at",
            "accepted_at",
            "failed_contacts",
            "next_follow_up_on",
            "link_worker_id",
            "person__id",
            "person__display_name",
        )
    )
    return Paginator(rows, per_page).get_page(page)


def caseload_counts(*, access: Access, link_worker: Membership | None = None) -> CaseloadCounts:
    scope = _caseload_scope(access, link_worker)
    return CaseloadCounts(**{s: _section(scope, s).order_by().count() for s in SECTIONS})


def waiting_time(referral: Referral) -> timedelta:
    """How long since the referral came in, up to now or the first contact."""
    end = referral.first_contact_at or timezone.now()
    return end - referral.received_at


def to_allocate(*, access: Access, page: int = 1, per_page: int = PER_PAGE) -> Page[Referral]:
    """New referrals waiting for a coordinator, oldest and most urgent first."""
    require(access, Perm.ALLOCATE_REFERRALS)
    rows = (
        Referral.objects.filter(community=access.community, state=ReferralState.RECEIVED)
        .select_related("person", "organisation")
        .order_by("received_at", "id")
    )
    return Paginator(rows, per_page).get_page(page)


def counts_by_state(*, access: Access) -> dict[str, int]:
    """How many referrals are in each state: numbers only, for analysts and coordinators."""
    if not (access.can(Perm.VIEW_REFERRAL_COUNTS) or access.can(Perm.ALLOCATE_REFERRALS)):
        raise PermissionRefused(_("You do not have a role in this community that allows this."))
    found = dict(
        Referral.objects.filter(community=access.community)
        .values_list("state")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("state", "n")
    )
    return {state: found.get(state, 0) for state in ReferralState.values}


def reads_of(*, access: Access, referral: Referral, page: int = 1) -> Page[ReferralRead]:
    """Who has read this referral (for coordinators and, later, the person's export)."""
    require(access, Perm.ALLOCATE_REFERRALS)
    rows = ReferralRead.objects.filter(
        community=access.community, referral=referral
    ).select_related("reader__person")
    return Paginator(rows, PER_PAGE).get_page(page)
