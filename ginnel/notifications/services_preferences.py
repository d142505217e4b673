"""Writing what a person chose: how often each kind comes by each channel, and where and when.

- :func:`preferences_save`: the person themselves, or a coordinator (or a link
  worker: anyone with ``RECORD_PERSON``) for them, usually someone without a
  login. Only the choices that changed are written; each row records who set
  it (``set_by``), so the person's own page can show "set by <coordinator>".
- :func:`unsubscribe_apply`: the one-click link in an email turns one kind by
  one channel off for one person, with no login.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ginnel.communities.models import Membership
from ginnel.communities.permissions import Access, Perm
from ginnel.errors import GinnelError, PermissionRefused
from ginnel.notifications import kinds
from ginnel.notifications.kinds import Channel, Frequency
from ginnel.notifications.models import ContactSettings, Preference
from ginnel.notifications.selectors_preferences import kinds_for
from ginnel.notifications.unsubscribe import Unsubscribe
from ginnel.people.models import Person


def can_set_for(access: Access, person: Person) -> bool:
    """Whether the asker may set ``person``'s notifications: themselves, or staff who
    record people (``RECORD_PERSON``: coordinators and link workers)."""
    if person.community_id != access.community.pk or not access.is_member:
        return False
    if access.membership is not None and person.membership_id == access.membership.pk:
        return True
    return access.can(Perm.RECORD_PERSON)


@dataclass(frozen=True)
class Contact:
    """Where and when: the contact part of the preferences form."""

    quiet_from: time | None = None
    quiet_until: time | None = None
    email: str = ""
    phone: str = ""
    letter_name: str = ""
    letter_address: str = ""


@transaction.atomic
def preferences_save(
    *,
    access: Access,
    person: Person,
    choices: dict[tuple[str, Channel], Frequency],
    contact: Contact | None = None,
) -> int:
    """Save ``person``'s choices (kind code, channel) → frequency and their contact settings.

    Only choices that differ from what is stored (or, with nothing stored, from the kind's
    default) are written. Returns how many preference rows were written.
    """
    if not can_set_for(access, person):
        raise PermissionRefused(_("You cannot change this person's notifications."))
    if contact is not None and (contact.quiet_from is None) != (contact.quiet_until is None):
        field = "quiet_until" if contact.quiet_from is not None else "quiet_from"
        raise GinnelError(
            _("Give both times for quiet hours, or neither."),
            field=field,
        )
    assert access.membership is not None  # noqa: S101 (can_set_for checked it)
    by: Membership = access.membership
    now = timezone.now()
    stored = {
        (p.kind, p.channel): p for p in Preference.objects.select_for_update().filter(person=person)
    }
    written = 0
    for (code, channel), frequency in choices.items():
        kind = kinds.get(code)
        if channel == Channel.SMS and frequency in (Frequency.DAILY, Frequency.WEEKLY):
            raise GinnelError(_("Text messages come straight away or not at all."))
        existing = stored.get((code, channel.value))
        current = existing.frequency if existing is not None else kind.default_for(channel)
        if current == frequency.value:
            continue
        if existing is not None:
            existing.frequency = frequency.value
            existing.set_by = by
            existing.updated_at = now
            existing.save(update_fields=["frequency", "set_by", "updated_at"])
        else:
            Preference.objects.create(
                community=access.community,
                person=person,
                kind=code,
                channel=channel.value,
                frequency=frequency.value,
                set_by=by,
                updated_at=now,
            )
        written += 1
    if contact is not None:
        _contact_save(access=access, person=person, contact=contact, by=by, now=now)
    return written


def _contact_save(
    *, access: Access, person: Person, contact: Contact, by: Membership, now: datetime
) -> None:
    settings = ContactSettings.objects.select_for_update().filter(person=person).first()
    values = {
        "quiet_from": contact.quiet_from,
        "quiet_until": contact.quiet_until,
        "email": contact.email,
        "phone": contact.phone,
        "letter_name": contact.letter_name,
        "letter_address": contact.letter_address,
    }
    if settings is None:
        if not any(values.values()):
            return  # nothing chosen: no row needed
        ContactSettings.objects.create(
            community=access.community, person=person, set_by=by, updated_at=now, **values
        )
        return
    changed = [name for name, value in values.items() if getattr(settings, name) != value]
    if not changed:
        return
    for name in changed:
        setattr(settings, name, values[name])
    settings.set_by = by
    settings.updated_at = now
    settings.save(update_fields=[*changed, "set_by", "updated_at"])


def digest_frequency(code: str) -> Frequency | None:
    """The frequency a digest's unsubscribe code ("digest:daily") names; None for a kind."""
    prefix, _sep, rest = code.partition(":")
    if prefix != "digest" or rest not in (Frequency.DAILY, Frequency.WEEKLY):
        return None
    return Frequency(rest)


@transaction.atomic
def unsubscribe_apply(*, asked: Unsubscribe) -> Person | None:
    """Turn the link's kind off by the link's channel for its person; None if they are gone.

    A digest's link ("digest:daily") turns off, by that channel, every kind that now comes
    in that digest. Recorded as set by the person themselves (their own email's link was used).
    """
    person = (
        Person.objects.filter(pk=asked.person_id).select_related("community", "membership").first()
    )
    if person is None:
        return None
    frequency = digest_frequency(asked.kind)
    if frequency is None:
        codes = [asked.kind]
    else:
        stored = dict(
            Preference.objects.filter(person=person, channel=asked.channel.value).values_list(
                "kind", "frequency"
            )
        )
        codes = [
            kind.code
            for kind in kinds_for(person)
            if stored.get(kind.code, kind.default_for(asked.channel)) == frequency
        ]
    now = timezone.now()
    for code in codes:
        Preference.objects.update_or_create(
            person=person,
            kind=code,
            channel=asked.channel.value,
            defaults={
                "community": person.community,
                "frequency": Frequency.OFF.value,
                "set_by_id": person.membership_id,
                "updated_at": now,
            },
        )
    return person
