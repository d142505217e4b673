"""Social prescribing from end to end, on a phone, with and without JavaScript.

A GP sends a referral about a new person; the coordinator gives it to a link
worker; the link worker reaches the person at the second try, has the first
conversation and goes through the strengths conversation with them, records
how they feel at the start, connects them to a community group and, for them,
asks a timebank member for help; then closes the referral. The GP reads the
closing letter, which says the outcome in plain words and nothing private; and
the person, invited to claim a login of their own, reads their referral.

Every page visited is checked with axe-core; the main ones must not scroll
sideways at phone width.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from conftest import PASSWORD, MakeMember
from ginnel.communities.models import Community, Role
from ginnel.communities.permissions import access_for
from ginnel.directory.models import (
    Kind,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceAtLocation,
)
from ginnel.directory.services.derived import service_kind_set, services_refresh
from ginnel.people.models import Person, User
from ginnel.referrals import services as referrals
from ginnel.referrals.models import Referral
from ginnel.timebank.models import Exchange, Listing
from ginnel.timebank.services import categories_seed

from .conftest import NewPage, assert_accessible

pytestmark = pytest.mark.browser

CLIENT = "Harold Pike"
WHAT_MATTERS = "Getting back to my allotment, and seeing my grandson on Sundays."
CONSENT = "Agreed at his appointment with Dr Shah; happy to be phoned."
GP_EMAIL = "asha@example.org"
COORDINATOR_EMAIL = "cath@example.org"
LINK_WORKER_EMAIL = "lin@example.org"
CLIENT_EMAIL = "harold@example.org"


def answer_of(page: Page, term: str) -> Locator:
    """The value beside ``term`` in a summary list (its ``dd``)."""
    row = page.locator(".summary-list__row").filter(has=page.locator("dt", has_text=term))
    return row.locator("dd")


def log_in(page: Page, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(base + "/login/")
    check_page(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def assert_no_sideways_scroll(page: Page) -> None:
    """The page is no wider than the phone's screen."""
    wide, screen = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert wide <= screen, f"{page.url} scrolls sideways: {wide}px wide on a {screen}px screen"


def check_page(page: Page) -> None:
    """Every page visited: axe-clean, and no wider than the phone."""
    assert_accessible(page)
    assert_no_sideways_scroll(page)


@dataclass(frozen=True)
class Setting:
    link_worker: Person
    hana: Person
    offer: Listing


@pytest.fixture
def setting(community: Community, make_member: MakeMember) -> Setting:
    """A community with a coordinator, a link worker, a timebank member offering gardening
    help, a befriending group in the directory, and a GP practice whose GP logs in."""
    referrals.referrals_seed(community=community)
    cats = {c.name: c for c in categories_seed(community=community)}
    hood = community.neighbourhoods.get(name="Hebble End")
    coordinator = make_member(
        community, roles=[Role.COORDINATOR], name="Cath Coordinator", email=COORDINATOR_EMAIL
    )
    link_worker = make_member(
        community, roles=[Role.LINK_WORKER], name="Lin Linkworker", email=LINK_WORKER_EMAIL
    )
    hana = make_member(community, name="Hana Helper", neighbourhood=hood)
    offer = Listing.objects.create(
        community=community, owner=hana, kind="offer", title="Weeding and lawn mowing",
        in_public=True,
    )  # fmt: skip
    offer.categories.set([cats["Gardening"]])

    # A group that meets every Thursday, a few streets away.
    org = Organization.objects.create(community=community, name="Hebble End Trust")
    group = Service.objects.create(
        community=community,
        organization=org,
        name="Befriending circle",
        description="A chat and a cuppa with neighbours, every Thursday.",
    )
    place = Location.objects.create(
        community=community, organization=org, name="Chapel hall", latitude=53.742, longitude=-1.858
    )
    ServiceAtLocation.objects.create(community=community, service=group, location=place)
    Schedule.objects.create(
        community=community, service=group, freq="WEEKLY", byday="TH",
        opens_at=time(10), closes_at=time(12),
    )  # fmt: skip
    service_kind_set(service=group, kind=Kind.GROUP)
    services_refresh(community=community, service_ids=[group.pk])

    # The GP practice, and a GP there with a login of her own.
    assert coordinator.membership.user is not None
    as_coordinator = access_for(coordinator.membership.user, community)
    practice = referrals.organisation_add(
        access=as_coordinator, kind="gp_practice", name="Hebble End Surgery"
    )
    referrals.referrer_add(
        access=as_coordinator,
        organisation=practice,
        name="Dr Asha Shah",
        job_title="GP",
        user=User.objects.create_user(GP_EMAIL, PASSWORD),
    )
    return Setting(link_worker=link_worker, hana=hana, offer=offer)


@pytest.mark.parametrize("javascript", [True, False], ids=["with_javascript", "without_javascript"])
def test_a_gp_refers_someone_who_is_connected_and_the_gp_and_the_person_see_the_outcome(
    new_page: NewPage,
    live_server: LiveServer,
    community: Community,
    setting: Setting,
    javascript: bool,
) -> None:
    base = live_server.url
    c = f"{base}/c/{community.slug}"
    today = timezone.localdate()

    # 1. The GP sends a referral about someone who is not in Ginnel yet. ------------------
    gp = new_page(javascript=javascript)
    log_in(gp, base, GP_EMAIL)
    gp.goto(f"{c}/referrals/refer/from-organisation/")
    expect(gp.get_by_role("heading", level=1)).to_have_text("Send a referral")
    check_page(gp)
    gp.get_by_label("Name of the person you are referring").fill(CLIENT)
    gp.get_by_role("checkbox", name="Loneliness").check()
    gp.get_by_role("checkbox", name="Bereavement").check()
    gp.get_by_label("What matters to them, in their own words").fill(WHAT_MATTERS)
    gp.get_by_role("radio", name="Phone call").check()
    gp.get_by_label("Phone number", exact=True).fill("07700 900456")
    gp.get_by_label("How did they agree to be referred?").fill(CONSENT)
    gp.get_by_label("Date they agreed").fill(today.isoformat())
    gp.get_by_role("button", name="Send the referral").click()
    expect(gp.get_by_role("heading", level=1)).to_have_text("Referral sent")
    expect(gp.get_by_role("main")).to_contain_text(WHAT_MATTERS)  # shown back as sent
    check_page(gp)
    referral = Referral.objects.get(community=community, person__display_name=CLIENT)
    client = referral.person
    assert referral.what_matters == WHAT_MATTERS
    assert {r.code for r in referral.reasons.all()} == {"loneliness", "bereavement"}

    # 2. The coordinator gives it to the link worker. ---------------------------------------
    coordinator = new_page(javascript=javascript)
    log_in(coordinator, base, COORDINATOR_EMAIL)
    coordinator.goto(f"{c}/referrals/allocate/")
    expect(coordinator.get_by_role("link", name=CLIENT)).to_be_visible()
    check_page(coordinator)
    coordinator.get_by_label(f"Link worker for {CLIENT}").select_option(
        label="Lin Linkworker (0 open)"
    )
    coordinator.get_by_role("button", name="Accept and give").click()
    expect(coordinator.get_by_text("No new referrals are waiting.")).to_be_visible()
    check_page(coordinator)
    referral.refresh_from_db()
    assert referral.link_worker == setting.link_worker.membership

    # 3. The link worker opens the case from their caseload. ------------------------------
    worker = new_page(javascript=javascript)
    log_in(worker, base, LINK_WORKER_EMAIL)
    worker.goto(f"{c}/referrals/caseload/")
    check_page(worker)
    worker.get_by_role("link", name=CLIENT).click()
    expect(worker.get_by_role("heading", level=1)).to_have_text(f"Referral of {CLIENT}")
    check_page(worker)

    # No answer the first time…
    attempt = worker.get_by_role("region", name="Record an attempt to make contact")
    expect(attempt.get_by_label("Date of the attempt")).to_have_value(today.isoformat())
    attempt.get_by_role("radio", name="No answer").check()
    attempt.get_by_role("button", name="Record the attempt").click()
    expect(worker.locator("#failed-attempts")).to_contain_text("1 failed attempt of")
    check_page(worker)
    # …and reached the second.
    attempt = worker.get_by_role("region", name="Record an attempt to make contact")
    attempt.get_by_role("radio", name="Reached them").check()
    attempt.get_by_role("button", name="Record the attempt").click()
    conversation = worker.get_by_role("region", name="Record the first conversation")
    expect(conversation).to_be_visible()
    check_page(worker)
    conversation.get_by_label("What you talked about").fill(
        "Talked about the allotment and meeting people."
    )
    conversation.get_by_role("button", name="Record the conversation").click()
    expect(worker.locator("#case-state")).to_have_text("Working with the link worker")
    check_page(worker)

    # The strengths conversation, with the person: the first questions, then "later".
    worker.get_by_role("link", name=f"Go through the strengths conversation with {CLIENT}").click()
    expect(worker.get_by_role("heading", level=1)).to_have_text("What you are good at")
    check_page(worker)
    worker.get_by_role("checkbox", name="Gardening").check()
    worker.get_by_label("Or say it in your own words").fill("Growing vegetables")
    worker.get_by_role("button", name="Save and continue").click()
    expect(worker.get_by_role("heading", level=1)).to_have_text("What you enjoy")
    check_page(worker)
    worker.get_by_label("Things you enjoy").fill("A chat and a cuppa, befriending, gardening")
    worker.get_by_role("button", name="Save and continue").click()
    expect(worker.get_by_role("heading", level=1)).to_have_text("What matters to you")
    check_page(worker)
    worker.get_by_label("What matters to you").fill("My grandson")
    worker.get_by_role("button", name="Save and continue").click()
    expect(worker.get_by_role("heading", level=1)).to_have_text("Your hopes")
    check_page(worker)
    worker.get_by_label("Your hopes for the next year").fill("To grow my own leeks again")
    worker.get_by_role("button", name="Save and continue").click()
    expect(worker.get_by_role("heading", level=1)).to_have_text("Help you would like")
    worker.get_by_label("What you would like help with").fill(
        "Weeding and mowing the lawn, the garden is too much for me now"
    )
    check_page(worker)
    worker.get_by_role("button", name="Save and come back later").click()
    expect(worker.get_by_role("alert")).to_contain_text("Come back any time")
    check_page(worker)
    assert Person.objects.get(pk=client.pk).strengths.skills_own_words == "Growing vegetables"

    # 4. Wellbeing at the start: ONS4 and UCLA-3, then the scores in words. -------------------
    worker.goto(f"{c}/referrals/{referral.pk}/wellbeing/")
    check_page(worker)
    worker.get_by_role("link", name=re.compile(r"Record answers to Personal wellbeing")).click()
    check_page(worker)
    worker.get_by_role("radio", name="At the start").check()
    for question, answer in (
        ("1. Overall, how satisfied are you with your life nowadays?", "4"),
        ("2. Overall, to what extent do you feel", "5"),
        ("3. Overall, how happy did you feel yesterday?", "6"),
        ("4. Overall, how anxious did you feel yesterday?", "7"),
    ):
        worker.get_by_role("group", name=re.compile(re.escape(question))).get_by_role(
            "radio", name=re.compile(rf"^{answer}\b")
        ).check()
    worker.get_by_role("button", name="Save answers").click()
    expect(answer_of(worker, "how satisfied are you with your life")).to_be_visible()
    check_page(worker)
    worker.get_by_role("link", name=re.compile(r"Record answers to Loneliness")).click()
    expect(worker.get_by_role("heading", level=1)).to_have_text(
        "Loneliness (UCLA three-item scale)"
    )
    check_page(worker)
    worker.get_by_role("radio", name="At the start").check()
    for question, answer in (
        ("1. How often do you feel that you lack companionship?", "Often"),
        ("2. How often do you feel left out?", "Some of the time"),
        ("3. How often do you feel isolated from others?", "Often"),
    ):
        worker.get_by_role("group", name=question).get_by_role("radio", name=answer).check()
    worker.get_by_role("button", name="Save answers").click()
    expect(worker.get_by_role("heading", level=1)).to_have_text("Wellbeing")
    # Each ONS answer with ONS's band in words (never added up); UCLA-3 added up.
    for question, answer in (
        ("how satisfied are you with your life", "4 out of 10 · Low"),  # 0–4 is low
        ("the things you do in your life are worthwhile", "5 out of 10 · Medium"),  # 5–6 medium
        ("how happy did you feel yesterday", "6 out of 10 · Medium"),
        ("how anxious did you feel yesterday", "7 out of 10 · High anxiety"),  # 6–10 high anxiety
    ):
        expect(answer_of(worker, question)).to_have_text(answer)
    expect(answer_of(worker, "Total")).to_have_text("8, on a scale from 3 to 9")  # 3 + 2 + 3
    check_page(worker)

    # 5. Connections: the group, and (for the person) the timebank member. --------------------
    worker.get_by_role("link", name="Connections").click()
    expect(worker.get_by_role("heading", level=1)).to_have_text(f"Connections for {CLIENT}")
    check_page(worker)
    worker.get_by_role(
        "button", name=re.compile(r"^Record as a connection\s*:\s*Befriending circle$")
    ).click()
    made = worker.get_by_role("region", name="Connections made")
    expect(made.get_by_role("heading", name="Befriending circle")).to_be_visible()
    check_page(worker)
    worker.get_by_role("link", name=re.compile(r":\s*Weeding and lawn mowing$")).click()
    expect(worker.get_by_role("heading", level=1)).to_have_text(
        f"Ask Hana Helper for this, for {CLIENT}"
    )
    check_page(worker)
    worker.get_by_label("Message").fill(
        "Hello Hana, I am Lin, Harold's link worker. Could you help with his allotment?"
    )
    worker.get_by_role("radio", name="In a public place").check()
    worker.get_by_role("button", name="Send proposal").click()
    exchange = Exchange.objects.get(community=community, listing=setting.offer)
    # The exchange is the person's: they asked, and the link worker did it for them.
    assert exchange.proposed_by == client
    assert exchange.receiver == client
    assert exchange.giver == setting.hana
    assert exchange.acting_by == setting.link_worker
    expect(
        worker.get_by_text(
            f"Your proposal for {CLIENT} has been sent to Hana Helper, "
            "and recorded as a connection."
        )
    ).to_be_visible()
    expect(made.get_by_role("heading", name="Hana Helper")).to_be_visible()
    check_page(worker)
    # Where the exchange is shown, it names both: for whom, and by whom.
    worker.goto(f"{c}/timebank/exchanges/{exchange.pk}/")
    expect(worker.locator("#exchange-acting-by")).to_have_text(
        f"Proposed by Lin Linkworker for {CLIENT}"
    )
    check_page(worker)

    # 6. The link worker closes the referral. ----------------------------------------------
    worker.goto(f"{c}/referrals/{referral.pk}/")
    close = worker.get_by_role("region", name="Close the referral")
    close.get_by_label("Outcome").select_option(label="Connected to support")
    close.get_by_role("button", name="Close the referral").click()
    expect(worker.locator("#case-state")).to_have_text("Closed")
    check_page(worker)

    # 7. The GP reads the closing letter: the outcome in plain words, nothing private. -------
    gp.goto(f"{c}/referrals/from-organisation/")
    expect(gp.get_by_role("heading", level=1)).to_have_text("Your organisation's referrals")
    check_page(gp)
    gp.get_by_role("link", name=f"Read the latest letter about {CLIENT}").click()
    letter = gp.get_by_role("main")
    expect(letter).to_contain_text(f"{CLIENT} was connected to support.")
    expect(letter).not_to_contain_text(WHAT_MATTERS)
    expect(letter).not_to_contain_text("allotment")
    check_page(gp)

    # 8. The person claims a login and reads their own referral. ----------------------------
    worker.goto(f"{c}/members/{client.pk}/")
    check_page(worker)
    worker.get_by_role("link", name=f"Invite {CLIENT} to log in").click()
    check_page(worker)
    worker.get_by_label("Email address").fill(CLIENT_EMAIL)
    worker.get_by_role("button", name="Send the invitation").click()
    link = worker.locator("#claim-link").inner_text().strip()
    check_page(worker)

    person = new_page(javascript=javascript)
    person.goto(link)
    expect(person.get_by_label("Your name")).to_have_value(CLIENT)
    check_page(person)
    person.get_by_label("Email address").fill(CLIENT_EMAIL)
    person.get_by_label("Create a password").fill("harold's own long password 7")
    person.get_by_role("button", name=re.compile("Join|Create|Claim")).click()
    expect(person.get_by_role("heading", level=1)).to_have_text("Check your email to continue")
    person.get_by_role("main").get_by_role("link", name="Log in").click()
    person.get_by_label("Email address", exact=True).fill(CLIENT_EMAIL)
    person.get_by_label("Password", exact=True).fill("harold's own long password 7")
    person.get_by_role("button", name="Log in").click()
    expect(person.get_by_role("button", name="Log out")).to_be_visible()
    check_page(person)
    client = Person.objects.get(pk=client.pk)
    assert client.membership.user is not None
    assert client.membership.user.email == CLIENT_EMAIL
    person.goto(f"{c}/referrals/mine/")
    expect(person.get_by_role("heading", level=1)).to_have_text("Your referrals")
    mine = person.get_by_role("main")
    expect(mine).to_contain_text("This referral is finished.")
    expect(answer_of(person, "Your link worker")).to_have_text("Lin Linkworker")
    expect(answer_of(person, "What matters to you")).to_have_text(WHAT_MATTERS)
    check_page(person)
