"""Notifications on two phones, with and without JavaScript.

Ada records two hours she spent mowing Ben's lawn. Ben sees the count in the
header, opens his notifications, follows the one about the hours and confirms
them; his count falls to nought without his marking anything. Ada's count
rises, and her notifications say Ben confirmed. Every page on the way is
checked with axe-core at 360 px, with no sideways scroll.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from conftest import PASSWORD
from ginnel.communities.models import Community
from ginnel.notifications.models import Notification
from ginnel.people.models import Person
from ginnel.timebank.services import categories_seed

from .conftest import NewPage, assert_accessible

pytestmark = pytest.mark.browser

NARROW: ViewportSize = {"width": 360, "height": 740}


def log_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def notifications_link(page: Page, unread: int) -> None:
    """The header's link, visible, naming the count; the page fits the phone and passes axe."""
    link = page.get_by_role("banner").get_by_role(
        "link", name=f"Notifications ({unread} unread)", exact=True
    )
    expect(link).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    assert_accessible(page)


@pytest.mark.parametrize("javascript", [True, False], ids=["with_javascript", "without_javascript"])
def test_hours_recorded_reach_the_other_person_who_confirms_and_the_first_hears_of_it(
    new_page: NewPage,
    live_server: LiveServer,
    community: Community,
    make_member: Callable[..., Person],
    javascript: bool,
) -> None:
    categories_seed(community=community)
    make_member(community, name="Ada", email="ada@example.org")
    make_member(community, name="Ben", email="ben@example.org")
    ada, ben = new_page(javascript=javascript), new_page(javascript=javascript)
    for page in (ada, ben):
        page.set_viewport_size(NARROW)
    base = live_server.url
    timebank = base + f"/c/{community.slug}/timebank"

    # Ada records the two hours she spent with Ben.
    log_in(ada, base, "ada@example.org")
    ada.goto(timebank + "/record/")
    notifications_link(ada, 0)
    ada.get_by_label("What was done?").fill("Mowed the lawn")
    ada.get_by_role("searchbox", name="Who was it with?").fill("Ben")
    if not javascript:
        ada.get_by_role("button", name="Search for a match").first.click()
    matches = ada.get_by_role("group", name="Matches for “Ben”")
    matches.get_by_role("radio").first.check()
    ada.get_by_role("radio", name="I helped them").check()
    ada.get_by_role("radio", name="In a public place").check()
    ada.get_by_label("How long did it take?").fill("2")
    ada.get_by_role("button", name="Record time").click()
    expect(ada.locator("#exchange-status")).to_contain_text("waiting for confirmation")

    # Ben sees the count in the header and opens his notifications.
    log_in(ben, base, "ben@example.org")
    ben.goto(base + f"/c/{community.slug}/")
    notifications_link(ben, 1)
    expect(ben.get_by_role("main").get_by_role("link", name="1 new notification")).to_be_visible()
    ben.get_by_role("banner").get_by_role("link", name="Notifications (1 unread)").click()
    expect(ben.get_by_role("heading", level=1)).to_have_text("Notifications")
    entries = ben.get_by_role("list", name="Your notifications").get_by_role("listitem")
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text("Unread")
    expect(entries.first).to_contain_text("just now")
    notifications_link(ben, 1)

    # He follows it to the exchange and confirms; dealing with it marks it read.
    entries.first.get_by_role(
        "link", name="Ada recorded 2:00 hours on “Mowed the lawn”: please confirm them"
    ).click()
    expect(ben.locator("#exchange-status")).to_contain_text("waiting for confirmation")
    assert_accessible(ben)
    ben.get_by_role("button", name="Confirm 2:00 hours").click()
    expect(ben.locator("#exchange-status")).to_have_text("Confirmed")
    notifications_link(ben, 0)
    ben.get_by_role("banner").get_by_role("link", name="Notifications (0 unread)").click()
    entry = ben.get_by_role("list", name="Your notifications").get_by_role("listitem").first
    expect(entry).not_to_contain_text("Unread")
    expect(ben.get_by_role("button", name="Mark all as read")).to_have_count(0)
    assert_accessible(ben)

    # Ada's count rises; her notifications say Ben confirmed the hours.
    ada.goto(base + f"/c/{community.slug}/")
    notifications_link(ada, 1)
    ada.get_by_role("main").get_by_role("link", name="1 new notification").click()
    confirmed = ada.get_by_role("list", name="Your notifications").get_by_role("listitem").first
    expect(confirmed).to_contain_text("Ben confirmed your 2:00 hours on “Mowed the lawn”")
    expect(confirmed).to_contain_text("Unread")
    notifications_link(ada, 1)

    # She marks everything read: the count is nought, the entry stays, without "Unread".
    ada.get_by_role("button", name="Mark all as read").click()
    expect(ada.get_by_role("main")).to_contain_text("1 notification marked as read.")
    expect(confirmed).not_to_contain_text("Unread")
    notifications_link(ada, 0)
    assert Notification.objects.filter(read_at__isnull=True).count() == 0
