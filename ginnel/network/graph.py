"""The Network of one community in one window, read from the database.

Rows stream as tuples (``values_list(...).iterator()``), never as model
instances, into :class:`~ginnel.network.metrics.NetworkBuilder`. Every query
is scoped to the community first; ties come from a list of *edge sources*
(confirmed exchanges here; other apps register theirs with ``register_source``,
as referrals does for engaged referrals). A tie whose ends
are not people of this community is dropped by the builder, so even a bad row
cannot bring another community's person in.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from django.utils import timezone

from ginnel.communities.models import MembershipStatus, Role, RoleGrant
from ginnel.network.metrics import Network, NetworkBuilder, NodeKind, TieKind, Window
from ginnel.people.models import Person
from ginnel.timebank.models import Exchange, ExchangeState

CHUNK = 10_000

#: Roles whose holders are staff: a member tied only to them is not yet connected to peers.
STAFF_ROLES = (Role.COORDINATOR, Role.LINK_WORKER, Role.ADMINISTRATOR)

Node = tuple[NodeKind, int]
TieRow = tuple[Node, Node, date, int]


class EdgeSource(Protocol):
    """One kind of tie: yields (source, target, when, weight) rows of one community."""

    @property
    def kind(self) -> TieKind: ...

    def rows(self, *, community_id: int, window: Window) -> Iterator[TieRow]: ...


@dataclass(frozen=True)
class ConfirmedExchanges:
    """Confirmed exchanges: giver → receiver, weighted by minutes, dated ``happened_on``."""

    kind: TieKind = TieKind.EXCHANGE

    def rows(self, *, community_id: int, window: Window) -> Iterator[TieRow]:
        rows = (
            Exchange.objects.filter(
                community_id=community_id,
                state=ExchangeState.CONFIRMED,
                happened_on__gte=window.start,
                happened_on__lte=window.end,
            )
            .order_by()
            .values_list("giver_id", "receiver_id", "happened_on", "minutes")
            .iterator(chunk_size=CHUNK)
        )
        for giver, receiver, happened_on, minutes in rows:
            if happened_on is None:  # outside any window: the filter excludes it already
                continue
            yield (NodeKind.PERSON, giver), (NodeKind.PERSON, receiver), happened_on, minutes or 0


DEFAULT_SOURCES: tuple[EdgeSource, ...] = (ConfirmedExchanges(),)

#: Sources other apps add when they load (``register_source`` in their ``AppConfig.ready``),
#: so the network knows no capability that builds on it.
_REGISTERED: list[EdgeSource] = []


def register_source(source: EdgeSource) -> None:
    """Add a kind of tie to every network built with the default sources (once)."""
    if source not in _REGISTERED:
        _REGISTERED.append(source)


def default_sources() -> tuple[EdgeSource, ...]:
    """The built-in sources and every registered one."""
    return (*DEFAULT_SOURCES, *_REGISTERED)


@dataclass(frozen=True, eq=False)
class CommunityNetwork:
    network: Network
    #: Ties left out because an end was not an active person of the community.
    dropped: int


def community_network(
    *,
    community_id: int,
    window: Window,
    sources: Sequence[EdgeSource] | None = None,
) -> CommunityNetwork:
    """Active members of the community (with their neighbourhood, the date they joined and
    whether they are staff) and the ties of ``sources`` dated inside ``window``.

    To compare two windows, read one window that covers both.
    """
    staff = set(
        RoleGrant.objects.filter(community_id=community_id, role__in=STAFF_ROLES)
        .order_by()
        .values_list("membership__person", flat=True)
    )
    builder = NetworkBuilder()
    people = (
        Person.objects.filter(community_id=community_id, membership__status=MembershipStatus.ACTIVE)
        .order_by()
        .values_list("pk", "neighbourhood__name", "membership__created_at")
        .iterator(chunk_size=CHUNK)
    )
    for pk, neighbourhood, joined in people:
        builder.add_node(
            NodeKind.PERSON,
            pk,
            joined=timezone.localdate(joined),
            staff=pk in staff,
            neighbourhood=neighbourhood,
        )
    for source in default_sources() if sources is None else sources:
        for giver, receiver, when, weight in source.rows(community_id=community_id, window=window):
            builder.add_tie(source.kind, giver, receiver, when=when, weight=weight)
    return CommunityNetwork(network=builder.build(), dropped=builder.dropped)
