"""Finding local help on a phone, with and without JavaScript.

A member looks for a free befriending group that meets on Thursdays within
2 miles of their postcode. They first mistype the postcode and are told so
next to the field; then they find the one group that fits (the others charge,
meet on Fridays or are 5 miles away), open it and see when it meets and how
to phone. Every page on the way is checked with axe-core.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from ginnel.communities.models import Community
from ginnel.directory.tests.test_search_pages import HOME_POSTCODE, MakeMember, build_directory

from .conftest import NewPage, assert_accessible
from .test_timebank_journey import log_in

pytestmark = pytest.mark.browser


def choose_filters(page: Page, *, need_value: str, postcode: str) -> None:
    page.get_by_label("What it helps with").select_option(value=need_value)
    page.get_by_label("Near a postcode").fill(postcode)
    page.get_by_label("How far away").select_option(label="2 miles")
    page.get_by_text("When, cost, age and kind").click()
    page.get_by_label("When", exact=True).select_option(label="Thursday")
    page.get_by_label("Free of charge only").check()
    page.get_by_role("checkbox", name="Community group").check()


@pytest.mark.parametrize("javascript", [True, False], ids=["with_javascript", "without_javascript"])
def test_a_member_finds_a_free_befriending_group_on_thursdays_within_2_miles(
    new_page: NewPage,
    live_server: LiveServer,
    community: Community,
    make_member: MakeMember,
    javascript: bool,
) -> None:
    directory = build_directory(community)
    match = directory.services["match"]
    make_member(community, name="Mo", email="mo@example.org")
    page = new_page(javascript=javascript)
    log_in(page, live_server.url, "mo@example.org")

    page.goto(f"{live_server.url}/c/{community.slug}/directory/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find local help and groups")
    assert_accessible(page)

    # A mistyped postcode is explained next to the field, and the search waits.
    choose_filters(page, need_value=str(directory.needs["befriending"].uuid), postcode="HX7 8ZZ")
    page.get_by_role("button", name="Search").click()
    message = "We do not know the postcode HX7 8ZZ; check it, or choose your neighbourhood."
    expect(page.locator("#id_postcode_error")).to_contain_text(message)
    expect(page.get_by_role("alert")).to_contain_text(message)
    assert_accessible(page)

    # Corrected, the one group that fits is found.
    page.get_by_label("Near a postcode").fill(HOME_POSTCODE)
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results-count")).to_have_text(
        f"1 result within 2 miles of {HOME_POSTCODE}"
    )
    results = page.locator(".directory-result")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Thursdays 10am to 12 noon")
    expect(results.first).to_contain_text("1.2 miles")
    expect(results.first.get_by_role("link", name="01632 960001")).to_have_attribute(
        "href", "tel:01632960001"
    )
    # The address can be shared: the search is in it.
    assert "within=2" in page.url
    assert_accessible(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the results page scrolls sideways on a phone ({width}px wide)"

    page.get_by_role("link", name=match.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(match.name)
    expect(page.get_by_text("Thursdays 10am to 12 noon").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Back to the search").click()
    expect(page.locator("#results-count")).to_have_text(
        f"1 result within 2 miles of {HOME_POSTCODE}"
    )
