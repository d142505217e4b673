"""Channels: one small interface, so another provider can be added beside these.

A channel sends one :class:`Message` and answers the provider's reference for
it; it raises :class:`SendFailed` (``retry`` says whether trying again may
help). ``find(reference)`` asks the provider whether a message with this
reference was already accepted (GOV.UK Notify can be asked; SMTP cannot, and
answers None), which is how a send cut off half way is not sent twice.

Which implementation serves each channel comes from settings, through
:func:`sender_for` (``GINNEL_NOTIFY_API_KEY`` set: GOV.UK Notify for text and
letters, and for email too with ``GINNEL_NOTIFY_EMAIL_CHANNEL=notify``;
otherwise Django's email backend for email, and no texts or letters: asking
for one raises :class:`ChannelUnavailable`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ginnel.notifications.kinds import Channel


@dataclass(frozen=True)
class Message:
    channel: Channel
    to: str  # an email address, a phone number, or a postal address (lines)
    to_name: str
    subject: str
    body: str
    reference: str  # the delivery's idempotency key
    unsubscribe_url: str = ""  # one-click unsubscribe (RFC 8058), for email


class SendFailed(Exception):
    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


class ChannelUnavailable(Exception):
    """This deployment has no way to send by this channel (the reason says why)."""


class ChannelSender(Protocol):
    def send(self, message: Message) -> str: ...

    def find(self, reference: str) -> str | None: ...


def sender_for(channel: Channel) -> ChannelSender:
    """The sender settings choose for ``channel``; :class:`ChannelUnavailable` if none."""
    from django.conf import settings
    from django.utils.translation import gettext as _

    from ginnel.notifications.channels import django_email, notify

    key: str = settings.GINNEL_NOTIFY_API_KEY
    if channel == Channel.EMAIL:
        if key and settings.GINNEL_NOTIFY_EMAIL_CHANNEL == "notify":
            return notify.NotifyEmail.from_settings()
        return django_email.DjangoEmail()
    if not key:
        raise ChannelUnavailable(
            _("Texts and letters need GOV.UK Notify, which is not set up here.")
        )
    if channel == Channel.SMS:
        return notify.NotifySms.from_settings()
    return notify.NotifyLetter.from_settings()
