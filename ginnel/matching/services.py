"""Matching use-cases that write: "not for me" and back, blocking, introductions."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ginnel.communities.models import CommunityEvent, MembershipStatus
from ginnel.communities.permissions import Access, Perm, require
from ginnel.errors import GinnelError
from ginnel.matching import adapter, notify_kinds
from ginnel.matching.engine import Kind
from ginnel.matching.models import Block, Dismissal, Introduction, IntroductionState
from ginnel.people.models import Person

_KEY = re.compile(r"^[a-z_]{1,30}:\d{1,18}$")


def _me(access: Access) -> Person:
    if access.membership is None or not access.is_member:
        raise GinnelError(_("Only members of this community can do this."))
    person: Person = access.membership.person
    return person


def _kind(kind: str) -> Kind:
    try:
        return Kind(kind)
    except ValueError:
        raise GinnelError(_("There is no such kind of suggestion.")) from None


def _check_key(candidate: str) -> str:
    if not _KEY.match(candidate) or candidate.split(":")[0] not in {
        s.name for s in adapter.sources()
    }:
        raise GinnelError(_("There is no such suggestion."))
    return candidate


@transaction.atomic
def suggestion_dismiss(*, access: Access, kind: str, candidate: str, label: str = "") -> Dismissal:
    """Not for me: this suggestion is never shown to the asker again (until they undo it)."""
    require(access, Perm.VIEW_COMMUNITY)
    me = _me(access)
    found, _created = Dismissal.objects.get_or_create(
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
        raise GinnelError(_("There is no such hidden suggestion of yours."))
    found.delete()
    return found


def _person_here(access: Access, person_id: int) -> Person:
    person = Person.objects.filter(
        community=access.community, pk=person_id, membership__status=MembershipStatus.ACTIVE
    ).first()
    if person is None:
        raise GinnelError(_("There is no such member in this community."))
    return person


@transaction.atomic
def block_add(*, access: Access, person_id: int) -> Block:
    """The asker never sees, and is never shown to, this person in suggestions."""
    me = _me(access)
    other = _person_here(access, person_id)
    if other.pk == me.pk:
        raise GinnelError(_("You cannot block yourself."))
    found, _created = Block.objects.get_or_create(
        person=me, blocked=other, defaults={"community": access.community}
    )
    return found


@transaction.atomic
def block_remove(*, access: Access, person_id: int) -> None:
    Block.objects.filter(person=_me(access), blocked_id=person_id).delete()


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
        raise GinnelError(
            _("This person is no longer a suggestion, so we cannot ask for an introduction.")
        )
    other = Person.objects.get(pk=match.candidate.person_id)
    already = Introduction.objects.filter(
        community=access.community, person=person, other=other, state=IntroductionState.REQUESTED
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
    CommunityEvent.objects.create(
        community=access.community,
        actor=access.membership,
        action="introduction_requested",
        subject=person.membership,
        detail={"introduction": introduction.pk, "other": other.pk},
    )
    # The brokers hear of it through their notifications (inbox, and email as they chose).
    notify_kinds.introduction_requested(introduction=introduction, asker=me)
    return introduction


@transaction.atomic
def introduction_decide(*, access: Access, introduction_id: int, made: bool) -> Introduction:
    """A coordinator marks an introduction made (they put the two in touch) or not made.

    Only one still waiting can be decided; who decided and when are kept, and
    the decision is logged.
    """
    require(access, Perm.COORDINATE_TIMEBANK)
    introduction = (
        Introduction.objects.select_for_update()
        .filter(community=access.community, pk=introduction_id)
        .first()
    )
    if introduction is None:
        raise GinnelError(_("There is no such introduction in this community."))
    if introduction.state != IntroductionState.REQUESTED:
        raise GinnelError(_("This introduction has already been marked."))
    introduction.state = IntroductionState.MADE if made else IntroductionState.DECLINED
    introduction.decided_by = access.membership
    introduction.decided_at = timezone.now()
    introduction.save(update_fields=["state", "decided_by", "decided_at"])
    CommunityEvent.objects.create(
        community=access.community,
        actor=access.membership,
        action="introduction_made" if made else "introduction_declined",
        subject=introduction.person.membership,
        detail={"introduction": introduction.pk, "other": introduction.other_id},
    )
    if made:
        notify_kinds.introduction_made(introduction=introduction, by=_me(access))
    return introduction
