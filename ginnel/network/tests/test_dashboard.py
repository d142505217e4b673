"""Network dashboards: who may see them, what analysts never see, and the CLI."""

from __future__ import annotations

import csv
import io
import itertools
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from ginnel.communities.models import Role
from ginnel.timebank.models import Exchange, ExchangeState, Transfer, TransferKind

pytestmark = pytest.mark.django_db

PAGES = ["dashboard", "csv", "graphml"]


def tie(giver, receiver, *, days_ago=10):
    on = timezone.localdate() - timedelta(days=days_ago)
    transfer = Transfer.objects.create(
        community=giver.community, kind=TransferKind.EXCHANGE, happened_on=on
    )
    Exchange.objects.create(
        community=giver.community,
        giver=giver,
        receiver=receiver,
        proposed_by=giver,
        claimed_by=giver,
        description="Help",
        state=ExchangeState.CONFIRMED,
        minutes=60,
        happened_on=on,
        transfer=transfer,
    )


@pytest.fixture
def village(community, make_member):
    """Zebedee and Quentin helped each other; Ottoline has no tie at all."""
    zebedee = make_member(community, name="Zebedee Quill")
    quentin = make_member(community, name="Quentin Marsh")
    ottoline = make_member(community, name="Ottoline Strand")
    tie(zebedee, quentin)
    tie(quentin, zebedee, days_ago=20)
    return zebedee, quentin, ottoline


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", [Role.MEMBER, Role.LINK_WORKER, Role.ORG_EDITOR])
def test_members_and_other_roles_never_see_the_dashboards(
    page, role, community, make_member, client_for, village
):
    asker = make_member(community, roles=[role])

    response = client_for(asker).get(reverse(f"network:{page}", args=[community.slug]))

    assert response.status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_an_analyst_never_sees_a_name(page, community, analyst, client_for, village):
    response = client_for(analyst).get(reverse(f"network:{page}", args=[community.slug]))

    body = response.content.decode()
    assert response.status_code == 200
    for person in village:
        assert person.display_name not in body
    assert "Ana Analyst" not in body.split('id="main-content"')[-1]


def test_an_analyst_sees_the_isolated_counted(community, analyst, client_for, village):
    response = client_for(analyst).get(reverse("network:dashboard", args=[community.slug]))

    whole = response.context["latest"].places["Whole community"]
    # Three villagers plus the analyst, who is a member too: two have a tie.
    assert (whole.people, whole.isolated) == (4, 2)


def test_a_coordinator_sees_who_is_isolated_by_name(community, coordinator, client_for, village):
    response = client_for(coordinator).get(reverse("network:dashboard", args=[community.slug]))

    page = response.content.decode()
    assert "Ottoline Strand" in page
    named = {p.display_name for p in response.context["found"].isolated_people}
    assert "Ottoline Strand" in named
    assert "Zebedee Quill" not in named


def test_another_communitys_exchanges_never_enter_the_graph(
    community, other_community, coordinator, make_member, client_for, village
):
    outsiders = [make_member(other_community) for _ in range(5)]
    for a, b in itertools.pairwise(outsiders):
        tie(a, b)

    response = client_for(coordinator).get(reverse("network:csv", args=[community.slug]))

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    latest = [r for r in rows if r["place"] == "Whole community"][-1]
    assert latest["members"] == "4"  # the three villagers and the coordinator


def test_the_graphml_export_has_ties_and_neighbourhoods_but_no_names(
    community, coordinator, client_for, village
):
    body = (
        client_for(coordinator)
        .get(reverse("network:graphml", args=[community.slug]))
        .content.decode()
    )

    assert "<graphml" in body
    assert body.count("<edge ") == 1  # the two exchanges are one tie
    assert "Hebble End" in body
    assert "Quill" not in body


def test_ginnel_metrics_prints_the_measures_and_writes_json(community, village, tmp_path):
    out = io.StringIO()
    target = tmp_path / "measures.json"

    call_command(
        "metrics", "--community", community.slug, "--json", str(target), stdout=out, verbosity=0
    )

    written = json.loads(target.read_text())
    assert written["members"] == 3
    assert written["isolated"] == 1
    assert written["components"] >= 1
    assert "isolated" in out.getvalue()


def test_ginnel_metrics_counts_members_as_the_pages_do_staff_included(
    community, coordinator, village, tmp_path
):
    target = tmp_path / "measures.json"

    call_command("metrics", "--community", community.slug, "--json", str(target), verbosity=0)

    written = json.loads(target.read_text())
    assert (written["members"], written["members_not_staff"]) == (4, 3)
    assert written["isolated"] == 1  # Ottoline; the coordinator's ties are their work


def test_ginnel_metrics_refuses_a_backwards_period(community):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="must not be before"):
        call_command(
            "metrics",
            "--community",
            community.slug,
            "--from",
            "2026-05-01",
            "--to",
            "2026-04-01",
            verbosity=0,
        )


def test_who_lost_their_ties_is_counted_for_analysts_and_named_for_coordinators(
    community, analyst, coordinator, make_member, client_for
):
    wilf = make_member(community, name="Wilfred Lapsed")
    vera = make_member(community, name="Vera Lapsed")
    tie(wilf, vera, days_ago=120)  # in the 90 days before last, not in the last 90

    for_analyst = client_for(analyst).get(reverse("network:dashboard", args=[community.slug]))
    for_coordinator = client_for(coordinator).get(
        reverse("network:dashboard", args=[community.slug])
    )

    assert for_analyst.context["found"].movement.became_isolated == 2
    assert for_analyst.context["found"].movement.became_isolated_people == []
    assert "Wilfred Lapsed" not in for_analyst.content.decode()
    named = {
        p.display_name for p in for_coordinator.context["found"].movement.became_isolated_people
    }
    assert named == {"Wilfred Lapsed", "Vera Lapsed"}


def latest_rows(response) -> dict[str, dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    last = rows[-1]["date"]
    return {r["place"]: r for r in rows if r["date"] == last}


def test_each_neighbourhood_in_the_csv_has_its_own_component_share_clustering_and_reciprocity(
    community, coordinator, make_member, client_for
):
    hebble = community.neighbourhoods.get(name="Hebble End")
    mytholm = community.neighbourhoods.get(name="Mytholm")
    coordinator.neighbourhood = hebble
    coordinator.save()
    a, b, c = (make_member(community, neighbourhood=hebble) for _ in range(3))
    d, e = (make_member(community, neighbourhood=mytholm) for _ in range(2))
    for giver, receiver in [(a, b), (b, c), (c, a), (d, e)]:
        tie(giver, receiver)

    rows = latest_rows(client_for(coordinator).get(reverse("network:csv", args=[community.slug])))

    # Hebble End: a triangle who all gave and received, and the coordinator with no tie.
    assert rows["Hebble End"]["largest_component_share"] == "0.750"
    assert rows["Hebble End"]["average_clustering"] == "0.750"
    assert rows["Hebble End"]["reciprocity_both_share"] == "1.000"
    # Mytholm: one giver and one receiver, apart from the largest group.
    assert rows["Mytholm"]["largest_component_share"] == "0.000"
    assert rows["Mytholm"]["average_clustering"] == "0.000"
    assert rows["Mytholm"]["reciprocity_both_share"] == "0.000"
    # The whole community: 3 of 6 in the largest group, 3 of 5 who exchanged did both.
    assert rows["Whole community"]["largest_component_share"] == "0.500"
    assert rows["Whole community"]["average_clustering"] == "0.500"
    assert rows["Whole community"]["reciprocity_both_share"] == "0.600"


def test_an_analyst_sees_counts_under_5_as_fewer_than_5_and_a_coordinator_exactly(
    community, analyst, coordinator, client_for, village
):
    for_analyst = client_for(analyst)
    for_coordinator = client_for(coordinator)

    hidden = latest_rows(for_analyst.get(reverse("network:csv", args=[community.slug])))
    exact = latest_rows(for_coordinator.get(reverse("network:csv", args=[community.slug])))
    page = for_analyst.get(reverse("network:dashboard", args=[community.slug])).content.decode()

    whole = "Whole community"
    # Five members (the villagers, the analyst, the coordinator); Ottoline and the analyst
    # have no tie.
    assert (hidden[whole]["members"], hidden[whole]["isolated"]) == ("5", "fewer than 5")
    assert (exact[whole]["members"], exact[whole]["isolated"]) == ("5", "2")
    assert 'data-label="No tie" class="numeric">fewer than 5</td>' in page
    assert "(50%)" not in page  # no share that gives a hidden count away
    assert "Numbers under 5 are not shown exactly" in page
