"""A new member tells Ginnel about themselves on a phone, by keyboard alone.

They answer the first questions, leave halfway, come back and finish, then set
a goal with two steps and tick one off. Every page is checked with axe-core,
with and without JavaScript.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from conftest import PASSWORD
from ginnel.communities.models import Community
from ginnel.timebank.services import categories_seed

from .conftest import NewPage, assert_accessible
from .test_journeys import tab_to

pytestmark = pytest.mark.browser


def press_continue(page: Page, then: str) -> None:
    """Submit the step, and wait for the next one, whose heading is ``then``."""
    tab_to(page, page.get_by_role("button", name="Save and continue"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(then)


def type_into(page: Page, label: str, text: str) -> None:
    field = page.get_by_label(label).first
    tab_to(page, field)
    page.keyboard.type(text)


def log_in(page: Page, base: str) -> None:
    page.goto(base + "/login/")
    type_into(page, "Email address", "rosa@example.org")
    type_into(page, "Password", PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


@pytest.mark.parametrize("javascript", [True, False], ids=["with_javascript", "without_javascript"])
def test_a_new_member_tells_us_about_themselves_and_sets_a_goal_by_keyboard(
    new_page: NewPage,
    live_server: LiveServer,
    community: Community,
    make_member,
    javascript: bool,
) -> None:
    categories_seed(community=community)
    make_member(community, name="Rosa", email="rosa@example.org")
    page = new_page(javascript=javascript)
    base = live_server.url
    log_in(page, base)

    tab_to(page, page.get_by_role("link", name="Tell us about yourself"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("What you are good at")
    expect(page.get_by_text("step 1 of 9")).to_be_visible()
    assert_accessible(page)

    # Nothing ticked or written: asked again, with the reason by the field.
    press_continue(page, "What you are good at")
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_visible()
    assert_accessible(page)
    tab_to(page, page.get_by_role("checkbox", name="Gardening"))
    page.keyboard.press("Space")
    type_into(page, "Or say it in your own words", "I can fix bikes")
    press_continue(page, "What you enjoy")
    type_into(page, "Things you enjoy", "Birdwatching")
    tab_to(page, page.get_by_role("button", name="Save and come back later"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Come back any time")

    # Later: carry on where they left off.
    page.goto(base + f"/c/{community.slug}/me/strengths/")
    expect(page.get_by_role("heading", level=1)).to_have_text("What matters to you")
    assert_accessible(page)
    # Back, without losing what was written.
    tab_to(page, page.get_by_role("link", name="Back"))
    page.keyboard.press("Enter")
    expect(page.get_by_label("Things you enjoy")).to_have_value("Birdwatching")
    press_continue(page, "What matters to you")

    type_into(page, "What matters to you", "My grandchildren")
    press_continue(page, "Your hopes")
    type_into(page, "Your hopes for the next year", "To learn to use a tablet")
    press_continue(page, "Help you would like")
    press_continue(page, "Getting in touch")  # nothing needed
    # Tab reaches the radio group at its chosen answer; the arrow keys move within it.
    tab_to(page, page.get_by_role("radio", name="Email"))
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="Phone call")).to_be_checked()
    press_continue(page, "Making things easier")
    press_continue(page, "Meeting people like you")
    assert_accessible(page)
    press_continue(page, "What other members see")  # left empty: nothing shared
    assert_accessible(page)
    press_continue(page, "About you")
    expect(page.get_by_role("main")).to_contain_text("To learn to use a tablet")
    expect(page.get_by_role("main")).to_contain_text("I can fix bikes")
    assert_accessible(page)

    # A goal with two steps; one ticked off.
    page.goto(base + f"/c/{community.slug}/me/goals/")
    type_into(page, "Your goal, in your own words", "Video call my grandchildren")
    tab_to(page, page.get_by_role("button", name="Save goal"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Video call my grandchildren")
    for step in ("Borrow a tablet from the library", "Ask Sam to show me"):
        type_into(page, "A small step", step)
        tab_to(page, page.get_by_role("button", name="Add step"))
        page.keyboard.press("Enter")
        expect(page.get_by_role("main")).to_contain_text(step)
    tab_to(
        page,
        page.get_by_role("button", name="Tick off the step “Borrow a tablet from the library”"),
    )
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Well done")
    expect(
        page.get_by_role(
            "button", name="Mark as not done the step “Borrow a tablet from the library”"
        )
    ).to_be_visible()
    expect(
        page.get_by_role("button", name="Tick off the step “Ask Sam to show me”")
    ).to_be_visible()
    assert_accessible(page)
