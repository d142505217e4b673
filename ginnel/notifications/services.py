"""Telling people: :func:`notify` writes notifications and their outbox rows; the inbox's writes.

:func:`notify` is called by a capability's use-case, inside its transaction,
so a notification exists exactly when the change that caused it does. It
decides, for each recipient:

- never someone outside the community, whose membership is not active (a kind
  about an application also reaches the applicant), the actor themselves, or
  anyone a registered filter leaves out (blocking);
- the inbox always (the :class:`Notification` row);
- per channel, from the person's :class:`Preference` (or the kind's default):
  immediately (a pending delivery), in a daily or weekly digest (held), or
  not at all; a channel only where there is somewhere to send it (an email
  address; a phone and the community's texts switched on; a postal address
  and the community's letters switched on).

Deliveries are sent after the commit (``queue.after_commit_send``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import transaction
from django.utils import timezone

from ginnel.communities.models import Community, MembershipStatus
from ginnel.communities.permissions import Access
from ginnel.notifications import filters, kinds, queue
from ginnel.notifications.kinds import Channel, Frequency
from ginnel.notifications.models import (
    CommunityChannels,
    ContactSettings,
    Delivery,
    DeliveryStatus,
    Notification,
    Preference,
)
from ginnel.people.models import Person

ContextValue = str | int | float | bool | None

_inbox_only: ContextVar[bool] = ContextVar("notifications_inbox_only", default=False)


@contextmanager
def inbox_only() -> Iterator[None]:
    """Notifications written inside this block go to inboxes only, never sent.

    For generated history (the demo, benchmarks): the inboxes have something to
    show, and nobody is emailed about a year that did not happen.
    """
    token = _inbox_only.set(True)
    try:
        yield
    finally:
        _inbox_only.reset(token)


def _clean_context(context: Mapping[str, Any]) -> dict[str, ContextValue]:
    out: dict[str, ContextValue] = {}
    for key, value in context.items():
        if value is None or isinstance(value, str | int | float | bool):
            out[key] = value
        else:
            out[key] = str(value)
    return out


def address_for(person: Person, settings: ContactSettings | None, channel: Channel) -> str:
    """Where ``channel`` reaches ``person``, or "" when it does not."""
    if channel == Channel.EMAIL:
        user = person.membership.user
        return (
            (settings.email if settings else "")
            or (user.email if user is not None else "")
            or person.contact_email
        )
    if channel == Channel.SMS:
        return (settings.phone if settings else "") or person.phone
    return settings.letter_address if settings else ""


@transaction.atomic
def notify(
    *,
    community: Community,
    kind: str,
    recipients: Iterable[Person],
    url: str = "",
    context: Mapping[str, Any] | None = None,
    actor: Person | None = None,
    dedupe_key: str = "",
) -> list[Notification]:
    """Tell ``recipients`` about something: see the module's docstring for who and how."""
    found = kinds.get(kind)
    wanted = {p.pk: p for p in recipients if p.community_id == community.pk}
    if actor is not None:
        wanted.pop(actor.pk, None)
    if not wanted:
        return []
    people = {
        p.pk: p
        for p in Person.objects.filter(pk__in=wanted, community=community)
        .exclude(membership__status=MembershipStatus.LEFT)
        .select_related("membership__user")
        if found.reaches(p.membership.status)
    }
    for left_out in filters.excluded(
        community_id=community.pk,
        actor_id=actor.pk if actor is not None else None,
        recipient_ids=list(people),
    ):
        people.pop(left_out, None)
    if dedupe_key:
        for already in Notification.objects.filter(
            recipient_id__in=people, kind=kind, dedupe_key=dedupe_key
        ).values_list("recipient_id", flat=True):
            people.pop(already, None)
    if not people:
        return []

    chosen: dict[tuple[int, str], str] = {
        (person_id, channel): frequency
        for person_id, channel, frequency in Preference.objects.filter(
            person_id__in=people, kind=kind
        ).values_list("person_id", "channel", "frequency")
    }
    contact = {s.person_id: s for s in ContactSettings.objects.filter(person_id__in=people)}
    paid = CommunityChannels.objects.filter(community=community).first()
    enabled = {
        Channel.EMAIL: True,
        Channel.SMS: bool(paid and paid.texts_enabled),
        Channel.LETTER: bool(paid and paid.letters_enabled),
    }

    now = timezone.now()
    data = _clean_context(context or {})
    made = Notification.objects.bulk_create(
        [
            Notification(
                community=community,
                recipient=person,
                kind=kind,
                actor=actor,
                url=url,
                context=data,
                dedupe_key=dedupe_key,
                created_at=now,
            )
            for person in people.values()
        ]
    )
    deliveries: list[Delivery] = []
    for notification in made if not _inbox_only.get() else []:
        person = people[notification.recipient_id]
        for channel in Channel:
            frequency = chosen.get((person.pk, channel.value), found.default_for(channel))
            if frequency == Frequency.OFF or not enabled[channel]:
                continue
            if not address_for(person, contact.get(person.pk), channel):
                continue
            deliveries.append(
                Delivery(
                    community=community,
                    notification=notification,
                    channel=channel.value,
                    frequency=frequency,
                    status=(
                        DeliveryStatus.PENDING
                        if frequency == Frequency.IMMEDIATELY
                        else DeliveryStatus.HELD
                    ),
                    idempotency_key=f"{notification.pk}:{channel.value}",
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    saved = Delivery.objects.bulk_create(deliveries)
    queue.after_commit_send([d.pk for d in saved if d.status == DeliveryStatus.PENDING])
    return made


# The inbox ------------------------------------------------------------------------------------


def _mine(access: Access) -> Any:
    if access.membership is None:
        return Notification.objects.none()
    return Notification.objects.filter(
        community=access.community, recipient__membership=access.membership
    )


@transaction.atomic
def mark_read(*, access: Access, notification_id: int) -> bool:
    """Mark one of the asker's own notifications read; False if there is no such one of theirs."""
    return bool(
        _mine(access)
        .filter(pk=notification_id, read_at__isnull=True)
        .update(read_at=timezone.now())
        or _mine(access).filter(pk=notification_id).exists()
    )


@transaction.atomic
def mark_all_read(*, access: Access) -> int:
    """Mark every unread notification of the asker's read; how many were."""
    return int(_mine(access).filter(read_at__isnull=True).update(read_at=timezone.now()))


def seen(*, person: Person, kind: str, url: str) -> int:
    """Mark read a person's unread notifications of ``kind`` about ``url`` (they acted on it)."""
    return int(
        Notification.objects.filter(
            recipient=person, kind=kind, url=url, read_at__isnull=True
        ).update(read_at=timezone.now())
    )
