"""Rules other capabilities add about who may be told what (registered in their ``ready()``).

A filter takes ``actor`` (the person whose action caused the notification, or
None) and the candidate ``recipient_ids`` and returns the ids that must NOT be
told; matching registers "never someone who blocked the actor, or whom the
actor blocked".
"""

from __future__ import annotations

from collections.abc import Callable, Collection

RecipientFilter = Callable[..., Collection[int]]

_filters: list[RecipientFilter] = []


def exclude_recipients(fn: RecipientFilter) -> RecipientFilter:
    """Register ``fn(community_id=…, actor_id=…, recipient_ids=…) -> ids to leave out``."""
    if fn not in _filters:
        _filters.append(fn)
    return fn


def excluded(
    *, community_id: int, actor_id: int | None, recipient_ids: Collection[int]
) -> set[int]:
    out: set[int] = set()
    for fn in _filters:
        out |= set(fn(community_id=community_id, actor_id=actor_id, recipient_ids=recipient_ids))
    return out
