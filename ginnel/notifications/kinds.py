"""The registry of notification kinds: what can be told, to whom, and how it reads.

Each capability registers its kinds in its ``AppConfig.ready()``::

    from ginnel.notifications.kinds import Kind, register

    register(Kind(
        code="timebank.hours_to_confirm",
        label=_("Hours recorded for you to confirm"),
        audience=_("The other person in the exchange"),
        templates="timebank/notifications/hours_to_confirm",
    ))

and emits with :func:`ginnel.notifications.services.notify` inside the same
transaction as the change. A kind's templates are a folder holding one file
per channel, rendered with the notification's ``context`` (strings and
numbers the emitter chose) plus ``recipient`` (their display name),
``community`` (its name) and ``url`` (absolute in emails and letters):

- ``title.txt`` — one line: the inbox entry, the email subject, the digest line;
- ``email.txt`` — the email's body (plain text);
- ``sms.txt`` — a text message, short; never special-category detail;
- ``letter.txt`` — a letter's body; never special-category detail.

A kind marked ``sensitive`` (it concerns special-category data, such as a
referral) is shown in full only in the inbox, behind a login; every other
channel says only that something is waiting, with its link.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from django.utils.functional import Promise

StrOrPromise = str | Promise


class Channel(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"
    LETTER = "letter"


class Frequency(enum.StrEnum):
    IMMEDIATELY = "immediately"
    DAILY = "daily"
    WEEKLY = "weekly"
    OFF = "off"


@dataclass(frozen=True)
class Kind:
    """One kind of notification."""

    code: str  # "<app>.<what>", stable: stored on rows and in preferences
    label: StrOrPromise  # what it is, for the preferences page
    audience: StrOrPromise  # who receives it, in words (for the preferences page and docs)
    templates: str  # template folder, e.g. "timebank/notifications/hours_to_confirm"
    #: The channels it may go by (the inbox always has it) and how often, unless the person
    #: chose otherwise.
    defaults: dict[Channel, Frequency] = field(
        default_factory=lambda: {Channel.EMAIL: Frequency.IMMEDIATELY}
    )
    sensitive: bool = False  # about special-category data: full detail only in the inbox
    #: For staff queues rather than the person's own life ("an application to approve").
    staff: bool = False
    #: Also for people whose membership is an application, waiting or declined (the
    #: decision about it); every other kind reaches active members only.
    to_applicants: bool = False

    def reaches(self, status: str) -> bool:
        """Whether someone whose membership has ``status`` is told of this kind."""
        allowed = {"active", "applied", "declined"} if self.to_applicants else {"active"}
        return status in allowed

    def default_for(self, channel: Channel) -> Frequency:
        return self.defaults.get(channel, Frequency.OFF)


_kinds: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Register ``kind``; registering the same code again with the same kind is harmless."""
    existing = _kinds.get(kind.code)
    if existing is not None and existing != kind:
        raise ValueError(f"Notification kind {kind.code!r} is registered twice, differently.")
    _kinds[kind.code] = kind
    return kind


def get(code: str) -> Kind:
    try:
        return _kinds[code]
    except KeyError:
        raise LookupError(f"No notification kind {code!r} is registered.") from None


def all_kinds() -> list[Kind]:
    """Every registered kind, by code."""
    return [_kinds[code] for code in sorted(_kinds)]
