"""Suggestions on a phone: a member sees who could help and a group nearby, says one is
not for them, and it is gone; a link worker sees the person's suggested connections.

Every page is checked with axe-core, with and without JavaScript ("Not for me"
is a plain form; with htmx the card turns into an Undo in place).
"""

from __future__ import annotations

import re
from datetime import time

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from conftest import PASSWORD
from ginnel.communities.models import Community, Neighbourhood, Role
from ginnel.directory.models import (
    Kind,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceAtLocation,
)
from ginnel.directory.services.derived import service_kind_set, services_refresh
from ginnel.people.models import StrengthsProfile
from ginnel.timebank.models import Listing
from ginnel.timebank.services import categories_seed

from .conftest import NewPage, assert_accessible

pytestmark = pytest.mark.browser


def log_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


@pytest.fixture
def neighbours(community: Community, make_member):
    """Mo wants garden help and enjoys a chat; Hana and Sol offer gardening; a befriending
    circle meets a few streets away."""
    cats = {c.name: c for c in categories_seed(community=community)}
    hood, _ = Neighbourhood.objects.update_or_create(
        community=community, name="Hebble End", defaults={"latitude": 53.74, "longitude": -1.86}
    )
    mo = make_member(community, name="Mo Seeker", email="mo@example.org", neighbourhood=hood)
    hana = make_member(community, name="Hana Helper", neighbourhood=hood)
    sol = make_member(community, name="Sol Spade", neighbourhood=hood)
    StrengthsProfile.objects.create(
        community=community, person=mo, interests="A chat and a cuppa, befriending"
    )
    request = Listing.objects.create(
        community=community, owner=mo, kind="request", title="Help with my overgrown garden",
        in_public=True,
    )  # fmt: skip
    request.categories.set([cats["Gardening"]])
    for owner, title in ((hana, "Weeding and lawn mowing"), (sol, "Digging and planting")):
        offer = Listing.objects.create(
            community=community, owner=owner, kind="offer", title=title, in_public=True
        )
        offer.categories.set([cats["Gardening"]])
    org = Organization.objects.create(community=community, name="Hebble End Trust")
    group = Service.objects.create(
        community=community,
        organization=org,
        name="Befriending circle",
        description="A chat and a cuppa with neighbours, every Thursday.",
    )
    place = Location.objects.create(
        community=community, organization=org, name="Chapel hall", latitude=53.742, longitude=-1.858
    )
    ServiceAtLocation.objects.create(community=community, service=group, location=place)
    Schedule.objects.create(
        community=community, service=group, freq="WEEKLY", byday="TH",
        opens_at=time(10), closes_at=time(12),
    )  # fmt: skip
    service_kind_set(service=group, kind=Kind.GROUP)
    services_refresh(community=community, service_ids=[group.pk])
    return mo


@pytest.mark.parametrize("javascript", [True, False], ids=["with_javascript", "without_javascript"])
def test_a_member_sees_suggestions_and_hides_one_for_good(
    new_page: NewPage,
    live_server: LiveServer,
    community: Community,
    neighbours,
    javascript: bool,
) -> None:
    page = new_page(javascript=javascript)
    base = live_server.url
    log_in(page, base, "mo@example.org")
    page.goto(f"{base}/c/{community.slug}/")

    expect(page.get_by_role("heading", name="Suggested for you")).to_be_visible()
    expect(page.get_by_role("link", name="Weeding and lawn mowing", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Digging and planting", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Befriending circle", exact=True)).to_be_visible()
    assert_accessible(page)

    page.get_by_role(
        "button", name=re.compile(r"^Not for me\s*:\s*Weeding and lawn mowing$")
    ).click()
    if javascript:
        expect(
            page.get_by_role("status").filter(has_text="Weeding and lawn mowing")
        ).to_be_visible()
        page.reload()
    expect(page.get_by_role("link", name="Weeding and lawn mowing", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Digging and planting", exact=True)).to_be_visible()
    assert_accessible(page)

    # The group is one tap from the member's list, and its page says how to get in touch.
    save = re.compile(r"^Save to the list\s*:\s*Befriending circle$")
    page.get_by_role("button", name=save).click()
    expect(page.get_by_text("Befriending circle is saved to your list.")).to_be_visible()
    page.get_by_role("link", name="Befriending circle", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Befriending circle")
    assert_accessible(page)


def test_a_link_worker_sees_a_persons_suggested_connections(
    new_page: NewPage, live_server: LiveServer, community: Community, neighbours, make_member
) -> None:
    make_member(community, roles=[Role.LINK_WORKER], name="Lin", email="lin@example.org")
    page = new_page(javascript=False)
    base = live_server.url
    log_in(page, base, "lin@example.org")
    page.goto(f"{base}/c/{community.slug}/members/{neighbours.pk}/")

    expect(page.get_by_role("heading", name="Suggested connections")).to_be_visible()
    expect(page.get_by_role("link", name="Befriending circle", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Weeding and lawn mowing", exact=True)).to_be_visible()
    assert_accessible(page)
