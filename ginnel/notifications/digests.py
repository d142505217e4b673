"""Digests: what a person chose to hear about daily or weekly, gathered into one message.

:func:`build_and_send_digests` runs on the job queue's schedule (``ginnel/jobs.py``:
daily at 07:00, weekly on Mondays). For each person and channel with held
deliveries of that frequency it sends one message: each notification's title
line with its link, grouped by kind (groups in the order their first
notification came, lines in the order they came). A sensitive kind (special
category, such as a referral) appears only as "Something is waiting for you",
with its link, under a heading that does not name the kind.

The rules it keeps:

- **Email and letters only.** A text message is too short for a digest: the
  preferences page offers texts only straight away or off, and a text held
  for a digest all the same (a kind's default) is released at the digest's
  time to be sent on its own.
- **Once per period.** Each digest has a key, ``"<frequency>:<period>:<person>:<channel>"``
  (the period is the local date, or the ISO week: ``daily:2026-12-02:17:email``,
  ``weekly:2026-W49:17:letter``); it is the provider's reference and is stored on
  every delivery it carried. A run that finds a digest of that key already sent
  sends none again for that person and channel in that period: running twice
  sends once, and what comes after waits for the next period.
- **Claimed, then sent, then marked.** The held deliveries are claimed by
  writing the key on them (they stay ``held``, so the dispatcher's sweep never
  touches them); after the send they are ``sent``. A run cut off after the
  claim leaves them claimed: the next run asks the provider for the key
  (GOV.UK Notify can answer; SMTP cannot, so email is at least once) and marks
  them sent, or releases them into that run's digest.
- **Sent through the dispatcher's channels** (:func:`ginnel.notifications.channels.sender_for`),
  so email goes by Django's backend or Notify as configured, letters by Notify;
  a send that may pass is released for the next run, one that will not
  (refused address, no letters configured) is marked failed or not sent, for the
  coordinators' failed sends page.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import F
from django.template import Context, Engine
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ginnel.communities.models import MembershipStatus
from ginnel.notifications import kinds, queue
from ginnel.notifications.channels import (
    ChannelSender,
    ChannelUnavailable,
    Message,
    SendFailed,
    sender_for,
)
from ginnel.notifications.kinds import Channel, Frequency
from ginnel.notifications.models import ContactSettings, Delivery, DeliveryStatus
from ginnel.notifications.rendering import Undeliverable, absolute_url, letter_lines
from ginnel.notifications.services import address_for
from ginnel.notifications.unsubscribe import unsubscribe_url
from ginnel.people.models import Person

logger = logging.getLogger(__name__)

DIGEST_CHANNELS = (Channel.EMAIL, Channel.LETTER)
#: How long a claimed digest may wait unsent before a run takes it for cut off.
LEASE = timedelta(minutes=15)
#: People handled per batch of queries.
_CHUNK = 200
_SENSITIVE = "__sensitive__"


def period_of(frequency: Frequency | str, now: datetime) -> str:
    """The period a run at ``now`` covers: the local date, or the ISO week."""
    local = timezone.localtime(now)
    if Frequency(frequency) == Frequency.WEEKLY:
        year, week, _day = local.isocalendar()
        return f"{year}-W{week:02d}"
    return local.date().isoformat()


def digest_key(frequency: Frequency | str, period: str, person_id: int, channel: Channel) -> str:
    return f"{Frequency(frequency).value}:{period}:{person_id}:{channel.value}"


def unsubscribe_code(frequency: Frequency | str) -> str:
    """The pseudo kind a digest's one-click unsubscribe link carries: "digest:daily"."""
    return f"digest:{Frequency(frequency).value}"


@dataclass
class Line:
    title: str
    url: str
    at: datetime


@dataclass
class Group:
    heading: str
    lines: list[Line] = field(default_factory=list)


class _Senders:
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


def build_and_send_digests(frequency: str, now: datetime | None = None) -> int:
    """Send every digest of ``frequency`` ("daily" or "weekly") due at ``now``; how many went."""
    if frequency not in (Frequency.DAILY, Frequency.WEEKLY):
        raise ValueError(f"Digests are daily or weekly, not {frequency!r}.")
    wanted = Frequency(frequency)
    at = now or timezone.now()
    period = period_of(wanted, at)
    senders = _Senders()
    with translation.override(settings.LANGUAGE_CODE):
        _release_texts(wanted, at)
        sent = _recover(wanted, at, senders)
        held = Delivery.objects.filter(
            status=DeliveryStatus.HELD,
            frequency=wanted.value,
            channel__in=[c.value for c in DIGEST_CHANNELS],
            created_at__lte=at,
            digest_key="",
        )
        recipients = sorted(set(held.values_list("notification__recipient_id", flat=True)))
        for start in range(0, len(recipients), _CHUNK):
            sent += _send_for(held, recipients[start : start + _CHUNK], wanted, period, at, senders)
    return sent


def _release_texts(frequency: Frequency, at: datetime) -> None:
    """Texts have no digest: one held for a digest is sent on its own now."""
    texts = Delivery.objects.filter(
        status=DeliveryStatus.HELD,
        frequency=frequency.value,
        channel=Channel.SMS.value,
        created_at__lte=at,
    )
    ids = list(texts.values_list("id", flat=True))
    if ids:
        Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.HELD).update(
            status=DeliveryStatus.PENDING, next_attempt_at=at
        )
        queue.after_commit_send(ids)


def _send_for(
    held: Any,
    recipient_ids: Sequence[int],
    frequency: Frequency,
    period: str,
    at: datetime,
    senders: _Senders,
) -> int:
    deliveries = list(
        held.filter(notification__recipient_id__in=recipient_ids)
        .select_related("community", "notification__recipient__membership__user")
        .order_by("notification__recipient_id", "channel", "notification__created_at", "id")
    )
    contacts = {c.person_id: c for c in ContactSettings.objects.filter(person_id__in=recipient_ids)}
    groups: dict[tuple[int, Channel], list[Delivery]] = defaultdict(list)
    for delivery in deliveries:
        groups[(delivery.notification.recipient_id, Channel(delivery.channel))].append(delivery)
    keys = {group: digest_key(frequency, period, group[0], group[1]) for group in groups}
    already = set(
        Delivery.objects.filter(
            digest_key__in=list(keys.values()), status=DeliveryStatus.SENT
        ).values_list("digest_key", flat=True)
    )
    sent = 0
    for (person_id, channel), items in groups.items():
        key = keys[(person_id, channel)]
        if key in already:
            continue  # this period's digest went: the rest waits for the next
        person = items[0].notification.recipient
        if _send_one(person, channel, items, contacts.get(person_id), frequency, key, at, senders):
            sent += 1
    return sent


def _send_one(
    person: Person,
    channel: Channel,
    items: list[Delivery],
    contact: ContactSettings | None,
    frequency: Frequency,
    key: str,
    at: datetime,
    senders: _Senders,
) -> bool:
    ids = [d.pk for d in items]
    if person.membership.status != MembershipStatus.ACTIVE:
        _close(ids, DeliveryStatus.CANCELLED, _("They are no longer a member."))
        return False
    to = address_for(person, contact, channel)
    if not to:
        _close(ids, DeliveryStatus.CANCELLED, _("There is no address to send it to any more."))
        return False
    try:
        sender = senders.get(channel)
    except ChannelUnavailable as error:
        _close(ids, DeliveryStatus.CANCELLED, str(error))
        return False

    # Claim: only what this run marked with its key goes in this digest.
    claimed_count = Delivery.objects.filter(
        pk__in=ids, status=DeliveryStatus.HELD, digest_key=""
    ).update(digest_key=key, claimed_at=at, attempts=F("attempts") + 1)
    if claimed_count == 0:
        return False
    if claimed_count != len(items):
        mine = set(
            Delivery.objects.filter(
                pk__in=ids, digest_key=key, claimed_at=at, status=DeliveryStatus.HELD
            ).values_list("id", flat=True)
        )
        items = [d for d in items if d.pk in mine]
    claimed = Delivery.objects.filter(
        pk__in=[d.pk for d in items], digest_key=key, status=DeliveryStatus.HELD
    )

    try:
        message = compose(person, channel, items, contact, frequency, key, to)
    except Undeliverable as error:
        claimed.update(status=DeliveryStatus.FAILED, last_error=str(error))
        return False
    try:
        reference = sender.send(message)
    except SendFailed as error:
        logger.warning("Digest %s: %s", key, error)
        if error.retry:
            claimed.update(digest_key="", claimed_at=None, last_error=str(error))
        else:
            claimed.update(status=DeliveryStatus.FAILED, last_error=str(error))
        return False
    claimed.update(
        status=DeliveryStatus.SENT,
        sent_at=timezone.now(),
        provider_reference=reference,
        last_error="",
    )
    return True


def _close(ids: Iterable[int], status: DeliveryStatus, reason: str) -> None:
    Delivery.objects.filter(pk__in=list(ids), status=DeliveryStatus.HELD, digest_key="").update(
        status=status, last_error=reason
    )


def _recover(frequency: Frequency, at: datetime, senders: _Senders) -> int:
    """Digests claimed but not known to be sent (a run cut off): sent if the provider has them."""
    stuck = (
        Delivery.objects.filter(
            status=DeliveryStatus.HELD,
            frequency=frequency.value,
            claimed_at__lt=at - LEASE,
        )
        .exclude(digest_key="")
        .values_list("digest_key", "channel")
        .distinct()
    )
    found = 0
    for key, channel in stuck:
        same = Delivery.objects.filter(status=DeliveryStatus.HELD, digest_key=key)
        try:
            reference = senders.get(Channel(channel)).find(key)
        except ChannelUnavailable as error:
            same.update(status=DeliveryStatus.CANCELLED, last_error=str(error))
            continue
        except SendFailed as error:
            logger.warning("Could not ask about digest %s: %s", key, error)
            continue
        if reference is not None:
            same.update(status=DeliveryStatus.SENT, sent_at=at, provider_reference=reference)
            found += 1
        else:
            same.update(digest_key="", claimed_at=None)
    return found


# Writing one digest ------------------------------------------------------------------------------


def compose(
    person: Person,
    channel: Channel,
    items: Sequence[Delivery],
    contact: ContactSettings | None,
    frequency: Frequency,
    key: str,
    to: str,
) -> Message:
    """The one message that carries ``items`` (deliveries of one person and channel)."""
    community = items[0].community
    groups = group_lines(items)
    count = len(items)
    to_name = person.display_name
    if channel == Channel.LETTER:
        to_name = (contact.letter_name if contact else "") or person.display_name
        to = "\n".join(letter_lines(to_name, to))
    if frequency == Frequency.WEEKLY:
        subject = ngettext(
            "Your weekly digest from %(community)s: %(count)s notification",
            "Your weekly digest from %(community)s: %(count)s notifications",
            count,
        ) % {"community": community.name, "count": count}
    else:
        subject = ngettext(
            "Your daily digest from %(community)s: %(count)s notification",
            "Your daily digest from %(community)s: %(count)s notifications",
            count,
        ) % {"community": community.name, "count": count}
    body = render_to_string(
        f"notifications/digest/{'letter' if channel == Channel.LETTER else 'email'}.txt",
        {
            "recipient": person.display_name,
            "community": community.name,
            "groups": groups,
            "count": count,
            "weekly": frequency == Frequency.WEEKLY,
            "preferences_url": absolute_url(
                reverse("notifications:preferences", kwargs={"community": community.slug})
            ),
        },
    )
    return Message(
        channel=channel,
        to=to,
        to_name=to_name,
        subject=subject,
        body=_tidy(body),
        reference=key,
        unsubscribe_url=(
            unsubscribe_url(person, unsubscribe_code(frequency), channel)
            if channel == Channel.EMAIL
            else ""
        ),
    )


def group_lines(items: Sequence[Delivery]) -> list[Group]:
    """Each notification's title line and link, grouped by kind in the order they came."""
    ordered = sorted(items, key=lambda d: (d.notification.created_at, d.notification.pk))
    groups: dict[str, Group] = {}
    for delivery in ordered:
        notification = delivery.notification
        url = absolute_url(
            notification.url
            or reverse("notifications:inbox", kwargs={"community": delivery.community.slug})
        )
        try:
            kind = kinds.get(notification.kind)
        except LookupError:
            kind = None
        if kind is None or kind.sensitive:
            code, heading = _SENSITIVE, _("Other things waiting for you")
            title = _("Something is waiting for you in Ginnel")
        else:
            code, heading = kind.code, str(kind.label)
            title = _title(kind.templates, notification.context, delivery, url)
        groups.setdefault(code, Group(heading=heading)).lines.append(
            Line(title=title, url=url, at=notification.created_at)
        )
    return list(groups.values())


def _title(folder: str, data: dict[str, Any], delivery: Delivery, url: str) -> str:
    context = {
        **data,
        "recipient": delivery.notification.recipient.display_name,
        "community": delivery.community.name,
        "url": url,
    }
    template = Engine.get_default().get_template(f"{folder}/title.txt")
    return " ".join(template.render(Context(context, autoescape=False)).split())


def _tidy(body: str) -> str:
    """No runs of blank lines or trailing spaces left by the template's tags."""
    lines = [line.rstrip() for line in body.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
