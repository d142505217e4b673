"""The timebank's core journey on two phones, with and without JavaScript.

Ada offers gardening; Ben asks her for it; they agree; Ada records two
hours; Ben confirms; both statements show it, with balances +2:00 and minus 2:00.
Every page on the way is checked with axe-core.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from conftest import PASSWORD
from ginnel.communities.models import Community
from ginnel.timebank.services import categories_seed

from .conftest import NewPage, assert_accessible

pytestmark = pytest.mark.browser


def log_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def open_menu_item(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=name).click()


@pytest.mark.parametrize("javascript", [True, False], ids=["with_javascript", "without_javascript"])
def test_a_gardening_offer_becomes_two_confirmed_hours_on_both_statements(
    new_page: NewPage,
    live_server: LiveServer,
    community: Community,
    make_member,
    javascript: bool,
) -> None:
    categories_seed(community=community)
    make_member(community, name="Ada", email="ada@example.org")
    make_member(community, name="Ben", email="ben@example.org")
    ada, ben = new_page(javascript=javascript), new_page(javascript=javascript)
    base = live_server.url

    # Ada offers help with gardening.
    log_in(ada, base, "ada@example.org")
    open_menu_item(ada, "Timebank")
    expect(ada.get_by_role("heading", level=1)).to_have_text("Timebank")
    assert_accessible(ada)
    ada.get_by_role("link", name="Offer help").click()
    assert_accessible(ada)
    ada.get_by_label("Title").fill("Help with your garden")
    ada.get_by_label("More about it").fill("Weeding, mowing and planting.")
    ada.get_by_role("checkbox", name="Gardening").check()
    ada.get_by_role("checkbox", name="In a public place").check()
    ada.get_by_role("checkbox", name="At the receiver's home").check()
    ada.get_by_label("When are you free?").fill("Saturday mornings")
    ada.get_by_role("button", name="Publish offer").click()
    expect(ada.get_by_role("heading", level=1)).to_have_text("Help with your garden")
    assert_accessible(ada)

    # Ben finds it and asks Ada for it.
    log_in(ben, base, "ben@example.org")
    open_menu_item(ben, "Timebank")
    ben.get_by_text("Search and filter").click()
    ben.get_by_label("Search", exact=True).fill("garden")
    ben.get_by_role("button", name="Show results").click()
    ben.get_by_role("link", name="Help with your garden").click()
    expect(ben.get_by_role("heading", level=2)).to_contain_text("Ask Ada for this")
    assert_accessible(ben)
    ben.get_by_label("Message").fill("Could you help with my front garden on Saturday?")
    ben.get_by_role("radio", name="In a public place").check()
    ben.get_by_role("button", name="Send proposal").click()
    expect(ben.locator("#exchange-status")).to_have_text("Proposed")
    assert_accessible(ben)

    # Ada agrees, and after the Saturday records two hours.
    ada.goto(base + f"/c/{community.slug}/timebank/mine/")
    assert_accessible(ada)
    # The exchange is headed by the offer's title; Ben's message shows under it.
    ada.get_by_role("link", name="Help with your garden").first.click()
    expect(ada.get_by_role("main")).to_contain_text("Could you help with my front garden")
    ada.get_by_role("button", name="Agree").click()
    expect(ada.locator("#exchange-status")).to_have_text("Agreed")
    assert_accessible(ada)
    ada.get_by_label("How long did it take?").fill("2")
    ada.get_by_role("button", name="Record time").click()
    expect(ada.locator("#exchange-status")).to_contain_text("waiting for confirmation")
    # Ada cannot confirm her own claim: there is no button for it.
    expect(ada.get_by_role("button", name=re.compile("^Confirm"))).to_have_count(0)

    # Ben confirms.
    ben.goto(base + f"/c/{community.slug}/timebank/mine/")
    expect(ben.get_by_role("main")).to_contain_text("please confirm")
    ben.get_by_role("link", name="Help with your garden").first.click()
    ben.get_by_role("button", name="Confirm 2:00 hours").click()
    expect(ben.locator("#exchange-status")).to_have_text("Confirmed")
    assert_accessible(ben)

    # Both statements show it.
    for page, balance, counterpart in ((ada, "+2:00", "Ben"), (ben, "\u22122:00", "Ada")):
        page.goto(base + f"/c/{community.slug}/timebank/statement/")
        expect(page.locator("#statement-balance")).to_have_text(balance)
        row = page.get_by_role("row").filter(has_text="Help with your garden")
        expect(row).to_contain_text(counterpart)
        expect(row).to_contain_text(balance)
        assert_accessible(page)
