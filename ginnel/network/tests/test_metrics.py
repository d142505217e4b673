"""The pure core against networkx on real graphs and on generated ones, and by construction.

No database: these tests build Networks directly.
"""

from __future__ import annotations

import itertools
import math
from datetime import date

import networkx as nx  # type: ignore[import-untyped, unused-ignore]
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ginnel.network import metrics
from ginnel.network.metrics import NetworkBuilder, NodeKind, TieKind, Window

DAY = date(2026, 3, 1)
SPRING = Window(date(2026, 3, 1), date(2026, 5, 31))
SUMMER = Window(date(2026, 6, 1), date(2026, 8, 31))

REAL_GRAPHS = {
    "karate club": nx.karate_club_graph,
    "Les Misérables": nx.les_miserables_graph,
    "Florentine families": nx.florentine_families_graph,
}


def from_networkx(graph: nx.Graph) -> tuple[metrics.WindowGraph, list[object]]:
    """One person per networkx node (in its order), one peer tie per edge, all in SPRING."""
    builder = NetworkBuilder()
    order = list(graph)
    index = {node: i for i, node in enumerate(order)}
    for i in range(len(order)):
        builder.add_node(NodeKind.PERSON, i)
    for u, v in graph.edges():
        builder.add_tie(
            TieKind.PEER, (NodeKind.PERSON, index[u]), (NodeKind.PERSON, index[v]), when=DAY
        )
    wg = metrics.window_graph(builder.build(), SPRING)
    assert list(wg.nodes) == list(range(len(order)))
    return wg, order


def check_exact_measures(graph: nx.Graph) -> None:
    wg, order = from_networkx(graph)
    degrees = metrics.degrees(wg)
    assert degrees.degree.tolist() == [graph.degree(v) for v in order]
    assert degrees.reach.tolist() == [
        len(nx.single_source_shortest_path_length(graph, v, cutoff=2)) - 1 for v in order
    ]
    local = nx.clustering(graph)
    result = metrics.clustering(wg)
    assert result.local == pytest.approx([local[v] for v in order])
    assert result.average == pytest.approx(nx.average_clustering(graph))
    parts = metrics.components(wg)
    expected = sorted((len(c) for c in nx.connected_components(graph)), reverse=True)
    assert parts.count == nx.number_connected_components(graph)
    assert parts.sizes.tolist() == expected
    assert parts.largest_share == pytest.approx(expected[0] / graph.number_of_nodes())
    for component in nx.connected_components(graph):
        labels = {int(parts.labels[order.index(v)]) for v in component}
        assert len(labels) == 1
    exact = metrics.betweenness(wg)
    assert exact.exact
    assert exact.error_bound == 0
    reference = nx.betweenness_centrality(graph, normalized=True)
    assert exact.values == pytest.approx([reference[v] for v in order], abs=1e-12)


@pytest.mark.parametrize("name", REAL_GRAPHS)
def test_degree_reach_clustering_components_and_betweenness_equal_networkx_on_real_graphs(
    name: str,
) -> None:
    check_exact_measures(nx.Graph(REAL_GRAPHS[name]()))


def test_clustering_equals_networkx_on_the_karate_club() -> None:
    graph = nx.karate_club_graph()
    wg, _ = from_networkx(graph)
    assert metrics.clustering(wg).average == pytest.approx(nx.average_clustering(graph))
    assert metrics.clustering(wg).average == pytest.approx(0.5706384782076823)


small_graphs = st.integers(min_value=1, max_value=25).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n),
    )
)


@settings(max_examples=60, deadline=None)
@given(small_graphs)
def test_every_exact_measure_equals_networkx_on_generated_graphs(
    graph_spec: tuple[int, list[tuple[int, int]]],
) -> None:
    n, edges = graph_spec
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    # Repeated ties collapse into one; a tie with oneself is not a tie.
    graph.add_edges_from((u, v) for u, v in edges if u != v)
    check_exact_measures(graph)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sampled_betweenness_is_within_its_stated_error_on_les_miserables(seed: int) -> None:
    graph = nx.les_miserables_graph()
    wg, _ = from_networkx(graph)
    exact = metrics.betweenness(wg)
    sampled = metrics.betweenness(wg, pivots=12, seed=seed)
    assert not sampled.exact
    assert sampled.pivots == 12
    assert 0 < sampled.error_bound_one < sampled.error_bound < 1
    assert np.abs(sampled.values - exact.values).max() <= sampled.error_bound


def test_sampled_betweenness_takes_the_same_pivots_as_networkx_and_agrees_with_it() -> None:
    graph = nx.convert_node_labels_to_integers(nx.les_miserables_graph())
    wg, order = from_networkx(graph)
    sampled = metrics.betweenness(wg, pivots=20, seed=7)
    reference = nx.betweenness_centrality(graph, k=20, seed=7)
    assert sampled.values == pytest.approx([reference[v] for v in order], abs=1e-12)


def test_the_stated_error_shrinks_with_more_pivots_and_grows_with_confidence() -> None:
    few, _ = metrics.pivot_error_bound(10_000, 16, 0.95)
    many, _ = metrics.pivot_error_bound(10_000, 256, 0.95)
    surer, _ = metrics.pivot_error_bound(10_000, 256, 0.99)
    assert many < few
    assert surer > many
    # Hoeffding with a union bound over 10,000 nodes, written out.
    assert many == pytest.approx(math.sqrt(math.log(2 * 10_000 / 0.05) / (2 * 255)))


def test_large_graphs_are_sampled_and_small_ones_exact_by_default() -> None:
    wg, _ = from_networkx(nx.les_miserables_graph())  # 77 nodes
    assert metrics.betweenness(wg).exact
    sampled = metrics.betweenness(wg, exact_max_nodes=10)
    assert not sampled.exact
    assert sampled.pivots == metrics.DEFAULT_PIVOTS
    assert metrics.betweenness(wg, pivots=77).exact


# ---------------------------------------------------------------- built by hand


def person(i: int) -> tuple[NodeKind, int]:
    return (NodeKind.PERSON, i)


def test_isolation_finds_people_with_no_tie_and_people_tied_only_to_staff_or_organisations() -> (
    None
):
    builder = NetworkBuilder()
    for i in range(1, 7):
        builder.add_node(NodeKind.PERSON, i, neighbourhood="Hebble End")
    builder.add_node(NodeKind.PERSON, 90, staff=True)  # a coordinator
    builder.add_node(NodeKind.ORGANISATION, 1)  # the same id as person 1, another kind
    builder.add_node(NodeKind.PERSON, 7, joined=date(2026, 9, 1))  # joins after spring
    builder.add_tie(TieKind.PEER, person(1), person(2), when=DAY)
    builder.add_tie(TieKind.EXCHANGE, person(90), person(3), when=DAY, weight=60)
    builder.add_tie(TieKind.REFERRAL, person(4), (NodeKind.ORGANISATION, 1), when=DAY)
    builder.add_tie(TieKind.EXCHANGE, person(5), person(90), when=DAY, weight=30)
    builder.add_tie(TieKind.PEER, person(5), person(6), when=date(2026, 7, 1))  # summer
    network = builder.build()
    result = metrics.isolation(metrics.window_graph(network, SPRING))
    ids = network.ids
    # People counted: 1-6 (not the coordinator, not person 7 who had not joined).
    assert sorted(ids[result.people]) == [1, 2, 3, 4, 5, 6]
    assert sorted(ids[result.isolated]) == [6]
    assert sorted(ids[result.only_formal]) == [3, 4, 5]
    assert result.isolated_share == pytest.approx(1 / 6)
    assert result.only_formal_share == pytest.approx(3 / 6)


def test_a_tie_outside_the_window_does_not_count_and_repeated_ties_collapse() -> None:
    builder = NetworkBuilder()
    for i in range(3):
        builder.add_node(NodeKind.PERSON, i)
    for day in (1, 2, 3):
        builder.add_tie(TieKind.EXCHANGE, person(0), person(1), when=date(2026, 4, day))
    builder.add_tie(TieKind.PEER, person(1), person(2), when=date(2026, 2, 28))
    wg = metrics.window_graph(builder.build(), SPRING)
    assert wg.pair_count == 1
    result = metrics.degrees(wg)
    assert result.degree.tolist() == [1, 1, 0]
    assert result.ties.tolist() == [3, 3, 0]
    assert result.reach.tolist() == [1, 1, 0]


def test_reciprocity_counts_what_each_person_gave_and_received() -> None:
    builder = NetworkBuilder()
    for i in range(4):
        builder.add_node(NodeKind.PERSON, i)
    exchanges = [(0, 1, 60), (1, 0, 30), (0, 2, 90), (0, 2, 90), (3, 0, 15)]
    for giver, receiver, minutes in exchanges:
        builder.add_tie(TieKind.EXCHANGE, person(giver), person(receiver), when=DAY, weight=minutes)
    builder.add_tie(TieKind.PEER, person(2), person(3), when=DAY)  # no direction: not counted
    result = metrics.reciprocity(metrics.window_graph(builder.build(), SPRING))
    assert result.given_minutes.tolist() == [
        sum(m for g, _, m in exchanges if g == i) for i in range(4)
    ]
    assert result.given_minutes.tolist() == [240, 30, 0, 15]
    assert result.received_minutes.tolist() == [45, 60, 180, 0]
    assert result.given.tolist() == [3, 1, 0, 1]
    assert result.received.tolist() == [2, 1, 2, 0]
    assert result.gave_to.tolist() == [2, 1, 0, 1]
    assert result.received_from.tolist() == [2, 1, 1, 0]
    assert result.mutual.tolist() == [1, 1, 0, 0]  # 0 and 1 helped each other
    assert (result.both, result.active) == (2, 4)
    assert result.both_share == pytest.approx(0.5)
    # Links: 0→1, 1→0, 0→2, 3→0; two of the four are returned.
    assert result.pair_reciprocity == pytest.approx(2 / 4)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 7), st.integers(0, 7)).filter(lambda e: e[0] != e[1]),
        min_size=1,
        max_size=30,
    )
)
def test_pair_reciprocity_equals_networkx_overall_reciprocity(edges: list[tuple[int, int]]) -> None:
    builder = NetworkBuilder()
    for i in range(8):
        builder.add_node(NodeKind.PERSON, i)
    for giver, receiver in edges:
        builder.add_tie(TieKind.EXCHANGE, person(giver), person(receiver), when=DAY, weight=60)
    result = metrics.reciprocity(metrics.window_graph(builder.build(), SPRING))
    assert result.pair_reciprocity == pytest.approx(nx.overall_reciprocity(nx.DiGraph(edges)))


def mixed_network() -> metrics.Network:
    """Hebble End: a, b, c. Mytholm: d, e. x: neighbourhood unknown. An organisation."""
    builder = NetworkBuilder(attributes=("neighbourhood", "age"))
    homes: dict[str, str | None] = {"a": "Hebble End", "b": "Hebble End", "c": "Hebble End"}
    homes |= {"d": "Mytholm"}
    homes |= {"e": "Mytholm", "x": None}
    ages = {"a": "young", "b": "old", "c": "old", "d": "old", "e": "young", "x": "old"}
    for i, name in enumerate(homes):
        builder.add_node(NodeKind.PERSON, i, neighbourhood=homes[name], age=ages[name])
    builder.add_node(NodeKind.ORGANISATION, 100, neighbourhood="Hebble End")
    number = {name: i for i, name in enumerate(homes)}
    for u, v in [("a", "b"), ("b", "c"), ("d", "e"), ("c", "d"), ("a", "x"), ("b", "a")]:
        builder.add_tie(TieKind.PEER, person(number[u]), person(number[v]), when=DAY)
    builder.add_tie(TieKind.REFERRAL, person(number["a"]), (NodeKind.ORGANISATION, 100), when=DAY)
    return builder.build()


def test_bonding_bridging_and_linking_ties_by_neighbourhood() -> None:
    network = mixed_network()
    result = metrics.tie_mix(metrics.window_graph(network, SPRING))
    # a-b, b-c within Hebble End; d-e within Mytholm; c-d across; a-org links; a-x unknown.
    assert result.totals == {"bonding": 3, "bridging": 1, "linking": 1, "unclassified": 1}
    # b-a repeats a-b: one tie.
    assert result.bonding.tolist() == [1, 2, 1, 1, 1, 0, 0]  # a b c d e x org
    assert result.bridging.tolist() == [0, 0, 1, 1, 0, 0, 0]
    assert result.linking.tolist() == [1, 0, 0, 0, 0, 0, 1]
    hebble, mytholm = result.labels.index("Hebble End"), result.labels.index("Mytholm")
    assert result.internal[hebble] == 2
    assert result.external[hebble] == 1
    assert result.ei_index[hebble] == pytest.approx((1 - 2) / (1 + 2))
    assert result.ei_index[mytholm] == pytest.approx((1 - 1) / (1 + 1))
    assert result.ei_overall == pytest.approx((1 - 3) / (1 + 3))
    assert result.mixing[hebble, mytholm] == result.mixing[mytholm, hebble] == 1


def test_bonding_and_bridging_work_on_any_attribute() -> None:
    result = metrics.tie_mix(metrics.window_graph(mixed_network(), SPRING), "age")
    # a(young)-b(old), b-c old-old, d(old)-e(young), c-d old-old, a-x young-old.
    assert result.totals == {"bonding": 2, "bridging": 3, "linking": 1, "unclassified": 0}
    assert result.ei_overall == pytest.approx((3 - 2) / 5)


def test_a_neighbourhood_with_no_ties_has_no_e_i_index() -> None:
    builder = NetworkBuilder()
    builder.add_node(NodeKind.PERSON, 1, neighbourhood="Hebble End")
    builder.add_node(NodeKind.PERSON, 2, neighbourhood="Hebble End")
    builder.add_node(NodeKind.PERSON, 3, neighbourhood="Mytholm")
    builder.add_tie(TieKind.PEER, person(1), person(2), when=DAY)
    result = metrics.tie_mix(metrics.window_graph(builder.build(), SPRING))
    assert result.ei_index[0] == -1
    assert math.isnan(result.ei_index[1])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from(["N", "S", "E", None]), min_size=2, max_size=12).flatmap(
        lambda homes: st.tuples(
            st.just(homes),
            st.lists(
                st.tuples(st.integers(0, len(homes) - 1), st.integers(0, len(homes) - 1)),
                max_size=30,
            ),
        )
    )
)
def test_e_i_index_equals_a_count_by_hand(
    spec: tuple[list[str | None], list[tuple[int, int]]],
) -> None:
    homes, edges = spec
    builder = NetworkBuilder()
    for i, home in enumerate(homes):
        builder.add_node(NodeKind.PERSON, i, neighbourhood=home)
    for u, v in edges:
        builder.add_tie(TieKind.PEER, person(u), person(v), when=DAY)
    result = metrics.tie_mix(metrics.window_graph(builder.build(), SPRING))
    ties = {frozenset(e) for e in edges if e[0] != e[1]}
    for code, label in enumerate(result.labels):
        inside = sum(1 for t in ties if all(homes[i] == label for i in t))
        outside = sum(
            1
            for t in ties
            if None not in {homes[i] for i in t} and sum(homes[i] == label for i in t) == 1
        )
        assert (result.internal[code], result.external[code]) == (inside, outside)
        if inside + outside:
            assert result.ei_index[code] == pytest.approx((outside - inside) / (outside + inside))


def test_change_between_two_windows() -> None:
    builder = NetworkBuilder()
    homes = ["Hebble End", "Hebble End", "Mytholm", "Mytholm", "Hebble End"]
    for i, home in enumerate(homes):
        builder.add_node(NodeKind.PERSON, i, neighbourhood=home)
    builder.add_node(NodeKind.PERSON, 5, joined=date(2026, 7, 1), neighbourhood="Mytholm")
    spring = date(2026, 4, 1)
    summer = date(2026, 7, 1)
    builder.add_tie(TieKind.PEER, person(0), person(1), when=spring)  # 0-1 in both
    builder.add_tie(TieKind.PEER, person(0), person(1), when=summer)
    builder.add_tie(TieKind.PEER, person(1), person(2), when=spring)  # a bridge, lost
    builder.add_tie(TieKind.PEER, person(3), person(0), when=summer)  # 3 connects; new bridge
    builder.add_tie(TieKind.PEER, person(5), person(4), when=summer)  # newcomer 5 and 4
    network = builder.build()
    result = metrics.change(network, SPRING, SUMMER)
    ids = network.ids
    assert sorted(ids[result.became_connected]) == [3, 4]
    assert sorted(ids[result.became_isolated]) == [2]
    assert sorted(tuple(sorted(ids[row])) for row in result.new_bridges) == [(0, 3), (4, 5)]
    assert [tuple(sorted(ids[row])) for row in result.lost_bridges] == [(1, 2)]
    assert result.isolated_share_before == pytest.approx(2 / 5)
    assert result.isolated_share_after == pytest.approx(1 / 6)


def test_measure_returns_every_measure_of_a_window() -> None:
    result = metrics.measure(mixed_network(), SPRING, attributes=["neighbourhood", "age"])
    assert set(result.tie_mix) == {"neighbourhood", "age"}
    assert result.components.count == 1
    assert result.betweenness.exact
    assert len(result.degrees.degree) == result.graph.node_count == 7
    top = result.betweenness.top(result.graph, 1)
    assert result.graph.network.ids[top].tolist() == [0]  # a joins b, x and the organisation


def test_the_builder_drops_ties_to_nodes_it_does_not_know() -> None:
    builder = NetworkBuilder()
    builder.add_node(NodeKind.PERSON, 1)
    assert not builder.add_tie(TieKind.PEER, person(1), person(2), when=DAY)
    assert builder.dropped == 1
    assert builder.build().tie_count == 0


def test_a_window_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="cannot end"):
        Window(date(2026, 5, 1), date(2026, 4, 1))


def test_an_empty_network_has_no_measures_to_divide_by_zero() -> None:
    builder = NetworkBuilder()
    result = metrics.measure(builder.build(), SPRING)
    assert result.graph.node_count == 0
    assert math.isnan(result.isolation.isolated_share)
    assert result.components.count == 0
    assert math.isnan(result.reciprocity.pair_reciprocity)
    assert list(itertools.chain(result.betweenness.values)) == []


def test_sharing_the_work_among_processes_gives_the_same_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(metrics, "FORK_MIN_NODES", 0)  # fork even for a small graph
    wg, _ = from_networkx(nx.les_miserables_graph())
    alone, shared = metrics.degrees(wg), metrics.degrees(wg, workers=2)
    assert shared.reach.tolist() == alone.reach.tolist()
    exact = metrics.betweenness(wg, workers=2)
    assert exact.values == pytest.approx(metrics.betweenness(wg).values, abs=1e-12)
    sampled = metrics.betweenness(wg, pivots=10, seed=3, workers=2)
    assert sampled.values == pytest.approx(metrics.betweenness(wg, pivots=10, seed=3).values)


def test_measures_per_neighbourhood_equal_networkx_on_the_karate_club() -> None:
    graph = nx.karate_club_graph()
    graph.remove_edges_from([(0, 8), (2, 8), (8, 30), (8, 32), (8, 33)])  # two components
    builder = NetworkBuilder()
    for node in graph:
        builder.add_node(NodeKind.PERSON, node, neighbourhood=graph.nodes[node]["club"])
    for u, v in graph.edges():
        builder.add_tie(TieKind.PEER, person(u), person(v), when=DAY)
    wg = metrics.window_graph(builder.build(), SPRING)

    result = metrics.by_group(wg)

    largest = max(nx.connected_components(graph), key=len)
    for code, club in enumerate(result.labels):
        members = [v for v in graph if graph.nodes[v]["club"] == club]
        assert result.nodes[code] == len(members)
        assert result.average_clustering[code] == pytest.approx(
            nx.average_clustering(graph, nodes=members)
        )
        assert result.largest_component_share[code] == pytest.approx(
            sum(1 for v in members if v in largest) / len(members)
        )
    # The two clubs differ, so a whole-community figure would be wrong for each.
    assert result.average_clustering[0] != pytest.approx(result.average_clustering[1])


def test_measures_per_neighbourhood_by_hand() -> None:
    """Hebble End: 0, 1, 2 in a triangle, 3 alone. Mytholm: 4 and 5, tied to each other
    and 5 to 2. Exchanges: 0→1, 1→0 (both gave and received), 2→4, 5→3; 6 has no place."""
    builder = NetworkBuilder()
    for i in range(4):
        builder.add_node(NodeKind.PERSON, i, neighbourhood="Hebble End")
    builder.add_node(NodeKind.PERSON, 4, neighbourhood="Mytholm")
    builder.add_node(NodeKind.PERSON, 5, neighbourhood="Mytholm")
    builder.add_node(NodeKind.PERSON, 6)
    for a, b in [(0, 1), (1, 0), (2, 4), (5, 3)]:
        builder.add_tie(TieKind.EXCHANGE, person(a), person(b), when=DAY, weight=60)
    for a, b in [(1, 2), (0, 2), (4, 5), (5, 2)]:
        builder.add_tie(TieKind.PEER, person(a), person(b), when=DAY)
    wg = metrics.window_graph(builder.build(), SPRING)

    result = metrics.by_group(wg)

    hebble, mytholm = result.labels.index("Hebble End"), result.labels.index("Mytholm")
    assert result.nodes.tolist()[hebble] == 4
    assert result.nodes.tolist()[mytholm] == 2
    # Everyone but 6 is in one component: all of both places.
    assert result.largest_component_share[hebble] == pytest.approx(1.0)
    assert result.largest_component_share[mytholm] == pytest.approx(1.0)
    # Local clustering: 0 and 1 are 1 (their two contacts know each other); 2 has
    # contacts 0, 1, 4, 5 with ties 0-1 and 4-5: 2 of 6 pairs; 3 has one contact: 0.
    assert result.average_clustering[hebble] == pytest.approx((1 + 1 + 1 / 3 + 0) / 4)
    # 4: contacts 2 and 5, who are tied: 1. 5: contacts 4, 2, 3; only 4-2 tied: 1/3.
    assert result.average_clustering[mytholm] == pytest.approx((1 + 1 / 3) / 2)
    # Hebble End exchanged: 0 and 1 both ways, 2 gave, 3 received: 2 of 4.
    assert result.reciprocity_both_share[hebble] == pytest.approx(0.5)
    # Mytholm: 4 received, 5 gave: none did both.
    assert result.reciprocity_both_share[mytholm] == pytest.approx(0.0)


def test_a_neighbourhood_with_no_one_in_the_window_has_no_measures() -> None:
    builder = NetworkBuilder()
    builder.add_node(NodeKind.PERSON, 1, neighbourhood="Hebble End")
    builder.add_node(NodeKind.PERSON, 2, neighbourhood="Mytholm", joined=date(2026, 9, 1))

    result = metrics.by_group(metrics.window_graph(builder.build(), SPRING))

    mytholm = result.labels.index("Mytholm")
    assert result.nodes[mytholm] == 0
    assert math.isnan(result.average_clustering[mytholm])
    assert math.isnan(result.largest_component_share[mytholm])
    assert math.isnan(result.reciprocity_both_share[mytholm])
