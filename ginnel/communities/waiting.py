"""What is waiting for someone, gathered from every capability without knowing them.

The community home page shows, at the top, what needs the person (hours to
confirm, proposals to answer, steps due…) and, for coordinators, link workers
and editors, what is waiting in their queues. Each capability registers a
provider in its ``AppConfig.ready()``::

    from ginnel.communities.waiting import on_waiting

    on_waiting(timebank_waiting)

A provider takes ``access=`` (the asker's standing in the community) and
returns the items it has for them, leaving out anything with nothing waiting.
Each item is a count from one small aggregate query, so the page costs the
same whatever the size of the community. Providers are called in
registration order; the page sorts items by section, then ``order``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ginnel.communities.permissions import Access


class Section(enum.StrEnum):
    GLANCE = "glance"  # a figure about you, shown even when nothing waits (your balance)
    YOURS = "yours"  # something that needs you
    QUEUES = "queues"  # something waiting in a queue your role looks after


@dataclass(frozen=True)
class WaitingItem:
    """One line of "waiting for you": a sentence with its count (already translated), a link."""

    section: Section
    text: str
    url: str
    count: int = 0
    value: str = ""  # for a figure: what to show beside the text ("+3:30")
    order: int = 50


WaitingProvider = Callable[..., Iterable[WaitingItem]]

_providers: list[WaitingProvider] = []


def on_waiting(provider: WaitingProvider) -> WaitingProvider:
    """Register ``provider(access=…)`` (usable as a decorator); registering twice is once."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def waiting_providers() -> tuple[WaitingProvider, ...]:
    return tuple(_providers)


@dataclass(frozen=True)
class Waiting:
    glance: list[WaitingItem]
    yours: list[WaitingItem]
    queues: list[WaitingItem]

    @property
    def anything(self) -> bool:
        return bool(self.yours or self.queues)


def waiting_for(*, access: Access) -> Waiting:
    """Everything the registered providers have for this person, by section."""
    items: list[WaitingItem] = []
    if access.is_member:
        for provider in _providers:
            items.extend(provider(access=access))
    items.sort(key=lambda item: item.order)

    def of(section: Section) -> list[WaitingItem]:
        return [i for i in items if i.section == section]

    return Waiting(glance=of(Section.GLANCE), yours=of(Section.YOURS), queues=of(Section.QUEUES))


def communities_waiting(*, access: Access) -> list[WaitingItem]:
    """Applications to join, for those who decide them."""
    from django.urls import reverse
    from django.utils.translation import ngettext

    from ginnel.communities.models import Membership, MembershipStatus
    from ginnel.communities.permissions import Perm

    if not access.can(Perm.DECIDE_APPLICATIONS):
        return []
    pending = Membership.objects.filter(
        community=access.community, status=MembershipStatus.APPLIED
    ).count()
    if not pending:
        return []
    return [
        WaitingItem(
            section=Section.QUEUES,
            text=ngettext(
                "%(count)d application to join, waiting for a decision",
                "%(count)d applications to join, waiting for a decision",
                pending,
            )
            % {"count": pending},
            count=pending,
            url=reverse("communities:applications", args=[access.community.slug]),
            order=10,
        )
    ]
