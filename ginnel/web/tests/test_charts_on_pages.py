"""The charts as pages show them: a place looks the same on every chart of the network
dashboard and on its network picture, part months are marked, and no chart puts two
measures on one axis (the network dashboard's and the timebank report's)."""

from __future__ import annotations

import itertools
import re
from datetime import datetime, time, timedelta
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import timezone

from ginnel.communities.models import Neighbourhood
from ginnel.timebank.models import Exchange, ExchangeState, Transfer, TransferKind
from ginnel.ui.charts import PALETTE

pytestmark = pytest.mark.django_db

NS = "{http://www.w3.org/2000/svg}"


def svgs(body: str) -> dict[str, ElementTree.Element]:
    """Every chart of a page, by the id of its title."""
    found = {}
    for markup in re.findall(r"<svg .*?</svg>", body, re.S):
        root = ElementTree.fromstring(markup)  # noqa: S314 (our own page)
        found[root.get("aria-labelledby", "").split()[0].removesuffix("-title")] = root
    return found


def looks(root: ElementTree.Element) -> dict[str, set[tuple[str, str]]]:
    found: dict[str, set[tuple[str, str]]] = {}
    for group in root.iter(f"{NS}g"):
        name = group.get("data-series")
        for mark in group if name else []:
            if mark.get("data-marker"):
                colour = mark.get("stroke") if mark.get("data-part") else mark.get("fill")
                found.setdefault(name, set()).add((colour, mark.get("data-marker")))
    return found


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
        minutes=90,
        happened_on=on,
        transfer=transfer,
    )


@pytest.fixture
def since_spring(community, make_member):
    """A community that began on the 15th, five months ago, with ties in three places."""
    today = timezone.localdate()
    began = (today.replace(day=1) - timedelta(days=150)).replace(day=15)
    community.created_at = datetime.combine(began, time(12), tzinfo=timezone.get_current_timezone())
    community.save()
    # Named to sort first, added last: its look follows the order places were added.
    aardvark = Neighbourhood.objects.create(community=community, name="Aardvark Row")
    places = list(community.neighbourhoods.order_by("id"))
    people = [make_member(community, neighbourhood=place) for place in places for _ in range(3)]
    for days_ago in (10, 40, 70, 100, 130):
        for a, b in itertools.pairwise(people):
            tie(a, b, days_ago=days_ago)
    return began, aardvark


def test_a_neighbourhood_has_one_colour_and_marker_on_every_chart_and_the_picture(
    community, coordinator, client_for, since_spring
):
    body = (
        client_for(coordinator)
        .get(reverse("network:dashboard", args=[community.slug]))
        .content.decode()
    )

    charts = svgs(body)
    per_place = [looks(charts[name]) for name in ("ei", "isolated", "degree", "network")]
    for place in ["Hebble End", "Mytholm", "Aardvark Row"]:
        seen = set().union(*(chart[place] for chart in per_place))
        assert len(seen) == 1, place
    # By the order the places were added: the first keeps the first colour, the last the third.
    assert next(iter(per_place[0]["Hebble End"]))[0] == PALETTE[0]
    assert next(iter(per_place[0]["Aardvark Row"]))[0] == PALETTE[2]
    looks_of = {place: next(iter(per_place[0][place])) for place in per_place[0]}
    assert len(set(looks_of.values())) == len(looks_of)  # the whole community too differs


def test_the_network_dashboard_marks_part_months_and_gives_the_e_i_index_its_own_axis(
    community, coordinator, client_for, since_spring
):
    response = client_for(coordinator).get(reverse("network:dashboard", args=[community.slug]))
    body = response.content.decode()

    charts = svgs(body)
    # Months from the one the community began in (part) to this one (part).
    whole = [
        g
        for g in charts["isolated"].iter(f"{NS}g")
        if g.get("data-series") == "Whole community" and g.get("class") == "series"
    ]
    hollow = [m.get("data-part") == "true" for g in whole for m in g if m.get("data-marker")]
    assert hollow[0]
    assert hollow[-1]
    assert not any(hollow[1:-1])
    assert "part month" in (charts["isolated"].findtext(f"{NS}desc") or "")
    assert body.count("(part month)") == 3 * 2  # first and last rows of the three tables
    ei_texts = [t.text or "" for t in charts["ei"].iter(f"{NS}text")]
    assert "−1" in ei_texts
    assert "1" in ei_texts
    assert not any("+ 1" in t for t in ei_texts)
    # The whole community's three measures each have a panel, so an axis, of their own.
    whole_texts = [t.text or "" for t in charts["whole"].iter(f"{NS}text")]
    for measure in ["In the largest connected group", "Gave and received", "Clustering"]:
        assert len([t for t in whole_texts if t.startswith(measure)]) == 1


def test_the_timebank_report_draws_hours_and_members_on_axes_of_their_own(
    community, coordinator, client_for, since_spring
):
    body = (
        client_for(coordinator)
        .get(reverse("timebank:report", args=[community.slug]))
        .content.decode()
    )

    chart = svgs(body)["hours-by-month"]
    texts = [t.text for t in chart.iter(f"{NS}text")]
    assert "Hours exchanged" in texts
    assert "Members who exchanged" in texts
    assert "Hours / people" not in texts
    marks = [
        m
        for g in chart.iter(f"{NS}g")
        if g.get("class") == "series"
        for m in g
        if m.get("data-marker")
    ]
    assert any(m.get("data-part") == "true" for m in marks)  # this month is not over
    assert "part month" in (chart.findtext(f"{NS}desc") or "")
