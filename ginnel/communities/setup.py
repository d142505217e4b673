"""What a new community needs from each capability, without the tenancy app knowing them.

A capability registers a function in its ``AppConfig.ready()``::

    from ginnel.communities.setup import on_community_created

    on_community_created(categories_seed)

``community_create`` calls every registered function, in registration order,
inside its own transaction, so a failing one leaves no half-made community.
Each function takes ``community=`` as a keyword argument and must be idempotent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ginnel.communities.models import Community

CommunitySetup = Callable[..., Any]

_setups: list[CommunitySetup] = []


def on_community_created(setup: CommunitySetup) -> CommunitySetup:
    """Register ``setup(community=…)`` to run for every new community (usable as a decorator)."""
    if setup not in _setups:
        _setups.append(setup)
    return setup


def community_setups() -> tuple[CommunitySetup, ...]:
    return tuple(_setups)


def run_community_setups(*, community: Community) -> None:
    for setup in _setups:
        setup(community=community)
