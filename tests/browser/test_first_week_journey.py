"""What a member meets in their first week, on a phone, with and without JavaScript.

Mo records hours with the right Owen among four, told apart by neighbourhood.
Every page on the way is checked with axe-core.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from conftest import PASSWORD
from ginnel.communities.models import Community, Neighbourhood
from ginnel.timebank.models import Exchange
from ginnel.timebank.services import categories_seed

from .conftest import NewPage, assert_accessible

pytestmark = pytest.mark.browser

PLACES = ("Hebble End", "Mytholm", "Lumb Bank", "Cragg Vale")


def log_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def search_for(page: Page, label: str, text: str, *, javascript: bool) -> None:
    """Type in a picker; with JavaScript the matches come as one types, without it
    the Search button brings the same form back with them."""
    page.get_by_label(label, exact=True).fill(text)
    if not javascript:
        page.get_by_role("button", name="Search for a match").first.click()


@pytest.mark.parametrize("javascript", [True, False], ids=["with_javascript", "without_javascript"])
def test_a_member_picks_the_right_owen_among_four_by_neighbourhood(
    new_page: NewPage,
    live_server: LiveServer,
    community: Community,
    make_member,
    javascript: bool,
) -> None:
    categories_seed(community=community)
    make_member(community, name="Mo", email="mo@example.org")
    owens = {}
    for place in PLACES:
        hood, _ = Neighbourhood.objects.get_or_create(community=community, name=place)
        owens[place] = make_member(community, name="Owen", neighbourhood=hood)
    mo = new_page(javascript=javascript)
    base = live_server.url

    log_in(mo, base, "mo@example.org")
    mo.goto(base + f"/c/{community.slug}/timebank/record/")
    assert_accessible(mo)
    mo.get_by_label("What was done?").fill("Fixed my bike")
    search_for(mo, "Who was it with?", "Owen", javascript=javascript)
    matches = mo.get_by_role("group", name="Matches for “Owen”")
    expect(matches.get_by_role("radio")).to_have_count(4)
    expect(mo.get_by_text("4 matches.")).to_be_visible()
    # What was typed before the search is still there.
    expect(mo.get_by_label("What was done?")).to_have_value("Fixed my bike")
    assert_accessible(mo)
    matches.locator(".choices__item").filter(has_text="Mytholm").get_by_role("radio").check()
    mo.get_by_role("radio", name="I helped them").check()
    mo.get_by_role("radio", name="In a public place").check()
    mo.get_by_label("How long did it take?").fill("1:30")
    if javascript:
        # Enter in a field sends the form, though the picker's Search button comes first.
        mo.get_by_label("How long did it take?").press("Enter")
    else:
        mo.get_by_role("button", name="Record time").click()

    expect(mo.get_by_role("heading", level=1)).to_contain_text("Fixed my bike")
    assert_accessible(mo)
    exchange = Exchange.objects.get(description="Fixed my bike")
    assert exchange.receiver == owens["Mytholm"]
    assert exchange.minutes == 90
