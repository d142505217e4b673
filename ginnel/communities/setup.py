"""What each capability does when a community is made or a member leaves, without the
tenancy app knowing them.

A capability registers a function in its ``AppConfig.ready()``::

    from ginnel.communities.setup import on_community_created

    on_community_created(categories_seed)

``community_create`` calls every registered function, in registration order,
inside its own transaction, so a failing one leaves no half-made community.
Each function takes ``community=`` as a keyword argument and must be idempotent.

When a member leaves (``membership_leave``), every function registered with
``on_member_left`` runs in the same transaction with ``membership=``: the
timebank closes the member's account (kept, with its balance) and their live
offers and requests. These too must be idempotent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ginnel.communities.models import Community, Membership

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


MemberLeft = Callable[..., Any]

_left_hooks: list[MemberLeft] = []


def on_member_left(hook: MemberLeft) -> MemberLeft:
    """Register ``hook(membership=…)`` to run when a member leaves (usable as a decorator)."""
    if hook not in _left_hooks:
        _left_hooks.append(hook)
    return hook


def run_member_left_hooks(*, membership: Membership) -> None:
    for hook in _left_hooks:
        hook(membership=membership)
