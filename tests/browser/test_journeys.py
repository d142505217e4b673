"""A visitor's first journey, on a phone, with and without JavaScript.

Join an open community (the form sent empty first, then filled in by
keyboard), log out, log in, switch community with the header's switcher, log
out; every page on the way is checked with axe-core.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from conftest import PASSWORD
from ginnel.communities.models import Community
from ginnel.people.models import Person, User

from .conftest import NewPage, assert_accessible

pytestmark = pytest.mark.browser

NAME = "Nia Newcomer"
EMAIL = "nia.newcomer@example.org"
NEW_PASSWORD = "kettle on by the allotment wall"


def tab_to(page: Page, target: Locator, *, most: int = 40) -> None:
    """Press Tab until the target has focus, as a keyboard user would.

    Checked with Playwright's expectations, which work with JavaScript off too
    (they run in an isolated world); page.evaluate would hang there.
    """
    for _ in range(most):
        try:
            expect(target).to_be_focused(timeout=50)
        except AssertionError:
            page.keyboard.press("Tab")
        else:
            return
    pytest.fail(f"{target} never took focus after {most} presses of Tab")


def error_summary(page: Page) -> Locator:
    return page.get_by_role("alert").filter(
        has=page.get_by_role("heading", name="There is a problem")
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["with_javascript", "without_javascript"])
def test_a_visitor_joins_logs_out_logs_in_and_switches_community(
    new_page: NewPage,
    live_server: LiveServer,
    community: Community,
    other_community: Community,
    make_member,
    javascript: bool,
) -> None:
    page = new_page(javascript=javascript)

    # The front page lists the communities anyone can join.
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ginnel joins people")
    assert_accessible(page)

    page.get_by_role("link", name="Calder Vale Timebank").click()
    expect(page).to_have_url(f"{live_server.url}/c/calder-vale/join/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Join Calder Vale Timebank")
    assert_accessible(page)

    # Sent empty, the form comes back with a summary linking to each problem.
    join = page.get_by_role("button", name="Join Calder Vale Timebank")
    tab_to(page, join)
    page.keyboard.press("Enter")
    summary = error_summary(page)
    expect(summary).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: "))
    name_field = page.get_by_label("Your name", exact=True)
    email_field = page.get_by_label("Email address", exact=True)
    password_field = page.get_by_label("Create a password", exact=True)
    neighbourhood_field = page.get_by_label("Your neighbourhood", exact=False)
    links = summary.get_by_role("link")
    expect(links).to_have_count(3)
    targets = [links.nth(i).get_attribute("href") for i in range(3)]
    assert targets == [
        "#" + str(field.get_attribute("id")) for field in (name_field, email_field, password_field)
    ]
    expect(name_field).to_have_accessible_description(re.compile("Enter your name"))
    expect(email_field).to_have_attribute("aria-invalid", "true")
    if javascript:
        # ginnel.js moves focus to the summary, so it is read out first.
        expect(summary).to_be_focused()
    assert_accessible(page)

    # From the summary's first link, by keyboard, to each field in order.
    first_link = links.first
    tab_to(page, first_link)
    page.keyboard.press("Enter")
    expect(name_field).to_be_focused()
    page.keyboard.type(NAME)
    page.keyboard.press("Tab")
    expect(email_field).to_be_focused()
    page.keyboard.type(EMAIL)
    page.keyboard.press("Tab")
    expect(password_field).to_be_focused()
    page.keyboard.type(NEW_PASSWORD)
    page.keyboard.press("Tab")
    expect(neighbourhood_field).to_be_focused()
    page.keyboard.type("Myth")
    expect(neighbourhood_field).to_have_value(str(community.neighbourhoods.get(name="Mytholm").pk))
    page.keyboard.press("Tab")
    expect(join).to_be_focused()
    page.keyboard.press("Enter")

    # Joining never says whether the address already has an account: everyone is asked
    # to check their email, then log in.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email to continue")
    expect(page.get_by_role("main")).to_contain_text(EMAIL)
    assert_accessible(page)
    page.get_by_role("main").get_by_role("link", name="Log in").click()
    page.get_by_label("Email address", exact=True).fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}/c/calder-vale/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {NAME}")

    # Welcome: how the timebank works, in screens a newcomer may skip.
    page.get_by_role("link", name="See how it works").click()
    expect(page).to_have_url(f"{live_server.url}/c/calder-vale/welcome/")
    expect(page.get_by_role("heading", level=1)).to_have_text("An hour for an hour")
    assert_accessible(page)
    page.get_by_role("link", name="Next").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recording the hours")
    page.get_by_role("link", name="Skip this and go to your home page").click()
    expect(page).to_have_url(f"{live_server.url}/c/calder-vale/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {NAME}")
    expect(page.get_by_role("region", name="Important")).to_contain_text("Check your email address")
    expect(page.get_by_role("main")).to_contain_text("Mytholm")
    assert_accessible(page)

    # Logging out leads back to the front page.
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ginnel joins people")
    expect(page.get_by_role("banner").get_by_role("link", name="Log in")).to_be_visible()

    # Meanwhile a coordinator of Brookside adds the newcomer there too.
    user = User.objects.get(email=EMAIL)
    make_member(other_community, user=user, name=NAME)

    page.get_by_role("main").get_by_role("link", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}/login/")
    assert_accessible(page)

    login_email = page.get_by_label("Email address", exact=True)
    login_password = page.get_by_label("Password", exact=True)
    login_email.fill(EMAIL)
    login_password.fill("not the password at all")
    page.get_by_role("button", name="Log in").click()
    expect(error_summary(page)).to_be_visible()
    expect(login_email).to_have_value(EMAIL)
    assert_accessible(page)

    login_password.fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your communities")
    assert_accessible(page)

    # The header's switcher: shown because the newcomer now belongs to two.
    switcher = page.get_by_role("banner").get_by_label("Community", exact=True)
    switcher.select_option(label="Brookside Network")
    page.get_by_role("button", name="Switch").click()
    expect(page).to_have_url(f"{live_server.url}/c/brookside/")
    expect(page.get_by_role("banner")).to_contain_text("Brookside Network")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {NAME}")
    expect(switcher).to_have_value("brookside")
    assert_accessible(page)

    switcher.select_option(label="Calder Vale Timebank")
    page.get_by_role("button", name="Switch").click()
    expect(page).to_have_url(f"{live_server.url}/c/calder-vale/")
    expect(page.get_by_role("banner")).to_contain_text("Calder Vale Timebank")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ginnel joins people")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    page.goto(live_server.url + "/c/calder-vale/")
    expect(page.get_by_role("heading", level=1)).not_to_have_text(f"Hello, {NAME}")


def test_the_first_tab_stop_skips_to_the_main_content(
    page: Page, live_server: LiveServer, community: Community
) -> None:
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()


def log_in(page: Page, live_server: LiveServer, email: str) -> None:
    page.goto(live_server.url + "/login/")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def menu_link(page: Page, name: str) -> Locator:
    """A link of the menu, opening "More" first when the link is in it."""
    page.wait_for_load_state()
    menu = page.get_by_role("navigation", name="Menu")
    link = menu.get_by_role("link", name=name, exact=True)
    if not link.is_visible():
        menu.locator("summary").click()
    return link


def test_every_page_in_an_administrators_menu_passes_axe(
    page: Page,
    live_server: LiveServer,
    administrator: Person,
    coordinator: Person,
    member: Person,
) -> None:
    log_in(page, live_server, "admin@example.org")
    menu = page.get_by_role("navigation", name="Menu")
    menu.locator("summary").click()
    names = menu.get_by_role("link").all_inner_texts()
    assert "People" in names
    for name in names:
        menu_link(page, name).click()
        expect(menu_link(page, name)).to_have_attribute("aria-current", "page")
        assert_accessible(page)

    # A person's page, and a form sent with a problem.
    menu_link(page, "People").click()
    page.get_by_role("link", name="Mo Member").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mo Member")
    assert_accessible(page)
    menu_link(page, "Your details").click()
    page.get_by_label("Name to show", exact=True).fill("")
    page.get_by_role("button").filter(has_text=re.compile("Save")).click()
    expect(error_summary(page)).to_be_visible()
    assert_accessible(page)
