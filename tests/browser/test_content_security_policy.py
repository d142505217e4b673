"""Pages keep to the Content-Security-Policy: nothing is refused, and htmx still works."""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect
from pytest_django.live_server_helper import LiveServer

from conftest import PASSWORD
from ginnel.communities.models import Community
from ginnel.people.models import Person

pytestmark = pytest.mark.browser


def refusals(page: Page) -> list[str]:
    found: list[str] = []

    def heard(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            found.append(message.text)

    page.on("console", heard)
    return found


def test_pages_and_an_htmx_search_run_without_a_refusal(
    page: Page, live_server: LiveServer, community: Community, coordinator: Person, member: Person
) -> None:
    refused = refusals(page)
    page.goto(live_server.url + "/login/")
    page.get_by_label("Email address", exact=True).fill("coord@example.org")  # the fixture's
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.goto(f"{live_server.url}/c/{community.slug}/timebank/record/")
    search = page.locator("input[type=search]").first
    results = page.locator(".picker__results").first
    search.fill(member.display_name[:4])

    # htmx answered the typing with matches, in place, without a page load.
    expect(results).to_contain_text(member.display_name)
    page.goto(f"{live_server.url}/c/{community.slug}/")

    assert refused == []
