"""Blocking reaches notifications: no one is told of the doings of someone they blocked.

Registered with :func:`ginnel.notifications.filters.exclude_recipients` in this
app's ``ready()``: for a notification caused by ``actor``, leave out every
recipient who blocked the actor, and every recipient the actor blocked (a
block is "never put us in touch", whichever of the two asked for it).
"""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Q

from ginnel.matching.models import Block


def blocked_either_way(
    *, community_id: int, actor_id: int | None, recipient_ids: Collection[int]
) -> set[int]:
    """The recipients with a block between them and ``actor`` (none when no one acted)."""
    if actor_id is None or not recipient_ids:
        return set()
    out: set[int] = set()
    for person_id, blocked_id in Block.objects.filter(
        Q(person_id=actor_id, blocked_id__in=recipient_ids)
        | Q(blocked_id=actor_id, person_id__in=recipient_ids),
        community_id=community_id,
    ).values_list("person_id", "blocked_id"):
        out.add(blocked_id if person_id == actor_id else person_id)
    return out


def register() -> None:
    from ginnel.notifications.filters import exclude_recipients

    exclude_recipients(blocked_either_way)
