"""Sending the outbox: each delivery claimed once, sent, and retried with backoff until it goes.

The rules it keeps:

- **One sender per delivery.** A worker claims a delivery with one
  conditional update (``pending`` and due → ``sending``, ``attempts + 1``);
  only the worker whose update changed the row sends it, so two workers
  handed the same id never both send.
- **A failed send is retried with backoff.** A failure that may pass (Notify
  answering 5xx or 429, a timeout, a mail server away) puts the delivery back
  to ``pending`` after :func:`backoff` (1, 2, 4, 8, 16 minutes…, at most an
  hour), until :data:`MAX_ATTEMPTS`; then, or at once for a failure that will
  not pass (a 4xx, an unusable address), it is ``failed`` and shows on the
  coordinators' failed sends page, which can try it again.
- **A send cut off half way is not sent twice where the provider can be
  asked.** A delivery left ``sending`` for longer than the lease (a worker
  killed mid-send) is recovered by :func:`send_due`: the channel's
  ``find(reference)`` asks the provider for the delivery's idempotency key;
  found, it is marked sent; not found, it is pending again. A retry asks the
  same before sending again, since a timed-out request may have arrived.
  GOV.UK Notify can be asked, so its sends are exactly once (the lease is
  longer than the client's timeout); SMTP cannot, so email through Django's
  backend is at least once.
- **Quiet hours.** An immediate email or text due inside the recipient's
  quiet hours (in the community's time zone, ``TIME_ZONE``) waits until they
  end; letters are not affected.
- **Only to members, where they can be reached.** A delivery to someone
  whose membership is no longer active is cancelled, as is one by a channel
  this deployment cannot send, or to an address the person has since taken
  away (a letter to an address that cannot be posted to fails instead, for a
  coordinator to put right).

The notification itself (its context, its inbox entry) is never changed here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ginnel.communities.models import MembershipStatus
from ginnel.notifications import kinds
from ginnel.notifications.channels import (
    ChannelSender,
    ChannelUnavailable,
    Message,
    SendFailed,
    sender_for,
)
from ginnel.notifications.kinds import Channel, Frequency
from ginnel.notifications.models import ContactSettings, Delivery, DeliveryStatus
from ginnel.notifications.rendering import NoAddress, Undeliverable
from ginnel.notifications.rendering import render as _render

logger = logging.getLogger(__name__)

#: Tries before a delivery is given up as failed.
MAX_ATTEMPTS = 6
BACKOFF_MOST = timedelta(hours=1)


def _first_backoff() -> timedelta:
    """The wait after the first failed try (``GINNEL_SEND_BACKOFF_SECONDS``, 60 by default)."""
    return timedelta(seconds=settings.GINNEL_SEND_BACKOFF_SECONDS)


def _lease() -> timedelta:
    """How long a claimed delivery may stay ``sending`` before it is taken for cut off
    (``GINNEL_SEND_LEASE_SECONDS``, 300 by default)."""
    return timedelta(seconds=settings.GINNEL_SEND_LEASE_SECONDS)


_CHUNK = 500

__all__ = ["backoff", "quiet_end", "render", "send_deliveries", "send_due"]


def render(delivery: Delivery) -> Message:
    """The message ``delivery`` sends (see :mod:`ginnel.notifications.rendering`)."""
    contact = ContactSettings.objects.filter(person_id=delivery.notification.recipient_id).first()
    return _render(delivery, contact=contact)


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th try failed: 1 minute, doubling, at most an hour."""
    return min(_first_backoff() * (1 << min(max(attempts - 1, 0), 30)), BACKOFF_MOST)


def quiet_end(
    start: time | None, end: time | None, now: datetime, zone: ZoneInfo
) -> datetime | None:
    """When the quiet period ``start``–``end`` (local times) around ``now`` ends; None outside it.

    The period includes ``start`` and excludes ``end``; it may run over midnight (22:00–07:00).
    """
    if start is None or end is None or start == end:
        return None
    local = now.astimezone(zone)
    moment = local.time().replace(tzinfo=None)
    inside = start <= moment < end if start < end else (moment >= start or moment < end)
    if not inside:
        return None
    finish = datetime.combine(local.date(), end, tzinfo=zone)
    if finish <= local:
        finish = datetime.combine(local.date() + timedelta(days=1), end, tzinfo=zone)
    return finish.astimezone(UTC)


class _Senders:
    """One sender per channel for one run (Notify's client is not shared between threads)."""

    def __init__(self) -> None:
        self._made: dict[Channel, ChannelSender | ChannelUnavailable] = {}

    def get(self, channel: Channel) -> ChannelSender:
        if channel not in self._made:
            try:
                self._made[channel] = sender_for(channel)
            except ChannelUnavailable as error:
                self._made[channel] = error
        found = self._made[channel]
        if isinstance(found, ChannelUnavailable):
            raise found
        return found


def send_deliveries(delivery_ids: Sequence[int], *, now: datetime | None = None) -> int:
    """Send these deliveries if they are pending and due; how many were sent.

    ``now`` is for tests (quiet hours, backoff); otherwise the clock is read for each.
    """
    senders = _Senders()
    sent = 0
    ids = list(delivery_ids)
    for start in range(0, len(ids), _CHUNK):
        for delivery, contact in _load(ids[start : start + _CHUNK]):
            if _send_one(delivery, contact, senders, now or timezone.now()):
                sent += 1
    return sent


def send_due(
    limit: int = 500, *, now: datetime | None = None, lease: timedelta | None = None
) -> int:
    """The periodic sweep: recover cut-off sends, then send up to ``limit`` due deliveries.

    Returns how many were marked sent (those found already sent by the provider among them).
    """
    at = now or timezone.now()
    senders = _Senders()
    sent = _recover(at, lease if lease is not None else _lease(), senders)
    due = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=at)
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    for delivery, contact in _load(due):
        if _send_one(delivery, contact, senders, now or timezone.now()):
            sent += 1
    return sent


# One delivery ---------------------------------------------------------------------------------


def _load(ids: Iterable[int]) -> list[tuple[Delivery, ContactSettings | None]]:
    deliveries = list(
        Delivery.objects.filter(pk__in=list(ids), status=DeliveryStatus.PENDING).select_related(
            "community", "notification__recipient__membership__user"
        )
    )
    contact = {
        c.person_id: c
        for c in ContactSettings.objects.filter(
            person_id__in={d.notification.recipient_id for d in deliveries}
        )
    }
    return [(d, contact.get(d.notification.recipient_id)) for d in deliveries]


def _send_one(
    delivery: Delivery, contact: ContactSettings | None, senders: _Senders, now: datetime
) -> bool:
    with translation.override(settings.LANGUAGE_CODE):
        return _attempt(delivery, contact, senders, now)


def _reaches(kind: str, status: str) -> bool:
    """Whether the recipient still stands to be told (a kind no longer registered: active only)."""
    try:
        return kinds.get(kind).reaches(status)
    except LookupError:
        return status == MembershipStatus.ACTIVE


def _attempt(
    delivery: Delivery, contact: ContactSettings | None, senders: _Senders, now: datetime
) -> bool:
    if delivery.next_attempt_at > now:
        return False
    channel = Channel(delivery.channel)
    if not _reaches(delivery.notification.kind, delivery.notification.recipient.membership.status):
        _close_pending(delivery, DeliveryStatus.CANCELLED, _("They are no longer a member."))
        return False
    if channel != Channel.LETTER and delivery.frequency == Frequency.IMMEDIATELY and contact:
        until = quiet_end(contact.quiet_from, contact.quiet_until, now, _zone())
        if until is not None:
            Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING).update(
                next_attempt_at=until
            )
            return False
    try:
        sender = senders.get(channel)
    except ChannelUnavailable as error:
        _close_pending(delivery, DeliveryStatus.CANCELLED, str(error))
        return False

    claimed = Delivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return False  # another worker has it, or it changed since it was read
    attempts = Delivery.objects.values_list("attempts", flat=True).get(pk=delivery.pk)
    mine = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING, claimed_at=now)

    try:
        message = _render(delivery, contact=contact)
    except NoAddress as error:
        mine.update(status=DeliveryStatus.CANCELLED, last_error=str(error))
        return False
    except Undeliverable as error:
        mine.update(status=DeliveryStatus.FAILED, last_error=str(error))
        return False
    except Exception as error:  # a kind's template is missing or broken: no retry mends it
        logger.exception("Could not write delivery %s", delivery.pk)
        mine.update(
            status=DeliveryStatus.FAILED,
            last_error=_("The message could not be written: %(error)s") % {"error": error},
        )
        return False

    try:
        reference = sender.find(message.reference) if attempts > 1 else None
        if reference is None:
            reference = sender.send(message)
    except SendFailed as error:
        logger.warning("Delivery %s, try %s: %s", delivery.pk, attempts, error)
        if error.retry and attempts < MAX_ATTEMPTS:
            mine.update(
                status=DeliveryStatus.PENDING,
                next_attempt_at=now + backoff(attempts),
                last_error=str(error),
            )
        else:
            mine.update(status=DeliveryStatus.FAILED, last_error=str(error))
        return False
    _mark_sent(delivery.pk, reference, timezone.now())
    return True


def _mark_sent(delivery_id: int, reference: str, at: datetime) -> None:
    # Whatever the row says now, the provider has the message: never send it again.
    Delivery.objects.filter(pk=delivery_id).update(
        status=DeliveryStatus.SENT, sent_at=at, provider_reference=reference, last_error=""
    )


def _close_pending(delivery: Delivery, status: DeliveryStatus, reason: str) -> None:
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING).update(
        status=status, last_error=reason
    )


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


# Recovery -------------------------------------------------------------------------------------


def _recover(now: datetime, lease: timedelta, senders: _Senders) -> int:
    """Deliveries left ``sending`` past the lease: sent if the provider has them, else pending."""
    found_sent = 0
    stuck = Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=now - lease)
    for delivery in stuck.only("id", "channel", "idempotency_key", "attempts", "claimed_at"):
        same_claim = Delivery.objects.filter(
            pk=delivery.pk, status=DeliveryStatus.SENDING, claimed_at=delivery.claimed_at
        )
        with translation.override(settings.LANGUAGE_CODE):
            try:
                reference = senders.get(Channel(delivery.channel)).find(delivery.idempotency_key)
            except ChannelUnavailable as error:
                same_claim.update(status=DeliveryStatus.CANCELLED, last_error=str(error))
                continue
            except SendFailed as error:
                logger.warning("Could not ask about delivery %s: %s", delivery.pk, error)
                continue  # the provider cannot be asked now: the next sweep asks again
            if reference is not None:
                found_sent += same_claim.update(
                    status=DeliveryStatus.SENT,
                    sent_at=now,
                    provider_reference=reference,
                    last_error="",
                )
            elif delivery.attempts >= MAX_ATTEMPTS:
                same_claim.update(
                    status=DeliveryStatus.FAILED,
                    last_error=_("Every try was cut off before it was known to have gone."),
                )
            else:
                same_claim.update(
                    status=DeliveryStatus.PENDING,
                    next_attempt_at=now,
                    last_error=_("A send was cut off; it will be tried again."),
                )
    return found_sent
