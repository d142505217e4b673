"""The person's unread notifications: the header's count and a line of "waiting for you".

Both read :func:`ginnel.notifications.selectors.unread_count` — the same
source as the inbox — and a page asks it once: the count is kept on the
request's membership (resolved afresh for every request), so the home page,
which shows both, still makes a single COUNT query.

The home page's other lines ("1 exchange with hours for you to confirm") are
counted from the things themselves and stay: they say what to do; this line
says what is new. Acting on a thing marks its notification read where the
emitting capability calls :func:`ginnel.notifications.services.seen`.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import ngettext

from ginnel.communities.permissions import Access
from ginnel.communities.waiting import Section, WaitingItem
from ginnel.notifications import failed, selectors

_KEPT = "_ginnel_unread_notifications"


def unread_for_page(*, access: Access) -> int:
    """How many notifications the asker has not read (0 for non-members); one query a request."""
    membership = access.membership
    if membership is None or not access.is_member:
        return 0
    kept = getattr(membership, _KEPT, None)
    if kept is None:
        kept = selectors.unread_count(access=access)
        setattr(membership, _KEPT, kept)
    return int(kept)


def notifications_waiting(*, access: Access) -> list[WaitingItem]:
    """ "N new notifications", linking to the inbox, when there are any; for coordinators,
    the messages that could not be sent (one count query)."""
    items = _failed_waiting(access)
    unread = unread_for_page(access=access)
    if not unread:
        return items
    return [
        *items,
        WaitingItem(
            section=Section.YOURS,
            text=ngettext("%(count)d new notification", "%(count)d new notifications", unread)
            % {"count": unread},
            count=unread,
            url=reverse("notifications:inbox", args=[access.community.slug]),
            order=5,
        ),
    ]


def _failed_waiting(access: Access) -> list[WaitingItem]:
    if not access.can(failed.PERMISSION):
        return []
    count = failed.failed_count(access=access)
    if not count:
        return []
    return [
        WaitingItem(
            section=Section.QUEUES,
            text=ngettext(
                "%(count)d message could not be sent",
                "%(count)d messages could not be sent",
                count,
            )
            % {"count": count},
            count=count,
            url=reverse("notifications:failed", args=[access.community.slug]),
            order=80,
        )
    ]
