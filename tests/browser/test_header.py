"""The header on a phone: the most used links, a "More" menu that opens without
JavaScript, the community switcher whole, and the content starting near the top."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from conftest import PASSWORD
from ginnel.communities.models import Community, Membership, Role, RoleGrant
from ginnel.people.models import Person

from .conftest import NewPage, assert_accessible

pytestmark = pytest.mark.browser

NARROW = {"width": 360, "height": 740}
#: The most the header may take above the content on a phone, in CSS pixels.
MOST_HEADER = 200


def log_in(page: Page, live_server: LiveServer, email: str) -> None:
    page.goto(live_server.url + "/login/")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


@pytest.fixture
def administrator_of_two(
    community: Community, other_community: Community, administrator: Person
) -> Person:
    """An administrator of Calder Vale who also belongs to Brookside: all links, the switcher."""
    user = administrator.membership.user
    membership = Membership.objects.create(community=other_community, user=user)
    RoleGrant.objects.create(
        community=other_community, membership=membership, role=Role.ADMINISTRATOR
    )
    Person.objects.create(
        community=other_community, membership=membership, display_name="Adi Admin"
    )
    return administrator


@pytest.mark.parametrize("javascript", [True, False], ids=["with_javascript", "without_javascript"])
def test_on_a_phone_the_header_leaves_room_and_the_menu_opens(
    new_page: NewPage,
    live_server: LiveServer,
    community: Community,
    administrator_of_two: Person,
    javascript: bool,
) -> None:
    page = new_page(javascript=javascript)
    page.set_viewport_size(NARROW)
    log_in(page, live_server, "admin@example.org")
    page.goto(f"{live_server.url}/c/{community.slug}/")

    main = page.get_by_role("main").bounding_box()
    assert main is not None
    assert main["y"] < MOST_HEADER, f"the content starts {main['y']} px down"
    menu = page.get_by_role("navigation", name="Menu")
    for name in ("Home", "Timebank", "Find help"):
        expect(menu.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(menu.get_by_role("link", name="Settings", exact=True)).to_be_hidden()
    switcher = page.get_by_label("Community", exact=True)
    expect(switcher).to_be_visible()
    expect(page.get_by_role("button", name="Switch")).to_be_visible()
    expect(menu.get_by_role("link", name="Home", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    assert_accessible(page)

    menu.get_by_text("More", exact=False).first.click()
    staff = menu.get_by_role("list", name="Staff pages")
    expect(staff.get_by_role("link", name="Settings", exact=True)).to_be_visible()
    expect(menu.get_by_role("list", name="For you")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    assert_accessible(page)

    staff.get_by_role("link", name="Settings", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Community settings")
    menu.get_by_text("More", exact=False).first.click()
    expect(menu.get_by_role("link", name="Settings", exact=True)).to_have_attribute(
        "aria-current", "page"
    )


def test_the_new_staff_and_member_pages_pass_axe_on_a_phone(
    new_page: NewPage,
    live_server: LiveServer,
    community: Community,
    administrator: Person,
    org_editor: Person,
) -> None:
    page = new_page(javascript=False)
    page.set_viewport_size(NARROW)
    log_in(page, live_server, "admin@example.org")
    hood = community.neighbourhoods.get(name="Mytholm")
    for path in (
        f"/c/{community.slug}/settings/",
        f"/c/{community.slug}/settings/neighbourhoods/{hood.pk}/",
        f"/c/{community.slug}/members/{org_editor.pk}/roles/",
        f"/c/{community.slug}/directory/manage/people/{org_editor.pk}/organisations/?q=x",
        f"/c/{community.slug}/suggestions/introductions/",
        f"/c/{community.slug}/suggestions/introductions/yours/",
    ):
        response = page.goto(live_server.url + path)
        assert response is not None, path
        assert response.status == 200, path
        assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"], path
        assert_accessible(page)

    # A neighbourhood renamed with a bad name: the error is by the field and in the summary.
    page.goto(f"{live_server.url}/c/{community.slug}/settings/neighbourhoods/{hood.pk}/")
    page.get_by_label("Neighbourhood name", exact=True).fill("Hebble End")
    page.get_by_role("button", name="Save the name").click()
    expect(page.get_by_role("alert")).to_contain_text("There is already a neighbourhood called")
    assert_accessible(page)
