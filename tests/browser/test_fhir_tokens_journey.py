"""A coordinator gives a GP practice's system a token for the FHIR intake, on a phone,
without JavaScript: search for the practice, name the system, copy the token shown once,
then revoke it."""

from __future__ import annotations

import pytest
from playwright.sync_api import ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from conftest import PASSWORD
from ginnel.communities.models import Community
from ginnel.people.models import Person
from ginnel.referrals import services
from ginnel.referrals.models import IntakeToken, ReferringOrganisation
from ginnel.referrals.tokens import token_authenticate

from .conftest import NewPage, assert_accessible

pytestmark = pytest.mark.browser

NARROW: ViewportSize = {"width": 360, "height": 740}


def test_a_coordinator_issues_and_revokes_a_systems_token_on_a_phone(
    new_page: NewPage, live_server: LiveServer, community: Community, coordinator: Person
) -> None:
    services.referrals_seed(community=community)
    ReferringOrganisation.objects.create(
        community=community, kind="gp_practice", name="Riverside Surgery", ods_code="B86001"
    )
    page = new_page(javascript=False)
    page.set_viewport_size(NARROW)
    page.goto(live_server.url + "/login/")
    page.get_by_label("Email address", exact=True).fill("coord@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    page.goto(f"{live_server.url}/c/{community.slug}/referrals/tokens/")
    expect(page.get_by_role("heading", name="Tokens for referral systems")).to_be_visible()
    assert_accessible(page)

    # Sent with nothing filled in: each problem is named by its field.
    page.get_by_role("button", name="Issue the token").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Enter the name of the system that will send referrals."
    )
    assert_accessible(page)

    page.get_by_label("Organisation", exact=True).fill("B86001")
    page.get_by_role("button", name="Search").click()
    page.get_by_label("Riverside Surgery").check()
    page.get_by_label("Name of the system that will send referrals").fill("EMIS Web")
    page.get_by_role("button", name="Issue the token").click()

    shown = page.locator("#issued-token").inner_text()
    assert token_authenticate(community=community, secret=shown) is not None
    expect(page.get_by_text("it is shown only this once")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    assert_accessible(page)

    page.get_by_role("button", name="Revoke the token for EMIS Web").click()
    expect(page.get_by_text("is revoked: it no longer works")).to_be_visible()
    assert IntakeToken.objects.get().revoked_at is not None
    assert token_authenticate(community=community, secret=shown) is None
