"""Reads for a referral's connections page: what was made, what the engine suggests, pickers.

The referral itself is read through :func:`ginnel.referrals.selectors.referral_read`
(which checks who may read it and records the read); everything here takes a
referral already read that way and stays inside its community.

Suggestions come from the matching engine as a link worker sees them for a
person (:func:`ginnel.matching.selectors.connections_for`): their actions are
already worded for acting for the person. Each is paired here with what
"Record as a connection" needs — the kind of connection, the id and name of
what it points at, and the engine's reasons — sealed in a signed token, so the
reasons recorded are the engine's own and no one can make a suggestion up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core import signing
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.utils import timezone

from ginnel.communities.permissions import Access
from ginnel.communities.selectors import PersonMatch, people_search
from ginnel.directory.models import Event, Service, ServiceStatus
from ginnel.directory.models import Kind as EntryKind
from ginnel.matching.adapter import Shown
from ginnel.matching.engine import Kind
from ginnel.matching.selectors import connections_for
from ginnel.referrals.models import Connection, ConnectionKind, Referral
from ginnel.ui.ids import is_id

PER_PAGE = 25
#: The kinds of suggestion the page shows, in its order, and the connection each makes.
SUGGESTED_KINDS: dict[Kind, str] = {
    Kind.HELPER: ConnectionKind.TIMEBANK_MEMBER,
    Kind.PEER: ConnectionKind.PEER,
    Kind.GROUP: ConnectionKind.GROUP,
    Kind.EVENT: ConnectionKind.EVENT,
    Kind.SERVICE: ConnectionKind.SERVICE,
}
#: Directory entries each kind of connection may point at.
SERVICE_KINDS: dict[str, tuple[str, ...]] = {
    ConnectionKind.SERVICE: (
        EntryKind.SERVICE.value,
        EntryKind.HUB.value,
        EntryKind.CARE_TECH.value,
    ),
    ConnectionKind.GROUP: (EntryKind.GROUP.value,),
}
#: How far back an event may have started and still be chosen (they went last week).
EVENTS_SINCE = timedelta(weeks=8)
#: Reasons are kept in ``Connection.suggested_because`` (300 characters), joined by this.
REASONS_JOIN = "; "
REASONS_LENGTH = 300
_SALT = "ginnel.referrals.connection-suggestion"


def connections_of(*, referral: Referral, page: int | str = 1) -> Page[Connection]:
    """The connections made for a referral so far, oldest first, with who recorded each."""
    rows = Connection.objects.filter(
        community_id=referral.community_id, referral=referral
    ).select_related("made_by__person")
    return Paginator(rows.order_by("made_at", "id"), PER_PAGE).get_page(page)


def connection_of(*, referral: Referral, connection_id: int) -> Connection | None:
    """One connection of this referral (None if it is another's or there is none)."""
    return Connection.objects.filter(
        community_id=referral.community_id, referral=referral, pk=connection_id
    ).first()


def connected_targets(*, referral: Referral) -> set[tuple[str, int]]:
    """(kind, target id) of everything already connected, to mark suggestions already made."""
    return {
        (kind, target)
        for kind, target in Connection.objects.filter(
            community_id=referral.community_id, referral=referral, target_id__isnull=False
        ).values_list("kind", "target_id")
        if target is not None
    }


# Suggestions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggested:
    """One suggestion and what recording it as a connection would write."""

    shown: Shown
    kind: str  # a ConnectionKind
    target_id: int
    target_label: str
    token: str
    # The offer a link worker can propose an exchange from, for the person (offers only).
    listing_id: int | None
    already: bool


@dataclass(frozen=True)
class SuggestedGroup:
    kind: Kind
    heading: str
    suggestions: list[Suggested]


def reasons_text(reasons: Sequence[str]) -> str:
    return REASONS_JOIN.join(r.strip() for r in reasons if r.strip())[:REASONS_LENGTH]


def seal(*, referral_id: int, kind: str, target_id: int, reasons: Sequence[str]) -> str:
    return signing.dumps(
        {"ref": referral_id, "k": kind, "t": target_id, "r": list(reasons)}, salt=_SALT
    )


@dataclass(frozen=True)
class Unsealed:
    kind: str
    target_id: int
    reasons: str


def unseal(token: str, *, referral_id: int) -> Unsealed | None:
    """What a "Record as a connection" form carries, if this page made it for this referral."""
    try:
        data: Any = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("ref") != referral_id:
        return None
    kind, target, reasons = data.get("k"), data.get("t"), data.get("r")
    if kind not in ConnectionKind.values or not isinstance(target, int):
        return None
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
        return None
    return Unsealed(kind=kind, target_id=target, reasons=reasons_text(reasons))


def _target(shown: Shown) -> tuple[int, str, int | None] | None:
    """(target id, name, offer id) of a suggestion: a person for people, the row otherwise."""
    source, _sep, row = shown.candidate.key.partition(":")
    if not is_id(row):
        return None
    if shown.kind in (Kind.HELPER, Kind.PEER):
        if shown.candidate.person_id is None:
            return None
        listing = int(row) if source == "offers" else None
        return shown.candidate.person_id, shown.candidate.person, listing
    return int(row), shown.candidate.title, None


def suggestions(*, access: Access, referral: Referral) -> list[SuggestedGroup]:
    """The engine's suggestions for the referred person, grouped by kind, ready to record."""
    made = connected_targets(referral=referral)
    groups = []
    for section in connections_for(access=access, person=referral.person):
        kind = SUGGESTED_KINDS.get(section.kind)
        if kind is None:
            continue
        rows = []
        for shown in section.suggestions:
            target = _target(shown)
            if target is None:
                continue
            target_id, label, listing_id = target
            rows.append(
                Suggested(
                    shown=shown,
                    kind=kind,
                    target_id=target_id,
                    target_label=label,
                    token=seal(
                        referral_id=referral.pk,
                        kind=kind,
                        target_id=target_id,
                        reasons=shown.reasons,
                    ),
                    listing_id=listing_id,
                    already=(kind, target_id) in made,
                )
            )
        if rows:
            groups.append(SuggestedGroup(section.kind, section.heading, rows))
    order = list(SUGGESTED_KINDS)
    return sorted(groups, key=lambda g: order.index(g.kind))


# Choosing what was not suggested -----------------------------------------------------------


def members_search(
    *,
    access: Access,
    referral: Referral,
    text: str = "",
    ids: Sequence[int] = (),
    limit: int = 20,
) -> list[PersonMatch]:
    """Active members of the community other than the person referred, by name or id."""
    return people_search(
        access=access, text=text, ids=ids, exclude_ids=[referral.person_id], limit=limit
    )


def _words(text: str, field: str) -> Q | None:
    words = text.split()[:5]
    if not words:
        return None
    found = Q()
    for word in words:
        found &= Q(**{f"{field}__icontains": word})
    return found


def services_search(
    *,
    access: Access,
    kind: str | None = None,
    text: str = "",
    ids: Sequence[int] = (),
    limit: int = 20,
) -> list[Service]:
    """Active directory services (or groups) of the community by name, or those of ``ids``."""
    kinds = SERVICE_KINDS.get(kind or "") or tuple(k for v in SERVICE_KINDS.values() for k in v)
    rows = Service.objects.filter(
        community=access.community, status=ServiceStatus.ACTIVE, kind__in=kinds
    ).select_related("organization")
    if ids:
        rows = rows.filter(pk__in=list(ids))
    else:
        by_name = _words(text, "name")
        if by_name is None:
            return []
        rows = rows.filter(by_name)
    return list(rows.order_by("name", "id")[:limit])


def events_search(
    *, access: Access, text: str = "", ids: Sequence[int] = (), limit: int = 20
) -> list[Event]:
    """Events of the community not cancelled, recent or to come (or repeating), by title."""
    since = timezone.now() - EVENTS_SINCE
    rows = (
        Event.objects.filter(community=access.community, cancelled_at__isnull=True)
        .filter(
            Q(ends_at__gte=since)
            | (~Q(freq="") & (Q(until__isnull=True) | Q(until__gte=since.date())))
        )
        .select_related("organization")
    )
    if ids:
        rows = rows.filter(pk__in=list(ids))
    else:
        by_title = _words(text, "title")
        if by_title is None:
            return []
        rows = rows.filter(by_title)
    return list(rows.order_by("starts_at", "id")[:limit])
