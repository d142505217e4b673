"""What a member meets in their first week, on a phone, with and without JavaScript.

Priya recorded hours with Mo that were wrong: Mo declines them with a reason;
Priya sees why, and withdraws another claim she made by mistake. Mo records
hours with the right Owen among four, told apart by neighbourhood, and gives
an hour to him, which shows as given. Every page on the way is checked with
axe-core.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from conftest import PASSWORD
from ginnel.communities.models import Community, Neighbourhood, Role
from ginnel.communities.permissions import access_for
from ginnel.timebank.models import Exchange, ExchangeState
from ginnel.timebank.services import categories_seed, exchange_record

from .conftest import NewPage, assert_accessible

pytestmark = pytest.mark.browser

PLACES = ("Hebble End", "Mytholm", "Lumb Bank", "Cragg Vale")


def log_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def search_for(page: Page, label: str, text: str, *, javascript: bool) -> None:
    """Type in a picker; with JavaScript the matches come as one types, without it
    the Search button brings the same form back with them."""
    page.get_by_role("searchbox", name=label).fill(text)
    if not javascript:
        page.get_by_role("button", name="Search for a match").first.click()


def claim(by, other, description: str, minutes: int) -> Exchange:
    """``by`` records that they helped ``other``, waiting for ``other`` to confirm."""
    return exchange_record(
        access=access_for(by.membership.user, by.community),
        other_id=other.pk,
        i_gave=True,
        minutes=minutes,
        happened_on=timezone.localdate() - timedelta(days=2),
        description=description,
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["with_javascript", "without_javascript"])
def test_a_first_week_wrong_hours_declined_one_withdrawn_the_right_owen_and_a_gift_given(
    new_page: NewPage,
    live_server: LiveServer,
    community: Community,
    make_member,
    javascript: bool,
) -> None:
    categories_seed(community=community)
    mo_person = make_member(community, name="Mo", email="mo@example.org")
    priya_person = make_member(community, name="Priya", email="priya@example.org")
    owens = {}
    for place in PLACES:
        hood, _ = Neighbourhood.objects.get_or_create(community=community, name=place)
        owens[place] = make_member(community, name="Owen", neighbourhood=hood)
    wrong = claim(priya_person, mo_person, "Painted the fence", 180)
    mistaken = claim(priya_person, mo_person, "Walked the dog", 60)
    mo, priya = new_page(javascript=javascript), new_page(javascript=javascript)
    base = live_server.url
    timebank = base + f"/c/{community.slug}/timebank"

    # Mo is asked to confirm three hours he never had: he declines them, saying why.
    log_in(mo, base, "mo@example.org")
    mo.goto(timebank + "/mine/")
    expect(mo.get_by_role("main")).to_contain_text("please confirm")
    assert_accessible(mo)
    mo.get_by_role("link", name="Painted the fence").first.click()
    assert_accessible(mo)
    mo.get_by_label("Why are these hours not right?").fill(
        "That was my neighbour's fence, not mine."
    )
    mo.get_by_role("button", name="Decline the hours").click()
    expect(mo.locator("#exchange-status")).to_contain_text("turned down")
    assert_accessible(mo)

    # Priya sees why, and withdraws the other hours she recorded by mistake.
    log_in(priya, base, "priya@example.org")
    priya.goto(timebank + "/mine/")
    expect(priya.get_by_role("main")).to_contain_text("turned down the hours you recorded")
    assert_accessible(priya)
    priya.get_by_role("link", name="Painted the fence").first.click()
    expect(priya.locator("#turned-down-reason")).to_have_text(
        "That was my neighbour's fence, not mine."
    )
    assert_accessible(priya)
    priya.goto(timebank + f"/exchanges/{mistaken.pk}/")
    priya.get_by_role("button", name="Withdraw the hours").click()
    expect(priya.get_by_role("main")).to_contain_text("You have withdrawn the hours you recorded")
    assert_accessible(priya)
    wrong.refresh_from_db()
    mistaken.refresh_from_db()
    assert wrong.state != ExchangeState.COMPLETED
    assert wrong.transfer_id is None
    assert mistaken.minutes is None
    assert mistaken.transfer_id is None

    # Mo records the bike he fixed with the right Owen: the one in Mytholm.
    mo.goto(timebank + "/record/")
    mo.get_by_label("What was done?").fill("Fixed his bike")
    search_for(mo, "Who was it with?", "Owen", javascript=javascript)
    matches = mo.get_by_role("group", name="Matches for “Owen”")
    expect(matches.get_by_role("radio")).to_have_count(4)
    expect(mo.get_by_label("What was done?")).to_have_value("Fixed his bike")
    assert_accessible(mo)
    matches.locator(".choices__item").filter(has_text="Mytholm").get_by_role("radio").check()
    mo.get_by_role("radio", name="I helped them").check()
    mo.get_by_role("radio", name="In a public place").check()
    mo.get_by_label("How long did it take?").fill("2")
    if javascript:
        # Enter in a field sends the form, though the picker's Search button comes first.
        mo.get_by_label("How long did it take?").press("Enter")
    else:
        mo.get_by_role("button", name="Record time").click()
    expect(mo.locator("#exchange-status")).to_contain_text("waiting for confirmation")
    assert Exchange.objects.get(description="Fixed his bike").receiver == owens["Mytholm"]

    # Mo gives an hour to the same Owen; his statement shows it as given, not received.
    mo.goto(timebank + "/donate/")
    assert_accessible(mo)
    search_for(mo, "Give to", "Owen", javascript=javascript)
    gift_matches = mo.get_by_role("group", name="Matches for “Owen”")
    mytholm = gift_matches.locator(".choices__item").filter(has_text="Mytholm")
    # He exchanged with this Owen today, so this Owen comes first and says so.
    owens_found = gift_matches.locator(".choices__item").filter(has_text="Owen")
    expect(owens_found.first).to_contain_text("Mytholm")
    expect(mytholm).to_contain_text("you exchanged on")
    assert_accessible(mo)
    mytholm.get_by_role("radio").check()
    mo.get_by_label("How much time to give?").fill("1")
    mo.get_by_role("button", name="Give hours").click()
    mo.goto(timebank + "/statement/")
    expect(mo.locator("#statement-given")).to_have_text("1:00")
    expect(mo.locator("#statement-received")).to_have_text("0:00")
    gift = mo.get_by_role("row").filter(has_text="Owen")
    expect(gift).to_contain_text("Given")
    expect(gift).to_contain_text("\u22121:00")
    assert_accessible(mo)


@pytest.mark.parametrize("javascript", [True, False], ids=["with_javascript", "without_javascript"])
def test_a_coordinator_finds_both_people_of_a_suggested_exchange_by_searching(
    new_page: NewPage,
    live_server: LiveServer,
    community: Community,
    make_member,
    javascript: bool,
) -> None:
    make_member(community, roles=[Role.COORDINATOR], name="Cath", email="cath@example.org")
    owens = {}
    for place in PLACES:
        hood, _ = Neighbourhood.objects.get_or_create(community=community, name=place)
        owens[place] = make_member(
            community, name="Owen", neighbourhood=hood, email=f"owen.{place[:4].lower()}@x.org"
        )
    rhian = make_member(community, name="Rhian", email="rhian@example.org")
    cath = new_page(javascript=javascript)
    base = live_server.url

    log_in(cath, base, "cath@example.org")
    cath.goto(base + f"/c/{community.slug}/timebank/coordinate/")
    broker = cath.locator("form").filter(has=cath.locator("input[value=broker]"))
    broker.get_by_label("What is the exchange?").fill("A lift to the surgery")
    broker.get_by_role("radio", name="In a public place").check()
    broker.get_by_role("searchbox", name="Who gives help").fill("Owen")
    if not javascript:
        broker.get_by_role("button", name="Search for a match").first.click()
        broker = cath.locator("form").filter(has=cath.locator("input[value=broker]"))
    givers = broker.get_by_role("group", name="Matches for “Owen”")
    # A coordinator tells the Owens apart by the start of their email as well.
    expect(givers.locator(".choices__item").filter(has_text="owen.lumb@…")).to_have_count(1)
    assert_accessible(cath)
    givers.locator(".choices__item").filter(has_text="Lumb Bank").get_by_role("radio").check()
    broker.get_by_role("searchbox", name="Who receives help").fill("Rhi")
    if not javascript:
        broker.get_by_role("button", name="Search for a match").last.click()
        broker = cath.locator("form").filter(has=cath.locator("input[value=broker]"))
    receivers = broker.get_by_role("group", name="Matches for “Rhi”")
    receivers.get_by_role("radio", name="Rhian").check()
    # The Owen chosen first is still chosen.
    expect(broker.get_by_role("radio", name="Owen", checked=True)).to_have_count(1)
    assert_accessible(cath)
    broker.get_by_role("button", name="Suggest exchange").click()

    expect(cath.get_by_role("main")).to_contain_text("suggested to both people")
    exchange = Exchange.objects.get(description="A lift to the surgery")
    assert (exchange.giver, exchange.receiver) == (owens["Lumb Bank"], rhian)
