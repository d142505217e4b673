"""What referrals tell people: the kinds, the helpers the services call, the daily reminder.

Every kind here is ``sensitive``: a referral is special category data. The
context holds only the person's name (for staff, in the inbox behind a login)
and plain facts of the workflow (a date, a number of days) — never the
reasons, what matters to the person, risks, notes, a follow-up's purpose or
the referrer's words. Other channels than the inbox say only that something is
waiting, with its link.

- ``referrals.received``: a new referral waits to be allocated; told to those
  who allocate (``ALLOCATE_REFERRALS``). Staff.
- ``referrals.assigned``: a referral was given to a link worker (accepted for
  them, or moved to them); told to that link worker. Staff.
- ``referrals.contact_due``: a link worker's case needs contact today: a
  follow-up is due (or overdue), or first contact has waited
  :data:`FIRST_CONTACT_WAIT_DAYS` days or more. Made by :func:`referrals_remind`,
  once a referral a day. Staff; by email at once by default (it says "today",
  which a digest sent the next morning would make wrong).
- ``referrals.closed``: a case closed; told to its link worker (unless they
  closed it). Staff.
- ``referrals.your_referral_closed``: the same, told to the person referred
  when they have a login of their own.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ginnel.communities.models import Membership, MembershipStatus, Role
from ginnel.communities.permissions import ROLE_PERMISSIONS, Perm
from ginnel.notifications.kinds import Kind, register
from ginnel.notifications.services import notify
from ginnel.people.models import Person
from ginnel.referrals.models import Referral, ReferralState

#: First contact still not made this many days after the referral was accepted: remind.
FIRST_CONTACT_WAIT_DAYS = 3

RECEIVED = Kind(
    code="referrals.received",
    label=_("A new referral to allocate"),
    audience=_("Coordinators who allocate referrals"),
    templates="referrals/notifications/received",
    sensitive=True,
    staff=True,
)
ASSIGNED = Kind(
    code="referrals.assigned",
    label=_("A referral given to you"),
    audience=_("The link worker it is given to"),
    templates="referrals/notifications/assigned",
    sensitive=True,
    staff=True,
)
CONTACT_DUE = Kind(
    code="referrals.contact_due",
    label=_("A referral on your caseload needs contact"),
    audience=_("The referral's link worker"),
    templates="referrals/notifications/contact_due",
    sensitive=True,
    staff=True,
)
CLOSED = Kind(
    code="referrals.closed",
    label=_("A referral on your caseload closed"),
    audience=_("The referral's link worker"),
    templates="referrals/notifications/closed",
    sensitive=True,
    staff=True,
)
YOUR_REFERRAL_CLOSED = Kind(
    code="referrals.your_referral_closed",
    label=_("Your referral closed"),
    audience=_("The person referred, when they log in to Ginnel"),
    templates="referrals/notifications/your_referral_closed",
    sensitive=True,
)
KINDS = (RECEIVED, ASSIGNED, CONTACT_DUE, CLOSED, YOUR_REFERRAL_CLOSED)


def register_kinds() -> None:
    """Called from ``ReferralsConfig.ready()``."""
    for kind in KINDS:
        register(kind)


def allocators(community_id: int) -> QuerySet[Person]:
    """The active people of the community whose roles let them allocate referrals."""
    roles = [
        r
        for r, perms in ROLE_PERMISSIONS.items()
        if Perm.ALLOCATE_REFERRALS in perms and r != Role.MEMBER
    ]
    return Person.objects.filter(
        community_id=community_id,
        membership__status=MembershipStatus.ACTIVE,
        membership__grants__role__in=roles,
    ).distinct()


def _person_of(membership: Membership | None) -> Person | None:
    if membership is None:
        return None
    return Person.objects.filter(membership=membership).first()


def _case_url(referral: Referral) -> str:
    return reverse("referrals:case", args=[referral.community.slug, referral.pk])


def referral_received(*, referral: Referral, actor: Membership | None) -> None:
    """A new referral waits to be allocated (inside the transaction that wrote it)."""
    notify(
        community=referral.community,
        kind=RECEIVED.code,
        recipients=allocators(referral.community_id),
        url=_case_url(referral),
        context={"person": referral.person.display_name},
        actor=_person_of(actor),
        dedupe_key=f"referral:{referral.pk}",
    )


def referral_assigned(*, referral: Referral, actor: Membership) -> None:
    """The referral's (new) link worker is told it is theirs now."""
    worker = _person_of(referral.link_worker)
    if worker is None:
        return
    notify(
        community=referral.community,
        kind=ASSIGNED.code,
        recipients=[worker],
        url=_case_url(referral),
        context={"person": referral.person.display_name},
        actor=_person_of(actor),
    )


def referral_closed(*, referral: Referral, actor: Membership | None) -> None:
    """The link worker, and the person if they log in, hear the referral closed."""
    by = _person_of(actor)
    worker = _person_of(referral.link_worker)
    if worker is not None:
        notify(
            community=referral.community,
            kind=CLOSED.code,
            recipients=[worker],
            url=_case_url(referral),
            context={"person": referral.person.display_name},
            actor=by,
            dedupe_key=f"referral:{referral.pk}",
        )
    person = referral.person
    if person.membership.user_id is not None:
        notify(
            community=referral.community,
            kind=YOUR_REFERRAL_CLOSED.code,
            recipients=[person],
            url=reverse("referrals:mine", args=[referral.community.slug]),
            context={},
            actor=by,
            dedupe_key=f"referral:{referral.pk}",
        )


# The daily reminder ---------------------------------------------------------------------------


def referrals_remind(now: datetime | None = None) -> int:
    """Tell each link worker about their cases that need contact today; how many were told.

    A case needs contact when its earliest open follow-up is due today or
    overdue, or when it was accepted :data:`FIRST_CONTACT_WAIT_DAYS` or more
    days ago and nobody has reached the person yet. Each case is mentioned at
    most once a day (the dedupe key holds the referral and the date), so
    running this twice, or on two workers at once, tells once. Run daily by
    the job queue.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    waited_since = now - timedelta(days=FIRST_CONTACT_WAIT_DAYS)
    due = (
        Referral.objects.filter(
            link_worker__isnull=False,
            link_worker__status=MembershipStatus.ACTIVE,
        )
        .filter(
            Q(
                state__in=(
                    ReferralState.ACCEPTED,
                    ReferralState.CONTACTED,
                    ReferralState.ENGAGED,
                ),
                next_follow_up_on__lte=today,
            )
            | Q(state=ReferralState.ACCEPTED, accepted_at__lte=waited_since)
        )
        .select_related("community", "person", "link_worker__person")
        .order_by("community_id", "id")
    )
    told = 0
    for referral in due.iterator(chunk_size=500):
        worker = referral.link_worker.person if referral.link_worker is not None else None
        if worker is None:
            continue
        follow_up = referral.next_follow_up_on is not None and referral.next_follow_up_on <= today
        waited = (now - referral.accepted_at).days if referral.accepted_at else 0
        try:
            with transaction.atomic():
                made = notify(
                    community=referral.community,
                    kind=CONTACT_DUE.code,
                    recipients=[worker],
                    url=_case_url(referral),
                    context={
                        "person": referral.person.display_name,
                        "follow_up": follow_up,
                        "overdue": follow_up
                        and referral.next_follow_up_on is not None
                        and referral.next_follow_up_on < today,
                        "days_waiting": waited,
                    },
                    dedupe_key=f"referral:{referral.pk}:{today.isoformat()}",
                )
        except IntegrityError:
            continue  # another run told them of this case today, a moment ago
        told += len(made)
    return told
