"""Sends that failed for good: what coordinators see, and trying one again.

A delivery fails when a provider turned it down (a bad number, an address
that cannot be posted to) or every try with backoff did not get through. The
failed sends page lists a community's failed deliveries, newest first, with
what went wrong in plain words, so a coordinator can put the address right and
try again: the delivery goes back to pending with its tries counted from
nought, and is sent after the commit.

The page needs :data:`PERMISSION` (coordinators). Failed sends of a sensitive
kind (referrals: even that someone has one is special-category data) are
listed only for those who may also read referrals (``ALLOCATE_REFERRALS``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ginnel.communities.permissions import Access, Perm, require
from ginnel.notifications import kinds, queue
from ginnel.notifications.kinds import Channel
from ginnel.notifications.models import Delivery, DeliveryStatus

PERMISSION = Perm.COORDINATE_TIMEBANK
PER_PAGE = 20


@dataclass(frozen=True)
class FailedSend:
    id: int
    what: str  # the kind's label
    recipient: str
    channel: str
    attempts: int
    error: str
    at: datetime | None


def channel_label(channel: str) -> str:
    return {
        Channel.EMAIL.value: _("Email"),
        Channel.SMS.value: _("Text message"),
        Channel.LETTER.value: _("Letter"),
    }.get(channel, channel)


def _kind_label(code: str) -> str:
    try:
        return str(kinds.get(code).label)
    except LookupError:
        return code


def _visible(access: Access) -> QuerySet[Delivery]:
    rows = Delivery.objects.filter(community=access.community)
    if not access.can(Perm.ALLOCATE_REFERRALS):
        rows = rows.exclude(
            notification__kind__in=[k.code for k in kinds.all_kinds() if k.sensitive]
        )
    return rows


def _failed(access: Access) -> QuerySet[Delivery]:
    return _visible(access).filter(status=DeliveryStatus.FAILED)


def failed_count(*, access: Access) -> int:
    """How many of the community's sends the asker may see failed for good (one query)."""
    return _failed(access).count()


def failed_sends(*, access: Access, page: Any = 1) -> Page[FailedSend]:
    """One page of the community's failed sends, the latest try first."""
    require(access, PERMISSION)
    rows = (
        _failed(access)
        .select_related("notification__recipient")
        .order_by("-claimed_at", "-id")
        .only(
            "id",
            "channel",
            "attempts",
            "last_error",
            "claimed_at",
            "notification__kind",
            "notification__recipient__display_name",
        )
    )
    found = Paginator(rows, PER_PAGE).get_page(page)
    readable = [
        FailedSend(
            id=d.pk,
            what=_kind_label(d.notification.kind),
            recipient=d.notification.recipient.display_name,
            channel=channel_label(d.channel),
            attempts=d.attempts,
            error=d.last_error or _("No reason was given."),
            at=d.claimed_at,
        )
        for d in found.object_list
    ]
    return Page(readable, found.number, found.paginator)  # type: ignore[arg-type]


def send_exists(*, access: Access, delivery_id: int) -> bool:
    """Whether ``delivery_id`` is a send of this community the asker may see, failed or not."""
    require(access, PERMISSION)
    return _visible(access).filter(pk=delivery_id).exists()


@transaction.atomic
def try_again(*, access: Access, delivery_id: int) -> bool:
    """Put a failed send back to be sent, its tries from nought; False if it is not failed now."""
    require(access, PERMISSION)
    changed = (
        _failed(access)
        .filter(pk=delivery_id)
        .update(
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=timezone.now(),
            claimed_at=None,
            last_error="",
        )
    )
    if changed:
        queue.after_commit_send([delivery_id])
    return bool(changed)
