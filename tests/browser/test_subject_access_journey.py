"""Subject access on a phone, with and without JavaScript.

Mo opens her details, follows the link to her data, downloads the data file
(it parses, and holds her exchange and her goal), then reads the same as a
page. Each page is checked with axe-core at 360 px, with no sideways scroll,
and each copy is recorded once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from conftest import PASSWORD
from ginnel.audit.models import ExportRecord
from ginnel.communities.models import Community
from ginnel.communities.permissions import access_for
from ginnel.people import services as people_services
from ginnel.people.models import Person
from ginnel.timebank import services as timebank_services

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
    page.wait_for_load_state("load")
    expect(page.locator("h1")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    assert_accessible(page)


@pytest.mark.parametrize("javascript", [True, False], ids=["with_javascript", "without_javascript"])
def test_a_member_downloads_her_data_and_reads_it_as_a_page(
    new_page: NewPage,
    live_server: LiveServer,
    community: Community,
    make_member: Callable[..., Person],
    tmp_path: Path,
    javascript: bool,
) -> None:
    mo = make_member(community, name="Mo", email="mo@example.org")
    nia = make_member(community, name="Nia", email="nia@example.org")
    assert mo.membership.user is not None
    mo_access = access_for(mo.membership.user, community)
    timebank_services.exchange_record(
        access=mo_access,
        other_id=nia.pk,
        i_gave=True,
        minutes=60,
        happened_on=timezone.localdate() - timedelta(days=1),
        description="Walked Nia's dog round the reservoir",
    )
    people_services.goal_create(access=mo_access, person=mo, title="Swim a length by summer")
    base = live_server.url
    page = new_page(javascript=javascript)
    page.set_viewport_size(NARROW)

    log_in(page, base, "mo@example.org")
    page.goto(base + f"/c/{community.slug}/me/")
    page.get_by_role("link", name="Your data").click()
    expect(page.get_by_role("heading", name="Everything we hold about you")).to_be_visible()
    fits_and_passes(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download it as a data file (JSON)").click()
    download = download_info.value
    assert download.suggested_filename == "my-data.json"
    saved = tmp_path / "my-data.json"
    download.save_as(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert [e["description"] for e in data["exchanges"]] == ["Walked Nia's dog round the reservoir"]
    assert [g["title"] for g in data["goals"]] == ["Swim a length by summer"]
    assert "nia@example.org" not in saved.read_text(encoding="utf-8")

    page.get_by_role("link", name="Read it as a page").click()
    expect(page.get_by_role("heading", name="Everything held about Mo")).to_be_visible()
    expect(page.get_by_text("Swim a length by summer").first).to_be_visible()
    expect(page.get_by_text("Walked Nia's dog round the reservoir").first).to_be_visible()
    fits_and_passes(page)

    assert sorted(ExportRecord.objects.filter(whose=mo).values_list("format", flat=True)) == [
        "html",
        "json",
    ]
