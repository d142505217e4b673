"""What the directory tells people: entries due for review, and a feed that failed to import.

- ``directory.review_due``: an organisation's entries have not been checked
  for twelve months (``selectors.review.review_due_q``); its editors are told,
  by :func:`~ginnel.directory.services.editing.reviews_remind` (``ginnel
  remind_reviews``, daily; each entry at most once in 30 days). That function
  still sends its own reminder email, so this kind goes to the inbox only
  unless an editor chooses email too.
- ``directory.feed_failed``: an Open Referral import (``ginnel import_hsds``,
  or a scheduled feed sync through ``directory_import``) was refused or broke;
  the people who look after the whole directory (``REVIEW_DIRECTORY``:
  coordinators and administrators) are told, once a feed a day. A staff kind.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ginnel.communities.models import Community, MembershipStatus, Role
from ginnel.communities.permissions import ROLE_PERMISSIONS, Perm
from ginnel.directory.models import Organization, Service
from ginnel.notifications.kinds import Kind, register
from ginnel.notifications.services import notify
from ginnel.people.models import Person

REVIEW_DUE = Kind(
    code="directory.review_due",
    label=_("Directory entries due for review"),
    audience=_("The organisation's editors"),
    templates="directory/notifications/review_due",
    defaults={},
    staff=True,
)
FEED_FAILED = Kind(
    code="directory.feed_failed",
    label=_("A directory feed could not be imported"),
    audience=_("Coordinators who look after the directory"),
    templates="directory/notifications/feed_failed",
    staff=True,
)
KINDS = (REVIEW_DUE, FEED_FAILED)
#: How many entries a reminder names; the page lists them all.
NAMED = 10


def register_kinds() -> None:
    """Called from ``DirectoryConfig.ready()``."""
    for kind in KINDS:
        register(kind)


def directory_keepers(community_id: int) -> QuerySet[Person]:
    """The active people of the community who may review any directory entry."""
    roles = [
        r
        for r, perms in ROLE_PERMISSIONS.items()
        if Perm.REVIEW_DIRECTORY in perms and r != Role.MEMBER
    ]
    return Person.objects.filter(
        community_id=community_id,
        membership__status=MembershipStatus.ACTIVE,
        membership__grants__role__in=roles,
    ).distinct()


def review_due(*, organization: Organization, services: Sequence[Service], now: datetime) -> None:
    """Tell the organisation's editors these entries are due (inside the reminder's transaction)."""
    names = [s.name for s in services]
    notify(
        community=organization.community,
        kind=REVIEW_DUE.code,
        recipients=organization.editors.all(),
        url=reverse(
            "directory:manage_organisation", args=[organization.community.slug, organization.pk]
        ),
        context={
            "organisation": organization.name,
            "count": len(names),
            "entries": "\n".join(f"- {n}" for n in names[:NAMED]),
            "more": max(0, len(names) - NAMED),
        },
        dedupe_key=f"organisation:{organization.pk}:{timezone.localdate(now).isoformat()}",
    )


def feed_failed(
    *, community: Community, source: str, problems: int, message: str, now: datetime | None = None
) -> None:
    """Tell the directory's keepers a feed was not imported; once a feed a day.

    Called after the import's own transaction has rolled back, so it writes in
    one of its own; a second failure of the same feed on the same day is not
    told again.
    """
    day = timezone.localdate(now or timezone.now()).isoformat()
    feed = hashlib.sha256(source.encode()).hexdigest()[:16]
    try:
        with transaction.atomic():
            notify(
                community=community,
                kind=FEED_FAILED.code,
                recipients=directory_keepers(community.pk),
                url=reverse("directory:review_queue", args=[community.slug]),
                context={"source": source[:200], "problems": problems, "message": message[:500]},
                dedupe_key=f"feed:{feed}:{day}",
            )
    except IntegrityError:
        pass  # told already today, by a run a moment ago
