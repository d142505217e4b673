"""Matching use-cases that write: "not for me" and back, blocking, introductions."""

from __future__ import annotations

import re
from functools import partial

from django.core.mail import send_mail
from django.db import transaction

from ginnel.communities.models import MembershipStatus, Role, RoleGrant
from ginnel.communities.permissions import Access, Perm, require
from ginnel.errors import GinnelError
from ginnel.matching import adapter
from ginnel.matching.engine import Kind
from ginnel.matching.models import Block, Dismissal, Introduction
from ginnel.people.models import Person

_KEY = re.compile(r"^[a-z_]{1,30}:\d{1,18}$")


def _me(access: Access) -> Person:
    if access.membership is None or not access.is_member:
        raise GinnelError("Only members of this community can do this.")
    person: Person = access.membership.person
    return person


def _kind(kind: str) -> Kind:
    try:
        return Kind(kind)
    except ValueError:
        raise GinnelError("There is no such kind of suggestion.") from None


def _check_key(candidate: str) -> str:
    if not _KEY.match(candidate) or candidate.split(":")[0] not in {
        s.name for s in adapter.sources()
    }:
        raise GinnelError("There is no such suggestion.")
    return candidate


@transaction.atomic
def suggestion_dismiss(*, access: Access, kind: str, candidate: str, label: str = "") -> Dismissal:
    """Not for me: this suggestion is never shown to the asker again (until they undo it)."""
    require(access, Perm.VIEW_COMMUNITY)
    me = _me(access)
    found, _ = Dismissal.objects.get_or_create(
        person=me,
        kind=_kind(kind).value,
        candidate=_check_key(candidate),
        defaults={"community": access.community, "label": label[:200]},
    )
    return found


@transaction.atomic
def suggestion_restore(*, access: Access, dismissal_id: int) -> Dismissal:
    """Undo "not for me": the suggestion may be shown again."""
    me = _me(access)
    found = Dismissal.objects.select_for_update().filter(pk=dismissal_id, person=me).first()
    if found is None:
        raise GinnelError("There is no such hidden suggestion of yours.")
    found.delete()
    return found


def _person_here(access: Access, person_id: int) -> Person:
    person = Person.objects.filter(
        community=access.community, pk=person_id, membership__status=MembershipStatus.ACTIVE
    ).first()
    if person is None:
        raise GinnelError("There is no such member in this community.")
    return person


@transaction.atomic
def block_add(*, access: Access, person_id: int) -> Block:
    """The asker never sees, and is never shown to, this person in suggestions."""
    me = _me(access)
    other = _person_here(access, person_id)
    if other.pk == me.pk:
        raise GinnelError("You cannot block yourself.")
    found, _ = Block.objects.get_or_create(
        person=me, blocked=other, defaults={"community": access.community}
    )
    return found


@transaction.atomic
def block_remove(*, access: Access, person_id: int) -> None:
    Block.objects.filter(person=_me(access), blocked_id=person_id).delete()


def coordinator_addresses(access: Access) -> list[str]:
    """Where introductions go: the community's coordinators' contact (or login) emails."""
    grants = RoleGrant.objects.filter(
        community=access.community,
        role=Role.COORDINATOR,
        membership__status=MembershipStatus.ACTIVE,
    ).select_related("membership__user", "membership__person")
    out: list[str] = []
    for grant in grants:
        person = getattr(grant.membership, "person", None)
        address = (person.contact_email if person else "") or (
            grant.membership.user.email if grant.membership.user else ""
        )
        if address and address not in out:
            out.append(address)
    return sorted(out)


@transaction.atomic
def introduction_request(
    *, access: Access, person_id: int | None, kind: str, candidate: str, note: str = ""
) -> Introduction:
    """Ask a coordinator to put a person in touch with a suggested person.

    A member asks for themselves (``person_id`` None); a link worker or
    coordinator asks for a person they support. The suggestion is checked
    against the database now: only someone who would be suggested to that
    person (consent, blocks, "not for me") can be introduced.
    """
    me = _me(access)
    if person_id is None or person_id == me.pk:
        person = me
    else:
        require(access, Perm.COACH)
        person = _person_here(access, person_id)
    wanted = _kind(kind)
    key = _check_key(candidate)
    shown = adapter.suggestions_for(person, [wanted], k=50).get(wanted, [])
    match = next((s for s in shown if s.candidate.key == key), None)
    if match is None or match.candidate.person_id is None:
        raise GinnelError("This person is no longer a suggestion, so we cannot introduce you.")
    other = Person.objects.get(pk=match.candidate.person_id)
    already = Introduction.objects.filter(
        community=access.community, person=person, other=other, state="requested"
    ).first()
    if already is not None:
        return already
    introduction = Introduction.objects.create(
        community=access.community,
        person=person,
        other=other,
        kind=wanted.value,
        candidate=key,
        reasons=list(match.reasons),
        note=note[:500],
        requested_by=access.membership,
    )
    addresses = coordinator_addresses(access)
    if addresses:
        asker = me.display_name
        for_whom = "themselves" if person.pk == me.pk else person.display_name
        reasons = "\n".join(f"- {r}" for r in match.reasons)
        body = (
            f"{asker} asked for an introduction for {for_whom} to {other.display_name} "
            f"in {access.community.name}.\n\nWhy they were suggested:\n{reasons}\n"
            + (f"\nNote: {note}\n" if note else "")
            + "\nPlease speak to both before passing on any contact details.\n"
        )
        subject = f"Introduction asked for: {person.display_name} and {other.display_name}"
        transaction.on_commit(partial(send_mail, subject, body, None, addresses))
    return introduction
