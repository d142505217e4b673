"""Reading what a person chose, for the preferences pages.

Which kinds a person is offered: every registered kind that is not for staff,
and the staff kinds (``Kind.staff``: queues such as "an application to approve")
only for people who hold a staff role — any role beyond member (coordinator,
link worker, organisation editor, analyst, administrator). A kind does not say
which staff role it is for, so a staff kind is offered to all of them; one
they never receive is simply never sent. Which channels: email always; text
messages and letters only where the community's :class:`CommunityChannels`
switches them on.
"""

from __future__ import annotations

from dataclasses import dataclass

from ginnel.communities.models import Community, Role
from ginnel.communities.permissions import roles_of
from ginnel.notifications import kinds
from ginnel.notifications.kinds import Channel, Kind
from ginnel.notifications.models import CommunityChannels, ContactSettings, Preference
from ginnel.notifications.services import address_for
from ginnel.people.models import Person


def kinds_for(person: Person) -> list[Kind]:
    """The kinds ``person`` may hear about, ordered by their label."""
    staff = bool(roles_of(person.membership) - {Role.MEMBER})
    return sorted(
        (k for k in kinds.all_kinds() if staff or not k.staff), key=lambda k: str(k.label)
    )


def channels_for(community: Community) -> list[Channel]:
    """The channels this community sends by (email always)."""
    paid = CommunityChannels.objects.filter(community=community).first()
    channels = [Channel.EMAIL]
    if paid is not None and paid.texts_enabled:
        channels.append(Channel.SMS)
    if paid is not None and paid.letters_enabled:
        channels.append(Channel.LETTER)
    return channels


def stored_choices(person: Person) -> dict[tuple[str, Channel], Preference]:
    """What ``person`` (or someone for them) chose, with who set it."""
    return {
        (p.kind, Channel(p.channel)): p
        for p in Preference.objects.filter(person=person).select_related("set_by__person")
    }


def contact_of(person: Person) -> ContactSettings | None:
    return ContactSettings.objects.filter(person=person).select_related("set_by__person").first()


@dataclass(frozen=True)
class Addresses:
    """Where each channel reaches the person now (empty: it does not)."""

    email: str
    phone: str
    letter: str


def addresses_of(person: Person, contact: ContactSettings | None) -> Addresses:
    return Addresses(
        email=address_for(person, contact, Channel.EMAIL),
        phone=address_for(person, contact, Channel.SMS),
        letter=address_for(person, contact, Channel.LETTER),
    )
