"""Notification settings on a phone, with and without JavaScript, and the unsubscribe page.

Mo opens her details, follows the link to her notification settings, and
chooses a daily digest by email for one kind — found by the name a screen
reader reads ("Email, for: …"). Quiet hours with a start but no end are
refused by the field; with both, saved. A coordinator then sends Mo's letters
to her carer. The unsubscribe page from an email works without signing in.
Every page is checked with axe-core at 360 px, with no sideways scroll.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from conftest import PASSWORD
from ginnel.communities.models import Community, Role
from ginnel.notifications.kinds import Channel
from ginnel.notifications.models import CommunityChannels, ContactSettings, Preference
from ginnel.notifications.selectors_preferences import kinds_for
from ginnel.notifications.unsubscribe import unsubscribe_path
from ginnel.people.models import Person

from .conftest import NewPage, assert_accessible

pytestmark = pytest.mark.browser

NARROW: ViewportSize = {"width": 360, "height": 740}


def log_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def fits_and_passes(page: Page) -> None:
    # A click that follows a link returns before the new page has loaded: wait for it,
    # or the check may read a document that is being replaced.
    page.wait_for_load_state("load")
    expect(page.locator("h1")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    assert_accessible(page)


@pytest.mark.parametrize("javascript", [True, False], ids=["with_javascript", "without_javascript"])
def test_a_member_chooses_a_digest_and_quiet_hours_and_a_coordinator_adds_a_carer(
    new_page: NewPage,
    live_server: LiveServer,
    community: Community,
    make_member: Callable[..., Person],
    javascript: bool,
) -> None:
    CommunityChannels.objects.create(community=community, letters_enabled=True)
    mo = make_member(community, name="Mo", email="mo@example.org")
    make_member(community, name="Cath", email="cath@example.org", roles=[Role.COORDINATOR])
    kind = kinds_for(mo)[0]
    base = live_server.url
    page = new_page(javascript=javascript)
    page.set_viewport_size(NARROW)

    log_in(page, base, "mo@example.org")
    page.goto(base + f"/c/{community.slug}/me/")
    page.get_by_role("link", name="Notification settings").click()
    expect(page.get_by_role("heading", name="Your notification settings")).to_be_visible()
    fits_and_passes(page)

    page.get_by_label(f"Email, for: {kind.label}", exact=True).select_option("daily")
    page.get_by_label("Quiet from").fill("21:00")
    page.get_by_role("button", name="Save notification settings").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter when quiet hours end")
    fits_and_passes(page)
    assert not Preference.objects.filter(person=mo).exists()

    page.get_by_label("Quiet until").fill("08:00")
    page.get_by_role("button", name="Save notification settings").click()
    expect(page.get_by_text("Your notification settings are saved.")).to_be_visible()
    assert list(
        Preference.objects.filter(person=mo).values_list("kind", "channel", "frequency")
    ) == [(kind.code, "email", "daily")]

    # A coordinator, from Mo's page, sends her letters to her carer.
    staff = new_page(javascript=javascript)
    staff.set_viewport_size(NARROW)
    log_in(staff, base, "cath@example.org")
    staff.goto(base + f"/c/{community.slug}/members/{mo.pk}/")
    staff.get_by_role("link", name="Notification settings for Mo").click()
    fits_and_passes(staff)
    staff.get_by_label(f"Letter, for: {kind.label}", exact=True).select_option("weekly")
    staff.get_by_label("Name on letters").fill("Sam Green (for Mo)")
    staff.get_by_label("Postal address for letters").fill("1 Mill Row\nHebble End\nHX7 8AA")
    staff.get_by_role("button", name="Save notification settings").click()
    expect(staff.get_by_text("Notification settings for Mo are saved.")).to_be_visible()
    assert ContactSettings.objects.get(person=mo).letter_name == "Sam Green (for Mo)"

    page.reload()
    expect(page.get_by_text("Set by Cath").first).to_be_visible()

    # From an email, with no login: one button, and it is stopped.
    stranger = new_page(javascript=javascript)
    stranger.set_viewport_size(NARROW)
    stranger.goto(base + unsubscribe_path(mo, kind.code, Channel.EMAIL))
    fits_and_passes(stranger)
    stranger.get_by_role("button", name="Stop these emails").click()
    expect(stranger.get_by_role("heading", name="Stopped")).to_be_visible()
    fits_and_passes(stranger)
    assert Preference.objects.get(person=mo, kind=kind.code, channel="email").frequency == "off"
