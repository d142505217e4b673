"""Acting for someone from their page, the coordinators' queue of introductions, what the
member sees of introductions about them, and the wording of reasons and messages.

Every name and title expected below is one a test writes; every status and who-and-when
is what the pages were asked to do.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.urls import reverse
from django.utils import timezone

from ginnel.communities.models import CommunityEvent, Role
from ginnel.directory.models import Kind as EntryKind
from ginnel.directory.models import Organization, Service
from ginnel.directory.services.derived import service_kind_set, services_refresh
from ginnel.matching.models import Introduction, IntroductionState
from ginnel.people.models import Consent, ConsentPurpose, StrengthsProfile
from ginnel.timebank.models import Listing
from ginnel.timebank.services import categories_seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def cats(community):
    return {c.name: c for c in categories_seed(community=community)}


def offer_of(owner, title, categories, *, kind="offer"):
    found = Listing.objects.create(
        community=owner.community, owner=owner, kind=kind, title=title, in_public=True
    )
    found.categories.set(categories)
    return found


def peer_of(person, topics):
    StrengthsProfile.objects.create(community=person.community, person=person, peer_topics=topics)
    Consent.objects.create(
        community=person.community, person=person, purpose=ConsentPurpose.PEER_SUPPORT
    )


def person_page(client_for, viewer, person):
    response = client_for(viewer).get(
        reverse("web:person", args=[person.community.slug, person.pk])
    )
    assert response.status_code == 200
    return response.content.decode()


def queue_url(community, **query):
    url = reverse("matching:introductions", args=[community.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def decide_url(introduction):
    return reverse(
        "matching:introduction_decide", args=[introduction.community.slug, introduction.pk]
    )


@pytest.fixture
def carole(community, member, make_member, cats):
    """Mo asks for help with forms; Carole offers form filling."""
    offer_of(member, "Help with my benefit forms", [cats["Form filling"]], kind="request")
    carole = make_member(community, name="Carole Forms")
    offer = offer_of(carole, "Form filling at the library", [cats["Form filling"]])
    return carole, offer


@pytest.fixture
def james(community, member, make_member):
    """Mo and James W. both chose to connect about caring for a parent."""
    james = make_member(community, name="James W.")
    peer_of(member, "Caring for a parent")
    peer_of(james, "caring for a parent")
    return james


def ask(client, community, *, candidate, kind="peer", person=None, next_url="/"):
    data = {"kind": kind, "candidate": candidate, "next": next_url}
    if person is not None:
        data["person"] = person.pk
    return client.post(reverse("matching:introduce", args=[community.slug]), data)


@pytest.fixture
def waiting(community, member, james, link_worker, client_for):
    ask(client_for(link_worker), community, candidate=f"peers:{james.pk}", person=member)
    return Introduction.objects.get()


# -- acting for the person whose page it is ---------------------------------------------------


def test_on_a_persons_page_asking_for_an_offer_is_for_that_person_and_says_so(
    community, member, link_worker, carole, client_for
):
    _, offer = carole

    page = person_page(client_for, link_worker, member)

    assert "Ask Carole Forms for this, for Mo Member" in page
    listing = reverse("timebank:listing", args=[community.slug, offer.pk])
    assert f'href="{listing}?for={member.pk}#propose"' in page


def test_on_their_own_home_a_member_asks_for_an_offer_for_themselves(
    community, member, carole, client_for
):
    _, offer = carole

    page = client_for(member).get(reverse("web:community_home", args=[community.slug]))

    text = page.content.decode()
    assert "Ask Carole Forms for this<" in text
    assert "for Mo Member" not in text
    listing = reverse("timebank:listing", args=[community.slug, offer.pk])
    assert f'href="{listing}#propose"' in text


def test_on_a_persons_page_an_introduction_names_both_and_is_sent_for_that_person(
    community, member, link_worker, james, client_for
):
    page = person_page(client_for, link_worker, member)

    assert "Ask a coordinator to introduce Mo Member to James W." in page
    assert f'name="person" value="{member.pk}"' in page


def test_on_someones_request_a_coordinator_asks_a_helper_for_the_person_who_asked(
    community, member, coordinator, carole, client_for
):
    _, offer = carole
    request = Listing.objects.get(owner=member)

    page = client_for(coordinator).get(
        reverse("timebank:listing", args=[community.slug, request.pk])
    )

    text = page.content.decode()
    assert "Ask Carole Forms for this, for Mo Member" in text
    listing = reverse("timebank:listing", args=[community.slug, offer.pk])
    assert f'href="{listing}?for={member.pk}#propose"' in text


# -- wording ----------------------------------------------------------------------------------


def test_a_member_is_told_in_the_second_person_and_with_one_full_stop(
    community, member, james, client_for
):
    client = client_for(member)
    home = reverse("web:community_home", args=[community.slug])

    ask(client, community, candidate=f"peers:{james.pk}", next_url=home)

    page = client.get(home).content.decode()
    assert "A coordinator will speak to you and James W. first, then introduce you." in page
    assert "introduce Mo Member" not in page
    assert "W.." not in page


def test_a_link_worker_is_told_whom_the_introduction_is_for(
    community, member, link_worker, james, client_for
):
    client = client_for(link_worker)
    url = reverse("web:person", args=[community.slug, member.pk])

    ask(client, community, candidate=f"peers:{james.pk}", person=member, next_url=url)

    page = client.get(url).content.decode()
    assert "A coordinator will speak to Mo Member and James W. first, then introduce them." in page


def test_a_category_named_like_it_help_reads_without_help_twice_or_a_lower_case_acronym(
    community, member, make_member, cats, client_for
):
    offer_of(member, "Setting up my phone", [cats["IT help"]], kind="request")
    offer_of(member, "Putting up shelves", [cats["DIY and repairs"]], kind="request")
    offer_of(make_member(community, name="Ian Tech"), "Phones and tablets", [cats["IT help"]])
    offer_of(
        make_member(community, name="Dee Fixer"), "Shelves and doors", [cats["DIY and repairs"]]
    )

    page = client_for(member).get(reverse("web:community_home", args=[community.slug]))

    text = page.content.decode()
    assert "<li>Can help with IT</li>" in text
    assert "<li>Can help with DIY and repairs</li>" in text
    assert "it help" not in text.lower().replace("can help with it<", "")


def test_the_engine_is_imported_without_django_settings():
    code = (
        "import sys, ginnel.matching.engine as e; "
        "assert 'django.conf' not in sys.modules; "
        "print(e.ENGLISH.gettext('x'))"
    )
    done = subprocess.run(  # noqa: S603 (our own interpreter, fixed code)
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "x"


# -- the coordinators' queue ------------------------------------------------------------------


def test_a_coordinator_sees_an_introduction_waiting_with_who_asked(
    community, coordinator, waiting, client_for
):
    response = client_for(coordinator).get(queue_url(community))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Mo Member and James W." in page
    assert "By Lin Linkworker on" in page
    assert "Also caring for a parent (you both chose to connect about this)" in page
    assert "Mark as made" in page


def test_a_coordinator_marks_an_introduction_made_and_who_and_when_are_kept(
    community, coordinator, waiting, client_for
):
    client = client_for(coordinator)
    before = timezone.now()

    response = client.post(decide_url(waiting), {"decision": "made"})

    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.state == IntroductionState.MADE
    assert waiting.decided_by == coordinator.membership
    assert waiting.decided_at >= before
    assert CommunityEvent.objects.filter(
        action="introduction_made", actor=coordinator.membership
    ).exists()
    made = client.get(queue_url(community, state="made")).content.decode()
    assert "Mo Member and James W." in made
    assert "By Cath Coordinator on" in made
    assert "Mo Member and James W." not in client.get(queue_url(community)).content.decode()


def test_a_coordinator_marks_an_introduction_not_made(community, coordinator, waiting, client_for):
    client_for(coordinator).post(decide_url(waiting), {"decision": "declined"})

    waiting.refresh_from_db()
    assert waiting.state == IntroductionState.DECLINED
    assert waiting.decided_by == coordinator.membership


def test_a_decision_that_is_neither_is_refused_and_nothing_changes(
    community, coordinator, waiting, client_for
):
    response = client_for(coordinator).post(decide_url(waiting), {"decision": "maybe"})

    assert response.status_code == 400
    assert "Choose whether the introduction was made or not." in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.state == IntroductionState.REQUESTED
    assert waiting.decided_by is None


def test_an_introduction_already_marked_cannot_be_marked_again(
    community, coordinator, administrator, waiting, client_for
):
    client_for(coordinator).post(decide_url(waiting), {"decision": "made"})

    client_for(administrator).post(decide_url(waiting), {"decision": "declined"})

    waiting.refresh_from_db()
    assert waiting.state == IntroductionState.MADE
    assert waiting.decided_by == coordinator.membership


@pytest.mark.parametrize("role", [Role.MEMBER, Role.LINK_WORKER, Role.ORG_EDITOR, Role.ANALYST])
def test_only_coordinators_open_the_queue_or_mark_an_introduction(
    community, make_member, waiting, client_for, role
):
    someone = make_member(community, roles=[role])
    client = client_for(someone)

    assert client.get(queue_url(community)).status_code == 403
    assert client.post(decide_url(waiting), {"decision": "made"}).status_code == 403
    waiting.refresh_from_db()
    assert waiting.state == IntroductionState.REQUESTED


def test_a_coordinator_of_another_community_cannot_see_or_mark_ours(
    community, outsider, waiting, client_for
):
    client = client_for(outsider)
    theirs = reverse("matching:introduction_decide", args=["brookside", waiting.pk])

    assert client.get(queue_url(community)).status_code == 403
    assert client.post(decide_url(waiting), {"decision": "made"}).status_code == 403
    assert client.post(theirs, {"decision": "made"}).status_code == 404
    waiting.refresh_from_db()
    assert waiting.state == IntroductionState.REQUESTED


# -- what the member sees ---------------------------------------------------------------------


def test_a_member_sees_an_introduction_asked_for_them_and_when_it_is_made(
    community, member, coordinator, waiting, client_for
):
    url = reverse("matching:my_introductions", args=[community.slug])
    client = client_for(member)

    page = client.get(url).content.decode()
    assert "You and James W." in page
    assert "Asked for, waiting for a coordinator" in page
    assert "Asked for by Lin Linkworker" in page

    client_for(coordinator).post(decide_url(waiting), {"decision": "made"})

    page = client.get(url).content.decode()
    assert "Introduced" in page
    assert "introduced on" in page


def test_the_other_person_sees_an_introduction_only_once_it_is_made(
    community, james, coordinator, waiting, client_for
):
    url = reverse("matching:my_introductions", args=[community.slug])
    client = client_for(james)

    assert "Mo Member" not in client.get(url).content.decode()

    client_for(coordinator).post(decide_url(waiting), {"decision": "made"})

    page = client.get(url).content.decode()
    assert "You and Mo Member" in page
    assert "A coordinator introduced you on" in page


def test_the_page_of_suggestions_you_hid_links_to_your_introductions(community, member, client_for):
    page = client_for(member).get(reverse("matching:hidden", args=[community.slug]))

    assert reverse("matching:my_introductions", args=[community.slug]) in page.content.decode()


def test_an_outsider_cannot_open_a_communitys_introductions_page(community, outsider, client_for):
    url = reverse("matching:my_introductions", args=[community.slug])

    assert client_for(outsider).get(url).status_code == 403


def test_on_a_persons_page_saving_a_group_is_for_that_person_and_says_so(
    community, member, link_worker, client_for
):
    StrengthsProfile.objects.create(
        community=community, person=member, interests="Befriending and a chat over a cuppa"
    )
    org = Organization.objects.create(community=community, name="Hebble End Trust")
    group = Service.objects.create(
        community=community,
        organization=org,
        name="Befriending circle",
        description="Befriending: a chat over a cuppa every week",
        status="active",
    )
    service_kind_set(service=group, kind=EntryKind.GROUP)
    services_refresh(community=community, service_ids=[group.pk])

    page = person_page(client_for, link_worker, member)

    assert "Befriending circle" in page
    assert "Save to the list, for Mo Member" in page
    card = page.split('id="suggestion-group-', 1)[1].split("</form>", 1)[0]
    assert f'name="person" value="{member.pk}"' in card
