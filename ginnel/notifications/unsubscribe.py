"""One-click unsubscribe: a signed link in every email that turns off one kind by one channel.

:func:`unsubscribe_url` makes the link the email channel puts in the body and
in the RFC 8058 headers (``List-Unsubscribe: <url>`` and
``List-Unsubscribe-Post: List-Unsubscribe=One-Click``). The token inside it is
the person, the kind and the channel, signed with Django's signing under a salt
of its own (a token made for another purpose never works here). It has no
expiry: an email read a year late still unsubscribes, and all it can ever do
is switch one kind off by one channel for one person.

Opening the link (GET) shows a page with one button and changes nothing, so a
mail scanner that follows links does not unsubscribe anyone; the button, and a
mail client's one-click POST, turn it off (see ``views_public``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from ginnel.notifications.kinds import Channel
from ginnel.people.models import Person

SALT = "ginnel.notifications.unsubscribe"


@dataclass(frozen=True)
class Unsubscribe:
    """What a valid token asks for."""

    person_id: int
    kind: str
    channel: Channel


def make_token(person: Person | int, kind: str, channel: Channel | str) -> str:
    person_id = person if isinstance(person, int) else person.pk
    return signing.dumps(
        {"p": person_id, "k": kind, "c": Channel(channel).value}, salt=SALT, compress=True
    )


def read_token(token: str) -> Unsubscribe | None:
    """What the token asks for, or None if it was not made by us (tampered, truncated)."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    person_id, kind, channel = data.get("p"), data.get("k"), data.get("c")
    if not isinstance(person_id, int) or not isinstance(kind, str) or not isinstance(channel, str):
        return None
    try:
        return Unsubscribe(person_id=person_id, kind=kind, channel=Channel(channel))
    except ValueError:
        return None


def unsubscribe_path(person: Person | int, kind: str, channel: Channel | str) -> str:
    return reverse(
        "notifications_public:unsubscribe", kwargs={"token": make_token(person, kind, channel)}
    )


def unsubscribe_url(person: Person | int, kind: str, channel: Channel | str) -> str:
    """The absolute address that turns ``kind`` by ``channel`` off for ``person``.

    Absolute with ``settings.SITE_URL`` (GINNEL_SITE_URL); without it, the path.
    """
    return f"{settings.SITE_URL}{unsubscribe_path(person, kind, channel)}"
