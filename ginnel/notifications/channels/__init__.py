"""Channels: one small interface, so another provider can be added beside these.

A channel sends one :class:`Message` and answers the provider's reference for
it; it raises :class:`SendFailed` (``retry`` says whether trying again may
help). ``find(reference)`` asks the provider whether a message with this
reference was already accepted (GOV.UK Notify can be asked; SMTP cannot, and
answers None), which is how a send cut off half way is not sent twice.

Which implementation serves each channel comes from settings
(``GINNEL_NOTIFY_API_KEY`` set: GOV.UK Notify for email, text and letters;
otherwise Django's email backend for email, and no texts or letters).
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


class ChannelSender(Protocol):
    def send(self, message: Message) -> str: ...

    def find(self, reference: str) -> str | None: ...
