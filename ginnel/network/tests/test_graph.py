"""Building the Network of one community and window from the database."""

from __future__ import annotations

from datetime import date

import pytest

from ginnel.communities.models import Role
from ginnel.network import metrics
from ginnel.network.graph import community_network, default_sources
from ginnel.network.metrics import NodeKind, Window
from ginnel.timebank.models import Exchange, ExchangeState, Transfer, TransferKind

SPRING = Window(date(2026, 3, 1), date(2026, 5, 31))


def exchange(giver, receiver, *, on, minutes=60, state=ExchangeState.CONFIRMED):
    community = giver.community
    transfer = None
    if state == ExchangeState.CONFIRMED:
        transfer = Transfer.objects.create(
            community=community, kind=TransferKind.EXCHANGE, happened_on=on
        )
    return Exchange.objects.create(
        community=community,
        giver=giver,
        receiver=receiver,
        proposed_by=giver,
        description="Help",
        state=state,
        minutes=minutes,
        happened_on=on,
        transfer=transfer,
    )


@pytest.fixture
def people(community, make_member):
    hebble, mytholm = community.neighbourhoods.order_by("name")
    return {
        "ann": make_member(community, name="Ann", neighbourhood=hebble),
        "bob": make_member(community, name="Bob", neighbourhood=hebble),
        "cat": make_member(community, name="Cat", neighbourhood=mytholm),
        "dee": make_member(community, name="Dee", neighbourhood=mytholm),
        "coordinator": make_member(community, name="Cath", roles=[Role.COORDINATOR]),
    }


@pytest.mark.django_db
def test_it_reads_confirmed_exchanges_in_the_window_as_ties_from_giver_to_receiver(
    people, django_assert_max_num_queries
):
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    exchange(ann, bob, on=date(2026, 4, 2), minutes=90)
    exchange(bob, cat, on=date(2026, 4, 3), minutes=30)
    exchange(cat, ann, on=date(2026, 4, 4), state=ExchangeState.COMPLETED)  # not confirmed
    exchange(cat, bob, on=date(2026, 6, 4))  # after the window
    # Staff, people, then one query per kind of tie (other apps register theirs).
    with django_assert_max_num_queries(2 + len(default_sources())):
        result = community_network(community_id=ann.community_id, window=SPRING)
    network = result.network
    assert network.node_count == 5
    ties = {
        (int(network.ids[a]), int(network.ids[b]), int(w))
        for a, b, w in zip(network.source, network.target, network.weight, strict=True)
    }
    assert ties == {(ann.pk, bob.pk, 90), (bob.pk, cat.pk, 30)}
    assert result.dropped == 0
    hoods = network.attributes["neighbourhood"]
    assert hoods.labels[hoods.codes[network.index_of(NodeKind.PERSON, cat.pk)]] == "Mytholm"
    staff = {int(network.ids[i]) for i in range(network.node_count) if network.staff[i]}
    assert staff == {people["coordinator"].pk}


@pytest.mark.django_db
def test_it_never_reads_another_communitys_people_or_exchanges(
    people, other_community, make_member
):
    ann = people["ann"]
    theirs = [make_member(other_community, name=f"Other {i}") for i in range(2)]
    exchange(theirs[0], theirs[1], on=date(2026, 4, 2))
    result = community_network(community_id=ann.community_id, window=SPRING)
    ids = set(result.network.ids.tolist())
    assert ids == {p.pk for p in people.values()}
    assert not ids & {p.pk for p in theirs}
    assert result.network.tie_count == 0
    assert result.dropped == 0


@pytest.mark.django_db
def test_the_measures_run_on_what_it_builds(people):
    exchange(people["ann"], people["bob"], on=date(2026, 4, 2))
    exchange(people["bob"], people["cat"], on=date(2026, 4, 3))
    exchange(people["coordinator"], people["dee"], on=date(2026, 4, 3))
    network = community_network(community_id=people["ann"].community_id, window=SPRING).network
    result = metrics.measure(network, SPRING)
    ids = network.ids
    assert sorted(ids[result.isolation.only_formal].tolist()) == [people["dee"].pk]
    assert len(result.isolation.isolated) == 0
    # Bob (Hebble End) helped Cat (Mytholm); the coordinator (Hebble End) helped Dee (Mytholm).
    assert result.tie_mix["neighbourhood"].totals["bridging"] == 2
