"""What the network dashboards show: measures over time, by neighbourhood, scoped and role-aware.

Analysts see counts and shares only; coordinators also see who is isolated,
by name, so they can reach out. Both are computed from one community's rows
(``graph.community_network``) and never name anyone to an analyst.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext as _

from ginnel.communities.models import Neighbourhood
from ginnel.communities.permissions import Access, Perm, require
from ginnel.network import metrics
from ginnel.network.graph import community_network
from ginnel.people.models import Person
from ginnel.ui.charts import Style, part_month, styles_for

#: Each point of a time series counts the ties of the 90 days up to its date.
TRAILING_DAYS = 90


def whole_label() -> str:
    """The name of the row for the whole community, in the asker's language."""
    return _("Whole community")


@dataclass(frozen=True)
class Point:
    """The measures of one place (a neighbourhood or the whole community) at one date.

    ``members``: people with an active membership who had joined by the date (staff
    included: the one meaning of "member" on every page). ``people``: those of them
    who are not staff, among whom isolation is counted (a coordinator's ties are their
    work). The last three are the whole-network measures taken over the place's people.
    """

    members: int
    people: int
    isolated: int
    only_formal: int
    mean_degree: float
    ei_index: float
    largest_component_share: float
    average_clustering: float
    reciprocity_both_share: float

    @property
    def isolated_share(self) -> float:
        return self.isolated / self.people if self.people else math.nan


@dataclass(frozen=True)
class Snapshot:
    on: date
    #: The month is not over, or is the month the community began, part-way through.
    part: bool
    places: dict[str, Point]
    largest_component_share: float
    average_clustering: float
    reciprocity_both_share: float
    bonding: int
    bridging: int


@dataclass(frozen=True)
class Picture:
    """People as points (layout coordinates in 0..1), grouped by neighbourhood code."""

    x: list[float]
    y: list[float]
    group: list[int]
    edges: list[tuple[int, int]]
    labels: tuple[str, ...]
    isolated: int


@dataclass(frozen=True)
class Movement:
    """Between the 90 days before last and the last 90 days."""

    became_connected: int
    became_isolated: int
    new_bridges: int
    lost_bridges: int
    became_isolated_people: list[Person] = field(default_factory=list)  # coordinators only


@dataclass(frozen=True)
class Dashboard:
    movement: Movement
    snapshots: list[Snapshot]
    places: list[str]
    #: Each place's colour and marker, the same on every chart and the picture.
    styles: dict[str, Style]
    picture: Picture
    brokers: int
    betweenness_exact: bool
    betweenness_error: float
    isolated_people: list[Person] = field(default_factory=list)  # coordinators only


def month_ends(today: date, months: int) -> list[date]:
    ends = []
    first = today.replace(day=1)
    for _month in range(months):
        ends.append(first - timedelta(days=1))
        first = (first - timedelta(days=1)).replace(day=1)
    return [today, *ends[: months - 1]][::-1]


def _snapshot(
    network: metrics.Network, on: date, *, part: bool
) -> tuple[Snapshot, metrics.WindowGraph]:
    wg = metrics.window_graph(network, metrics.Window(on - timedelta(days=TRAILING_DAYS), on))
    isolation = metrics.isolation(wg)
    # Mean degree only: a count over the distinct ties (degrees() also computes 2-step reach).
    degree = np.bincount(wg.pair_a, minlength=wg.node_count) + np.bincount(
        wg.pair_b, minlength=wg.node_count
    )
    mix = metrics.tie_mix(wg, "neighbourhood")
    parts, local, given = metrics.components(wg), metrics.clustering(wg), metrics.reciprocity(wg)
    groups = metrics.by_group(wg, "neighbourhood", parts=parts, local=local, given=given)
    hood = network.attributes["neighbourhood"]
    members = np.flatnonzero(network.kind[wg.nodes] == metrics.NodeKind.PERSON)
    members_hood = hood.codes[wg.nodes[members]]
    people = wg.people()
    people_hood = hood.codes[wg.nodes[people]]
    isolated = set(isolation.isolated.tolist())
    formal = set(isolation.only_formal.tolist())
    places: dict[str, Point] = {}
    for code, label in [(-2, whole_label()), *enumerate(hood.labels)]:
        chosen = people if code == -2 else people[people_hood == code]
        indices = wg.nodes[chosen].tolist()
        whole = code == -2
        places[label] = Point(
            members=len(members) if whole else int(np.count_nonzero(members_hood == code)),
            people=len(indices),
            isolated=sum(1 for i in indices if i in isolated),
            only_formal=sum(1 for i in indices if i in formal),
            mean_degree=float(np.mean(degree[chosen])) if len(chosen) else math.nan,
            ei_index=float(mix.ei_overall if whole else mix.ei_index[code]),
            largest_component_share=float(
                parts.largest_share if whole else groups.largest_component_share[code]
            ),
            average_clustering=float(local.average if whole else groups.average_clustering[code]),
            reciprocity_both_share=float(
                given.both_share if whole else groups.reciprocity_both_share[code]
            ),
        )
    return (
        Snapshot(
            on=on,
            part=part,
            places=places,
            largest_component_share=parts.largest_share,
            average_clustering=local.average,
            reciprocity_both_share=given.both_share,
            bonding=int(mix.bonding.sum()),
            bridging=int(mix.bridging.sum()),
        ),
        wg,
    )


def _picture(wg: metrics.WindowGraph, *, most: int = 1500, seed: int = 1) -> Picture:
    """A force-directed layout of the people with ties (at most ``most`` of them)."""
    import igraph

    network = wg.network
    hood = network.attributes["neighbourhood"]
    degree = np.bincount(wg.pair_a, minlength=wg.node_count) + np.bincount(
        wg.pair_b, minlength=wg.node_count
    )
    tied = np.flatnonzero(degree > 0)
    isolated = int(len(wg.people()) - np.count_nonzero(degree[wg.people()] > 0))
    if len(tied) > most:
        tied = np.sort(np.random.default_rng(seed).choice(tied, size=most, replace=False))
    place = {int(p): i for i, p in enumerate(tied.tolist())}
    edges = [
        (place[a], place[b])
        for a, b in zip(wg.pair_a.tolist(), wg.pair_b.tolist(), strict=True)
        if a in place and b in place
    ]
    graph = igraph.Graph(n=len(tied), edges=edges)
    if len(tied):
        layout = graph.layout_fruchterman_reingold(niter=300, seed=None)
        coords = np.array(layout.coords, dtype=float)
        low, high = coords.min(axis=0), coords.max(axis=0)
        coords = (coords - low) / np.where(high - low == 0, 1, high - low)
    else:
        coords = np.zeros((0, 2))
    return Picture(
        x=coords[:, 0].tolist(),
        y=coords[:, 1].tolist(),
        group=hood.codes[wg.nodes[tied]].tolist(),
        edges=edges,
        labels=hood.labels,
        isolated=isolated,
    )


def dashboard(*, access: Access, today: date, months: int = 12) -> Dashboard:
    require(access, Perm.VIEW_NETWORK)
    began = timezone.localdate(access.community.created_at)
    # No point for a month that ended before the community began.
    ends = [on for on in month_ends(today, months) if on >= began] or [today]
    last = metrics.Window(today - timedelta(days=TRAILING_DAYS), today)
    before = metrics.Window(
        last.start - timedelta(days=TRAILING_DAYS), last.start - timedelta(days=1)
    )
    window = metrics.Window(
        min(ends[0] - timedelta(days=TRAILING_DAYS), before.start), max(ends[-1], today)
    )
    network = community_network(community_id=access.community.pk, window=window).network
    snapshots = []
    latest: metrics.WindowGraph | None = None
    for on in ends:
        snapshot, latest = _snapshot(
            network, on, part=on == today or part_month(on, today=today, began=began)
        )
        snapshots.append(snapshot)
    assert latest is not None  # noqa: S101 (months >= 1)
    brokers = metrics.betweenness(latest)
    moved = metrics.change(network, before, last)
    names = access.can(Perm.VIEW_ISOLATED_NAMES)

    def people(indices: metrics.Ints) -> list[Person]:
        """Named only for those allowed to see names (coordinators)."""
        if not names:
            return []
        return list(
            Person.objects.filter(community=access.community, pk__in=network.ids[indices].tolist())
            .select_related("neighbourhood")
            .order_by("display_name", "id")
        )

    isolated_people = people(metrics.isolation(latest).isolated)
    # Places in the order of their ids, so each keeps its colour and marker as others are added.
    by_id = list(
        Neighbourhood.objects.filter(community=access.community)
        .order_by("id")
        .values_list("name", flat=True)
    )
    order = {name: i for i, name in enumerate(by_id)}
    labels = network.attributes["neighbourhood"].labels
    styles = styles_for(by_id)
    return Dashboard(
        movement=Movement(
            became_connected=len(moved.became_connected),
            became_isolated=len(moved.became_isolated),
            new_bridges=len(moved.new_bridges),
            lost_bridges=len(moved.lost_bridges),
            became_isolated_people=people(moved.became_isolated),
        ),
        snapshots=snapshots,
        places=[whole_label(), *sorted(labels, key=lambda name: order.get(name, len(order)))],
        styles=styles,
        picture=_picture(latest),
        brokers=int(np.count_nonzero(brokers.values > 0)),
        betweenness_exact=brokers.exact,
        betweenness_error=brokers.error_bound,
        isolated_people=isolated_people,
    )
