"""The network measures: a pure core on numpy and igraph, importing nothing from Django.

Input is a :class:`Network`: nodes (people, organisations, groups) with their
attributes, and timestamped, weighted ties between them. Exchanges are
directed, giver to receiver, weighted in minutes; peer, shared-group and
referral ties have no direction that matters here. Every measure is taken on
one :class:`Window` of dates: :func:`window_graph` keeps the ties in the window
and the nodes that were there, collapses repeated ties into one undirected
simple graph (igraph, in C) and every measure reads from it.

Per-node results are numpy arrays aligned with ``WindowGraph.nodes`` (the
network indices of the nodes in the window); lists of people are network
indices. See docs/network.md for what each measure means and how it is
computed.
"""

from __future__ import annotations

import math
import multiprocessing
import random
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import IntEnum
from functools import cached_property
from typing import Any

import igraph  # type: ignore[import-untyped, unused-ignore]
import numpy as np
from numpy.typing import NDArray

Ints = NDArray[np.integer[Any]]
Floats = NDArray[np.floating[Any]]
Bools = NDArray[np.bool_]
Dates = NDArray[np.datetime64]

_EPOCH = date(1970, 1, 1).toordinal()
_NAT = np.iinfo(np.int64).min  # numpy's NaT, as the int64 under a datetime64

#: Networks up to this many nodes get exact betweenness by default.
EXACT_BETWEENNESS_MAX_NODES = 5_000
#: Pivots (sampled sources) for betweenness on larger networks, by default.
DEFAULT_PIVOTS = 64


class NodeKind(IntEnum):
    PERSON = 0
    ORGANISATION = 1
    GROUP = 2


class TieKind(IntEnum):
    EXCHANGE = 0  # directed: giver → receiver, weight in minutes
    PEER = 1
    SHARED_GROUP = 2
    REFERRAL = 3


#: Tie kinds whose direction means something (given vs received).
DIRECTED_KINDS = frozenset({TieKind.EXCHANGE})


def _day(value: date) -> np.datetime64:
    return np.datetime64(value.toordinal() - _EPOCH, "D")


@dataclass(frozen=True)
class Window:
    """A period of dates, both ends included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"A window cannot end ({self.end}) before it starts ({self.start}).")


@dataclass(frozen=True, eq=False)
class Attribute:
    """A categorical node attribute: ``codes[i]`` indexes ``labels``; -1 means unknown."""

    codes: Ints
    labels: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class Network:
    """Nodes and ties, as parallel arrays. Node ``i`` is ``(kind[i], ids[i])``.

    ``attributes`` always holds ``"neighbourhood"``; more (an age band, a
    group) can be added and used for bonding and bridging ties the same way.
    A node whose ``joined`` is NaT counts as present in every window.
    """

    ids: Ints
    kind: Ints
    staff: Bools
    joined: Dates
    attributes: Mapping[str, Attribute]
    source: Ints
    target: Ints
    tie_kind: Ints
    weight: Ints
    when: Dates

    def __post_init__(self) -> None:
        n = len(self.ids)
        for name in ("kind", "staff", "joined"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"Network.{name} has {len(getattr(self, name))} rows, not {n}.")
        if "neighbourhood" not in self.attributes:
            raise ValueError("Network.attributes needs a 'neighbourhood' attribute.")
        for name, attribute in self.attributes.items():
            if len(attribute.codes) != n:
                raise ValueError(f"Attribute {name!r} has {len(attribute.codes)} rows, not {n}.")
        m = len(self.source)
        for name in ("target", "tie_kind", "weight", "when"):
            if len(getattr(self, name)) != m:
                raise ValueError(f"Network.{name} has {len(getattr(self, name))} rows, not {m}.")
        if m and (
            min(self.source.min(), self.target.min()) < 0
            or max(self.source.max(), self.target.max()) >= n
        ):
            raise ValueError("A tie refers to a node that is not in the network.")

    @property
    def node_count(self) -> int:
        return len(self.ids)

    @property
    def tie_count(self) -> int:
        return len(self.source)

    def index_of(self, kind: NodeKind, node_id: int) -> int:
        """The network index of a node, from its kind and id."""
        found = np.flatnonzero((self.kind == kind) & (self.ids == node_id))
        if len(found) == 0:
            raise KeyError((kind, node_id))
        return int(found[0])


class NetworkBuilder:
    """Collects nodes and ties one at a time (as rows stream from a database) into a Network.

    Ties whose ends are not nodes are not kept: ``dropped`` counts them.
    """

    def __init__(self, attributes: Sequence[str] = ("neighbourhood",)) -> None:
        if "neighbourhood" not in attributes:
            attributes = ("neighbourhood", *attributes)
        self._index: dict[tuple[int, int], int] = {}
        self._ids = array("q")
        self._kind = array("b")
        self._staff = array("b")
        self._joined = array("q")
        self._codes: dict[str, array[int]] = {name: array("i") for name in attributes}
        self._labels: dict[str, dict[str, int]] = {name: {} for name in attributes}
        self._source = array("q")
        self._target = array("q")
        self._tie_kind = array("b")
        self._weight = array("q")
        self._when = array("q")
        self.dropped = 0

    def add_node(
        self,
        kind: NodeKind,
        node_id: int,
        *,
        joined: date | None = None,
        staff: bool = False,
        **attributes: str | None,
    ) -> int:
        key = (int(kind), int(node_id))
        if key in self._index:
            raise ValueError(f"Node {key} was added twice.")
        unknown = set(attributes) - set(self._codes)
        if unknown:
            raise ValueError(f"Unknown attributes {sorted(unknown)}: declare them first.")
        index = len(self._ids)
        self._index[key] = index
        self._ids.append(int(node_id))
        self._kind.append(int(kind))
        self._staff.append(1 if staff else 0)
        self._joined.append(_NAT if joined is None else joined.toordinal() - _EPOCH)
        for name, codes in self._codes.items():
            value = attributes.get(name)
            if value is None:
                codes.append(-1)
            else:
                codes.append(self._labels[name].setdefault(value, len(self._labels[name])))
        return index

    def add_tie(
        self,
        kind: TieKind,
        source: tuple[NodeKind, int],
        target: tuple[NodeKind, int],
        *,
        when: date,
        weight: int = 1,
    ) -> bool:
        """Add one tie (for an exchange: source gave, target received); False if dropped."""
        a = self._index.get((int(source[0]), int(source[1])))
        b = self._index.get((int(target[0]), int(target[1])))
        if a is None or b is None:
            self.dropped += 1
            return False
        self._source.append(a)
        self._target.append(b)
        self._tie_kind.append(int(kind))
        self._weight.append(int(weight))
        self._when.append(when.toordinal() - _EPOCH)
        return True

    def build(self) -> Network:
        def labels(name: str) -> tuple[str, ...]:
            by_code = sorted(self._labels[name].items(), key=lambda item: item[1])
            return tuple(label for label, _ in by_code)

        return Network(
            ids=np.frombuffer(self._ids, dtype=np.int64).copy(),
            kind=np.frombuffer(self._kind, dtype=np.int8).copy(),
            staff=np.frombuffer(self._staff, dtype=np.int8).astype(bool),
            joined=np.frombuffer(self._joined, dtype=np.int64).view("M8[D]").copy(),
            attributes={
                name: Attribute(
                    codes=np.frombuffer(codes, dtype=np.int32).copy(), labels=labels(name)
                )
                for name, codes in self._codes.items()
            },
            source=np.frombuffer(self._source, dtype=np.int64).copy(),
            target=np.frombuffer(self._target, dtype=np.int64).copy(),
            tie_kind=np.frombuffer(self._tie_kind, dtype=np.int8).copy(),
            weight=np.frombuffer(self._weight, dtype=np.int64).copy(),
            when=np.frombuffer(self._when, dtype=np.int64).view("M8[D]").copy(),
        )


@dataclass(frozen=True, eq=False)
class WindowGraph:
    """The network as it was in one window.

    ``nodes``: network indices of the nodes present (joined by the window's
    end, or with a tie in it), ascending; every per-node array of a measure is
    aligned with it. ``position`` maps a network index to its place in
    ``nodes`` (-1: not present). ``pair_a``/``pair_b`` are the distinct
    undirected ties (positions, ``a < b``); ``tie_*`` are every tie in the
    window with its direction. ``graph`` is the igraph simple undirected
    graph on positions, built once and never changed.
    """

    network: Network
    window: Window
    nodes: Ints
    position: Ints
    pair_a: Ints
    pair_b: Ints
    tie_a: Ints
    tie_b: Ints
    tie_kind: Ints
    tie_weight: Ints

    @cached_property
    def graph(self) -> Any:
        """The igraph simple undirected graph on positions, built on first use."""
        edges = list(zip(self.pair_a.tolist(), self.pair_b.tolist(), strict=True))
        return igraph.Graph(n=self.node_count, edges=edges)

    @property
    def node_count(self) -> int:
        return len(self.nodes)

    @property
    def pair_count(self) -> int:
        return len(self.pair_a)

    def people(self) -> Ints:
        """Positions of the members counted for isolation: people who are not staff."""
        network = self.network
        mask = (network.kind[self.nodes] == NodeKind.PERSON) & ~network.staff[self.nodes]
        return np.flatnonzero(mask)


def _unique(values: Ints) -> Ints:
    """The distinct values, sorted. By sorting: numpy 2's hashing ``np.unique`` is many
    times slower on ten million int64 keys."""
    ordered = np.sort(values)
    keep = np.ones(len(ordered), dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    result: Ints = ordered[keep]
    return result


def _contains(sorted_keys: Ints, queries: Ints) -> Bools:
    """Whether each query is in ``sorted_keys`` (sorted, distinct); fastest on sorted queries."""
    if len(sorted_keys) == 0:
        return np.zeros(len(queries), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_keys, queries), len(sorted_keys) - 1)
    found: Bools = sorted_keys[at] == queries
    return found


def _pairs(a: Ints, b: Ints, n: int) -> tuple[Ints, Ints]:
    """The distinct unordered pairs among (a[i], b[i]), as (low, high), sorted."""
    low = np.minimum(a, b).astype(np.int64)
    high = np.maximum(a, b).astype(np.int64)
    keys = _unique(low * n + high)
    return keys // n, keys % n


def window_graph(network: Network, window: Window) -> WindowGraph:
    """Keep the ties dated inside ``window`` and the nodes present in it; build the graph."""
    start, end = _day(window.start), _day(window.end)
    in_window = (network.when >= start) & (network.when <= end) & (network.source != network.target)
    source, target = network.source[in_window], network.target[in_window]
    present = np.isnat(network.joined) | (network.joined <= end)
    present[source] = True
    present[target] = True
    nodes = np.flatnonzero(present)
    position = np.full(network.node_count, -1, dtype=np.int64)
    position[nodes] = np.arange(len(nodes))
    tie_a, tie_b = position[source], position[target]
    pair_a, pair_b = _pairs(tie_a, tie_b, max(len(nodes), 1))
    return WindowGraph(
        network=network,
        window=window,
        nodes=nodes,
        position=position,
        pair_a=pair_a,
        pair_b=pair_b,
        tie_a=tie_a,
        tie_b=tie_b,
        tie_kind=network.tie_kind[in_window],
        tie_weight=network.weight[in_window],
    )


# ---------------------------------------------------------------- sharing the work

# The graph forked worker processes read (copy-on-write): set only around a pool's life.
_SHARED_GRAPH: Any = None
#: Below this many nodes, starting processes costs more than it saves: work stays here.
FORK_MIN_NODES = 20_000


def _on_shared_graph(task: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    return task(_SHARED_GRAPH, *args)


def _split(items: Sequence[int], parts: int) -> list[Sequence[int]]:
    size = math.ceil(len(items) / max(parts, 1))
    return [items[i : i + size] for i in range(0, len(items), size)] if size else []


def _in_workers(
    graph: Any, task: Callable[..., Any], jobs: list[tuple[Any, ...]], workers: int
) -> list[Any]:
    """``task(graph, *job)`` for every job: in this process, or in ``workers`` forked ones.

    igraph holds the GIL, so threads would not help; forked processes share the graph's
    memory until it is written, which these tasks never do. Where fork is not available,
    ``workers`` is 1 or the graph is small, the jobs run here, one after another.
    """
    alone = workers <= 1 or len(jobs) <= 1 or graph.vcount() < FORK_MIN_NODES
    if alone or "fork" not in multiprocessing.get_all_start_methods():
        return [task(graph, *job) for job in jobs]
    global _SHARED_GRAPH  # read by the forked workers only
    _SHARED_GRAPH = graph
    try:
        with multiprocessing.get_context("fork").Pool(min(workers, len(jobs))) as pool:
            return pool.starmap(_on_shared_graph, [(task, job) for job in jobs])
    finally:
        _SHARED_GRAPH = None


# ---------------------------------------------------------------- degree and reach


@dataclass(frozen=True, eq=False)
class Degrees:
    """Per node: ``degree`` distinct people (or organisations, groups) tied to in the window;
    ``ties`` every tie in the window (an exchange each time); ``reach`` distinct nodes
    within two steps (a tie, or a tie of a tie), the node itself not counted."""

    degree: Ints
    ties: Ints
    reach: Ints


def _reach(graph: Any, vertices: Sequence[int]) -> Ints:
    sizes = graph.neighborhood_size(vertices=list(vertices), order=2, mindist=1)
    return np.asarray(sizes, dtype=np.int64).reshape(len(vertices))


def degrees(wg: WindowGraph, *, workers: int = 1) -> Degrees:
    """``workers`` > 1 shares the two-step reach out to that many forked processes."""
    n = wg.node_count
    degree = np.bincount(wg.pair_a, minlength=n) + np.bincount(wg.pair_b, minlength=n)
    ties = np.bincount(wg.tie_a, minlength=n) + np.bincount(wg.tie_b, minlength=n)
    jobs = [(part,) for part in _split(range(n), workers)]
    parts = _in_workers(wg.graph, _reach, jobs, workers)
    reach = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    return Degrees(degree=degree, ties=ties, reach=reach)


# ---------------------------------------------------------------- isolation


@dataclass(frozen=True, eq=False)
class Isolation:
    """Members (people who are not staff) present in the window, and which of them were
    ``isolated`` (no tie at all) or had ``only_formal`` ties (every tie to staff or to an
    organisation). All three are network indices."""

    people: Ints
    isolated: Ints
    only_formal: Ints

    @property
    def isolated_share(self) -> float:
        return len(self.isolated) / len(self.people) if len(self.people) else math.nan

    @property
    def only_formal_share(self) -> float:
        return len(self.only_formal) / len(self.people) if len(self.people) else math.nan


def _formal(wg: WindowGraph) -> Bools:
    """Per position: staff, or an organisation."""
    network = wg.network
    result: Bools = network.staff[wg.nodes] | (network.kind[wg.nodes] == NodeKind.ORGANISATION)
    return result


def isolation(wg: WindowGraph) -> Isolation:
    n = wg.node_count
    formal = _formal(wg)
    degree = np.bincount(wg.pair_a, minlength=n) + np.bincount(wg.pair_b, minlength=n)
    # Ties to someone who is not staff and not an organisation.
    informal = np.bincount(wg.pair_a[~formal[wg.pair_b]], minlength=n) + np.bincount(
        wg.pair_b[~formal[wg.pair_a]], minlength=n
    )
    people = wg.people()
    return Isolation(
        people=wg.nodes[people],
        isolated=wg.nodes[people[degree[people] == 0]],
        only_formal=wg.nodes[people[(degree[people] > 0) & (informal[people] == 0)]],
    )


# ---------------------------------------------------------------- reciprocity


@dataclass(frozen=True, eq=False)
class Reciprocity:
    """Exchanges only (the ties with a direction), per node: minutes and exchanges given
    and received, how many people they gave to and received from, and ``mutual`` partners
    (people they both gave to and received from). ``both`` people gave and received;
    ``active`` gave or received. ``pair_reciprocity`` is the share of giver→receiver links
    that were returned in the window (networkx's ``overall_reciprocity``)."""

    given_minutes: Ints
    received_minutes: Ints
    given: Ints
    received: Ints
    gave_to: Ints
    received_from: Ints
    mutual: Ints
    both: int
    active: int
    pair_reciprocity: float

    @property
    def both_share(self) -> float:
        return self.both / self.active if self.active else math.nan


def reciprocity(wg: WindowGraph) -> Reciprocity:
    n = wg.node_count
    directed = np.zeros(len(wg.tie_kind), dtype=bool)
    for kind in DIRECTED_KINDS:
        directed |= wg.tie_kind == kind
    a, b, w = wg.tie_a[directed], wg.tie_b[directed], wg.tie_weight[directed]
    given = np.bincount(a, minlength=n)
    received = np.bincount(b, minlength=n)
    size = max(n, 1)
    keys = _unique(a.astype(np.int64) * size + b)  # distinct giver→receiver links
    ka, kb = keys // size, keys % size
    # A link is returned when its pair, ignoring direction, appears twice.
    pairs = np.sort(np.minimum(ka, kb) * size + np.maximum(ka, kb))
    twice = pairs[1:][pairs[1:] == pairs[:-1]]
    mutual = np.bincount(twice // size, minlength=n) + np.bincount(twice % size, minlength=n)
    gave, got = given > 0, received > 0
    return Reciprocity(
        given_minutes=np.bincount(a, weights=w, minlength=n).astype(np.int64),
        received_minutes=np.bincount(b, weights=w, minlength=n).astype(np.int64),
        given=given,
        received=received,
        gave_to=np.bincount(ka, minlength=n),
        received_from=np.bincount(kb, minlength=n),
        mutual=mutual,
        both=int(np.count_nonzero(gave & got)),
        active=int(np.count_nonzero(gave | got)),
        pair_reciprocity=2 * len(twice) / len(keys) if len(keys) else math.nan,
    )


# ---------------------------------------------------------------- bonding, bridging, linking


@dataclass(frozen=True, eq=False)
class TieMix:
    """Distinct ties in the window by what they join, on one attribute (the neighbourhood,
    or any other): ``linking`` ties have an organisation at one end; the others are
    ``bonding`` (both ends share the attribute), ``bridging`` (they differ) or
    ``unclassified`` (an end's attribute is unknown). Per node, and in total.

    ``mixing[g, h]`` counts ties between groups g and h (the diagonal: within g).
    Per group, ``internal`` ties have both ends in it and ``external`` one end;
    ``ei_index`` is (external - internal) / (external + internal): -1 when every tie
    stays inside, +1 when every tie goes out, NaN with no ties. ``ei_overall`` is
    (bridging - bonding) / (bridging + bonding)."""

    attribute: str
    labels: tuple[str, ...]
    bonding: Ints
    bridging: Ints
    linking: Ints
    unclassified: Ints
    mixing: Ints
    internal: Ints
    external: Ints
    ei_index: Floats
    ei_overall: float

    @property
    def totals(self) -> dict[str, int]:
        # Each tie is counted at both its ends.
        return {
            "bonding": int(self.bonding.sum()) // 2,
            "bridging": int(self.bridging.sum()) // 2,
            "linking": int(self.linking.sum()) // 2,
            "unclassified": int(self.unclassified.sum()) // 2,
        }


def _ei(external: Any, internal: Any) -> Any:
    total = external + internal
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (external - internal) / np.maximum(total, 1), np.nan)


def tie_mix(wg: WindowGraph, attribute: str = "neighbourhood") -> TieMix:
    network, n = wg.network, wg.node_count
    labels = network.attributes[attribute].labels
    k = len(labels)
    codes = network.attributes[attribute].codes[wg.nodes]
    organisation = network.kind[wg.nodes] == NodeKind.ORGANISATION
    a, b = wg.pair_a, wg.pair_b
    ca, cb = codes[a], codes[b]
    linking = organisation[a] | organisation[b]
    known = ~linking & (ca >= 0) & (cb >= 0)
    bonding = known & (ca == cb)
    bridging = known & (ca != cb)
    unclassified = ~linking & ~known

    def per_node(mask: Bools) -> Ints:
        return np.bincount(a[mask], minlength=n) + np.bincount(b[mask], minlength=n)

    mixing = np.bincount(ca[known] * k + cb[known], minlength=k * k).reshape(k, k)
    mixing = mixing + mixing.T - np.diag(np.diag(mixing))
    internal = np.diag(mixing).copy()
    external = mixing.sum(axis=1) - internal
    bonds, bridges = int(bonding.sum()), int(bridging.sum())
    return TieMix(
        attribute=attribute,
        labels=labels,
        bonding=per_node(bonding),
        bridging=per_node(bridging),
        linking=per_node(linking),
        unclassified=per_node(unclassified),
        mixing=mixing,
        internal=internal,
        external=external,
        ei_index=_ei(external, internal),
        ei_overall=float(_ei(np.array(bridges), np.array(bonds))),
    )


# ---------------------------------------------------------------- clustering and components


@dataclass(frozen=True, eq=False)
class Clustering:
    """``local``: of the pairs of a node's contacts, the share who are tied to each other
    (0 with fewer than two contacts); ``average``: its mean over all nodes."""

    local: Floats
    average: float


def clustering(wg: WindowGraph) -> Clustering:
    local = np.asarray(wg.graph.transitivity_local_undirected(mode="zero"), dtype=np.float64)
    local = local.reshape(wg.node_count)
    return Clustering(local=local, average=float(local.mean()) if len(local) else math.nan)


@dataclass(frozen=True, eq=False)
class Components:
    """Groups of nodes joined by some path. ``labels[i]`` is node i's component, numbered
    from the largest (0) down; ``sizes`` in that order; ``largest_share`` of all nodes."""

    labels: Ints
    sizes: Ints

    @property
    def count(self) -> int:
        return len(self.sizes)

    @property
    def largest_share(self) -> float:
        total = int(self.sizes.sum())
        return int(self.sizes[0]) / total if total else math.nan


def components(wg: WindowGraph) -> Components:
    raw = np.asarray(wg.graph.connected_components().membership, dtype=np.int64)
    raw = raw.reshape(wg.node_count)
    sizes = np.bincount(raw)
    order = np.argsort(-sizes, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return Components(labels=rank[raw], sizes=sizes[order])


# ---------------------------------------------------------------- per group


@dataclass(frozen=True, eq=False)
class GroupMeasures:
    """The whole-network measures of shape taken over each group's nodes (a group: the
    nodes sharing a value of one attribute, such as a neighbourhood), in ``labels`` order.

    ``nodes``: how many of the window's nodes are in each group. ``largest_component_share``:
    the share of them in the network's largest component (how many of a place's people are
    joined to the main body of the network). ``average_clustering``: the mean of their local
    clustering, on the whole graph (networkx's ``average_clustering(G, nodes=group)``).
    ``reciprocity_both_share``: of them who gave or received in an exchange, the share who
    did both. NaN where a group has no one to divide by."""

    attribute: str
    labels: tuple[str, ...]
    nodes: Ints
    largest_component_share: Floats
    average_clustering: Floats
    reciprocity_both_share: Floats


def _group_mean(values: Floats, codes: Ints, k: int) -> Floats:
    """Per group code 0..k-1, the mean of ``values`` (NaN for an empty group); -1 ignored."""
    known = codes >= 0
    total = np.bincount(codes[known], weights=values[known], minlength=k)
    count = np.bincount(codes[known], minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        result: Floats = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return result


def by_group(
    wg: WindowGraph,
    attribute: str = "neighbourhood",
    *,
    parts: Components | None = None,
    local: Clustering | None = None,
    given: Reciprocity | None = None,
) -> GroupMeasures:
    """Per group of ``attribute``; pass measures already taken to avoid taking them again."""
    labels = wg.network.attributes[attribute].labels
    k = len(labels)
    codes = wg.network.attributes[attribute].codes[wg.nodes]
    parts = parts if parts is not None else components(wg)
    local = local if local is not None else clustering(wg)
    given = given if given is not None else reciprocity(wg)
    in_largest = (parts.labels == 0).astype(np.float64) if len(parts.labels) else np.zeros(0)
    gave, got = given.given > 0, given.received > 0
    active = gave | got
    both = (gave & got).astype(np.float64)
    active_codes = np.where(active, codes, -1)
    known = codes >= 0
    return GroupMeasures(
        attribute=attribute,
        labels=labels,
        nodes=np.bincount(codes[known], minlength=k),
        largest_component_share=_group_mean(in_largest, codes, k),
        average_clustering=_group_mean(local.local, codes, k),
        reciprocity_both_share=_group_mean(both, active_codes, k),
    )


# ---------------------------------------------------------------- brokers


@dataclass(frozen=True, eq=False)
class Betweenness:
    """How often a node lies on the shortest paths between others: the brokers.

    Normalised as networkx does for an undirected graph: the share of pairs of other
    nodes whose shortest paths pass through it (0 to 1). ``exact`` when every node was a
    source; otherwise ``pivots`` sources were sampled (as networkx's ``k``) and, with
    probability at least ``confidence``, every node's value is within ``error_bound`` of
    the exact one (``error_bound_one``: for any single node named in advance). Exact
    results have bounds of 0."""

    values: Floats
    exact: bool
    pivots: int
    confidence: float
    error_bound: float
    error_bound_one: float

    def top(self, wg: WindowGraph, count: int = 10) -> Ints:
        """The network indices of the ``count`` highest, highest first."""
        order = np.argsort(-self.values, kind="stable")[:count]
        result: Ints = wg.nodes[order]
        return result


def pivot_error_bound(nodes: int, pivots: int, confidence: float) -> tuple[float, float]:
    """Hoeffding's bound on the sampled, normalised betweenness (all nodes, one node).

    Each node's estimate is the mean over at least ``pivots - 1`` sources drawn without
    replacement of that source's dependency on it, divided by ``nodes - 2`` to lie in
    [0, 1]; the exact value is the mean over all the other sources. Hoeffding (1963,
    which also covers drawing without replacement): P(|error| >= t) <= 2 exp(-2 m t^2),
    m = pivots - 1; a union bound over all nodes gives the first figure.
    """
    m = pivots - 1
    if m < 1:
        return math.inf, math.inf
    delta = 1.0 - confidence
    every = math.sqrt(math.log(2 * max(nodes, 1) / delta) / (2 * m))
    one = math.sqrt(math.log(2 / delta) / (2 * m))
    return min(every, 1.0), min(one, 1.0)


def _betweenness_from(graph: Any, sources: Sequence[int]) -> Floats:
    raw = graph.betweenness(directed=False, sources=list(sources))
    return np.asarray(raw, dtype=np.float64).reshape(graph.vcount())


def _dependencies(wg: WindowGraph, sources: list[int], workers: int) -> Floats:
    """igraph's betweenness from ``sources`` (to every node), summed over workers' shares."""
    jobs = [(part,) for part in _split(sources, workers)]
    total: Floats = np.sum(_in_workers(wg.graph, _betweenness_from, jobs, workers), axis=0)
    return total


def betweenness(
    wg: WindowGraph,
    *,
    pivots: int | None = None,
    exact_max_nodes: int = EXACT_BETWEENNESS_MAX_NODES,
    confidence: float = 0.95,
    seed: int = 0,
    workers: int = 1,
) -> Betweenness:
    """Exact up to ``exact_max_nodes`` nodes (or when ``pivots`` reaches the node count),
    else sampled from ``pivots`` (default :data:`DEFAULT_PIVOTS`) sources.

    Sources are drawn as networkx draws its ``k`` (``random.Random(seed).sample``), so
    on a graph whose nodes are 0..n-1 in order both sample the same pivots. ``workers``
    > 1 shares the sources out to that many forked processes.
    """
    n = wg.node_count
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1.")
    if pivots is None:
        pivots = n if n <= exact_max_nodes else DEFAULT_PIVOTS
    if n < 3:
        return Betweenness(np.zeros(n), True, n, confidence, 0.0, 0.0)
    if pivots >= n:
        # igraph counts each unordered pair once.
        values = _dependencies(wg, list(range(n)), workers) * 2.0 / ((n - 1) * (n - 2))
        return Betweenness(values, True, n, confidence, 0.0, 0.0)
    if pivots < 2:
        raise ValueError("Sampled betweenness needs at least 2 pivots.")
    sources = random.Random(seed).sample(range(n), pivots)  # noqa: S311 (sampling, not secrets)
    # igraph's subset betweenness halves each source's dependencies on an undirected graph.
    values = 2.0 * _dependencies(wg, sources, workers) / (pivots * (n - 2))
    values[sources] *= pivots / (pivots - 1)  # a source never counts itself
    every, one = pivot_error_bound(n, pivots, confidence)
    return Betweenness(values, False, pivots, confidence, every, one)


# ---------------------------------------------------------------- change between windows


@dataclass(frozen=True, eq=False)
class Change:
    """Between two windows, among members present in both: who ``became_connected`` (no tie
    before, some after) and who ``became_isolated``; the bridging ties (on ``attribute``)
    that are ``new_bridges`` in the later window and the ``lost_bridges`` it no longer has,
    as rows of two network indices (lower first)."""

    before: Window
    after: Window
    attribute: str
    became_connected: Ints
    became_isolated: Ints
    new_bridges: Ints
    lost_bridges: Ints
    isolated_share_before: float
    isolated_share_after: float


def _bridges(wg: WindowGraph, attribute: str) -> Ints:
    """Bridging ties as sorted int64 keys ``low * N + high`` over network indices."""
    network = wg.network
    codes = network.attributes[attribute].codes
    organisation = network.kind == NodeKind.ORGANISATION
    a, b = wg.nodes[wg.pair_a], wg.nodes[wg.pair_b]
    ca, cb = codes[a], codes[b]
    mask = (ca >= 0) & (cb >= 0) & (ca != cb) & ~organisation[a] & ~organisation[b]
    low, high = np.minimum(a[mask], b[mask]), np.maximum(a[mask], b[mask])
    return _unique(low.astype(np.int64) * network.node_count + high)


def change(
    network: Network, before: Window, after: Window, attribute: str = "neighbourhood"
) -> Change:
    first, second = window_graph(network, before), window_graph(network, after)
    iso_first, iso_second = isolation(first), isolation(second)
    both = iso_first.people[_contains(iso_second.people, iso_first.people)]
    was, now = _contains(iso_first.isolated, both), _contains(iso_second.isolated, both)
    old, new = _bridges(first, attribute), _bridges(second, attribute)
    n = network.node_count

    def rows(keys: Ints) -> Ints:
        result: Ints = (
            np.column_stack([keys // n, keys % n]) if len(keys) else np.zeros((0, 2), np.int64)
        )
        return result

    return Change(
        before=before,
        after=after,
        attribute=attribute,
        became_connected=both[was & ~now],
        became_isolated=both[~was & now],
        new_bridges=rows(new[~_contains(old, new)]),
        lost_bridges=rows(old[~_contains(new, old)]),
        isolated_share_before=iso_first.isolated_share,
        isolated_share_after=iso_second.isolated_share,
    )


# ---------------------------------------------------------------- everything at once


@dataclass(frozen=True, eq=False)
class Measures:
    graph: WindowGraph
    degrees: Degrees
    isolation: Isolation
    reciprocity: Reciprocity
    tie_mix: Mapping[str, TieMix]
    clustering: Clustering
    components: Components
    betweenness: Betweenness


def measure(
    network: Network,
    window: Window,
    *,
    attributes: Iterable[str] = ("neighbourhood",),
    pivots: int | None = None,
    exact_max_nodes: int = EXACT_BETWEENNESS_MAX_NODES,
    confidence: float = 0.95,
    seed: int = 0,
    workers: int = 1,
) -> Measures:
    """Every measure of one window (``workers``: see :func:`degrees`, :func:`betweenness`)."""
    wg = window_graph(network, window)
    return Measures(
        graph=wg,
        degrees=degrees(wg, workers=workers),
        isolation=isolation(wg),
        reciprocity=reciprocity(wg),
        tie_mix={name: tie_mix(wg, name) for name in attributes},
        clustering=clustering(wg),
        components=components(wg),
        betweenness=betweenness(
            wg,
            pivots=pivots,
            exact_max_nodes=exact_max_nodes,
            confidence=confidence,
            seed=seed,
            workers=workers,
        ),
    )
