"""The insights page: counts only, small numbers hidden from analysts, a plain title, and
members counted as on the network dashboard and the timebank report."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from ginnel.communities.models import Role

pytestmark = pytest.mark.django_db


def cells(body: str, caption: str) -> dict[str, str]:
    """The rows of the table with this caption: first cell to second cell, as read."""
    table = body.split(f"<caption>{caption}</caption>", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</th><td[^>]*>(.*?)</td>", table)
    return {unescape(name): unescape(value) for name, value in rows}


@pytest.fixture
def crowd(community, make_member, coordinator):
    """Six members in Hebble End, two link workers, one analyst besides the asker."""
    people = [make_member(community) for _ in range(6)]
    people += [make_member(community, roles=[Role.LINK_WORKER]) for _ in range(2)]
    return people


def test_an_analyst_sees_role_counts_under_5_as_fewer_than_5(community, analyst, client_for, crowd):
    body = client_for(analyst).get(reverse("web:insights", args=[community.slug])).content.decode()

    roles = cells(body, "People by role")
    assert roles["Member"] == "10"  # six, two link workers, the coordinator, the analyst
    assert roles["Link worker"] == "fewer than 5"
    assert roles["Coordinator"] == "fewer than 5"
    assert roles["Analyst"] == "fewer than 5"
    places = cells(body, "Members by neighbourhood")
    assert places["Hebble End"] == "10"
    assert places["Mytholm"] == "0"  # nothing to hide in none


def test_a_coordinator_still_sees_every_count_exactly(
    community, coordinator, analyst, client_for, crowd
):
    body = (
        client_for(coordinator).get(reverse("web:insights", args=[community.slug])).content.decode()
    )

    roles = cells(body, "People by role")
    assert (roles["Link worker"], roles["Coordinator"], roles["Analyst"]) == ("2", "1", "1")


def test_the_insights_page_title_is_words_without_markup(community, analyst, client_for):
    body = client_for(analyst).get(reverse("web:insights", args=[community.slug])).content.decode()

    title = re.search(r"<title>(.*?)</title>", body, re.S)
    assert title is not None
    assert "<" not in title.group(1)
    assert unescape(title.group(1)).strip() == "Insights – Calder Vale Timebank – Ginnel"


def test_members_are_counted_the_same_on_insights_the_network_dashboard_and_timebank_report(
    community, coordinator, administrator, make_member, client_for, crowd
):
    """Staff are members too: coordinators, link workers and administrators count."""
    insights = client_for(coordinator).get(reverse("web:insights", args=[community.slug]))
    network = client_for(coordinator).get(reverse("network:dashboard", args=[community.slug]))
    report = client_for(coordinator).get(reverse("timebank:report", args=[community.slug]))

    counted = insights.context["insights"].active_members
    assert counted == 10  # six members, two link workers, the coordinator, the administrator
    whole = network.context["latest"].places["Whole community"]
    assert whole.members == counted
    assert sum(row.members for row in network.context["latest"].places.values()) == 2 * counted
    assert sum(month.new_members for month in report.context["report"].months) == counted
