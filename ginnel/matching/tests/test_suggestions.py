"""Suggestions on the pages, read from a real database: each source, consent, blocks, "not for me".

Every expected name, title and reason below follows from the rows each test
writes: who offers or asks for what, in which category, where, and who chose
to connect about which concern.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ginnel.communities.models import Role
from ginnel.communities.permissions import access_for
from ginnel.matching.models import Block, Dismissal, Introduction
from ginnel.people import services as people_services
from ginnel.people.models import Consent, ConsentPurpose, StrengthsProfile
from ginnel.timebank.models import Listing, ListingStatus, Safeguarding
from ginnel.timebank.services import categories_seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def cats(community):
    return {c.name: c for c in categories_seed(community=community)}


@pytest.fixture
def listing(community):
    def make(owner, kind, title, categories, *, description="", availability="", **where):
        found = Listing.objects.create(
            community=community,
            owner=owner,
            kind=kind,
            title=title,
            description=description,
            availability=availability,
            **(where or {"in_public": True}),
        )
        found.categories.set(categories)
        return found

    return make


def peer_of(person, topics, *, consent=True):
    StrengthsProfile.objects.create(community=person.community, person=person, peer_topics=topics)
    if consent:
        Consent.objects.create(
            community=person.community, person=person, purpose=ConsentPurpose.PEER_SUPPORT
        )


def home(client_for, person):
    response = client_for(person).get(reverse("web:community_home", args=[person.community.slug]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def garden(community, member, make_member, cats, listing):
    """Mo asks for garden help; Hana offers it, in the same neighbourhood, Thursday afternoons."""
    request = listing(
        member,
        "request",
        "Help with my overgrown garden",
        [cats["Gardening"]],
        availability="Thursday afternoons",
    )
    hana = make_member(community, name="Hana Helper")
    offer = listing(
        hana,
        "offer",
        "Weeding and lawn mowing",
        [cats["Gardening"]],
        availability="Thursday afternoons, weekends",
    )
    return request, hana, offer


def test_a_members_home_shows_suggestions_from_each_source_present(
    community, member, make_member, cats, listing, garden, client_for
):
    _, _hana, offer = garden
    # Someone Mo could help: Rob asks for computer help, and Mo offers it.
    listing(member, "offer", "Sorting out laptops", [cats["IT help"]])
    rob = make_member(community, name="Rob Requester")
    listing(rob, "request", "Setting up my new tablet", [cats["IT help"]])
    # Someone who is good at gardening, with no offer listed.
    sam = make_member(community, name="Sam Skilful")
    StrengthsProfile.objects.create(community=community, person=sam).skills.set([cats["Gardening"]])
    # A peer: both chose to connect about the same concern.
    pat = make_member(community, name="Pat Peer")
    peer_of(member, "Living with diabetes")
    peer_of(pat, "Living with diabetes")

    page = home(client_for, member)

    assert "Suggested for you" in page
    assert "People who could help you" in page
    assert offer.title in page
    assert "Hana Helper" in page
    assert "Sam Skilful" in page
    assert "People you could help" in page
    assert "Setting up my new tablet" in page
    assert "People who share a concern with you" in page
    assert "Pat Peer" in page
    # The reasons are the data's: the shared category, neighbourhood, time and concern.
    assert "Can help with gardening" in page
    assert "<li>Would like help with IT</li>" in page
    assert "In your neighbourhood" in page
    assert "Also living with diabetes (you both chose to connect about this)" in page
    # One tap from acting: the offer's page, at its proposal form.
    assert reverse("timebank:listing", args=[community.slug, offer.pk]) + "#propose" in page


def test_a_member_with_nothing_to_match_on_is_told_how_to_get_suggestions(member, client_for):
    page = home(client_for, member)

    assert "Nothing to suggest yet" in page


def test_not_for_me_removes_a_suggestion_and_it_stays_removed(
    community, member, garden, client_for
):
    _, _hana, offer = garden
    client = client_for(member)
    url = reverse("web:community_home", args=[community.slug])
    assert offer.title in client.get(url).content.decode()

    response = client.post(
        reverse("matching:dismiss", args=[community.slug]),
        {"kind": "helper", "candidate": f"offers:{offer.pk}", "label": offer.title, "next": url},
    )

    assert response.status_code == 302
    assert response["Location"] == url
    after = client.get(url).content.decode()
    assert "We will not suggest Weeding and lawn mowing to you again" in after
    assert offer.title not in after.split("Suggested for you")[1]
    assert offer.title not in client.get(url).content.decode()
    hidden = client.get(reverse("matching:hidden", args=[community.slug])).content.decode()
    assert offer.title in hidden
    dismissal = Dismissal.objects.get(person=member)
    assert (dismissal.kind, dismissal.candidate) == ("helper", f"offers:{offer.pk}")


def test_a_hidden_suggestion_can_be_shown_again(community, member, garden, client_for):
    _, _hana, offer = garden
    dismissal = Dismissal.objects.create(
        community=community,
        person=member,
        kind="helper",
        candidate=f"offers:{offer.pk}",
        label=offer.title,
    )
    client = client_for(member)

    response = client.post(reverse("matching:restore", args=[community.slug, dismissal.pk]))

    assert response.status_code == 302
    assert not Dismissal.objects.exists()
    assert offer.title in home(client_for, member)


def test_not_for_me_with_htmx_answers_with_an_undo_in_place(community, member, garden, client_for):
    _, _, offer = garden

    response = client_for(member).post(
        reverse("matching:dismiss", args=[community.slug]),
        {"kind": "helper", "candidate": f"offers:{offer.pk}", "label": offer.title},
        HTTP_HX_REQUEST="true",
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert "We will not suggest Weeding and lawn mowing to you again" in page
    dismissal = Dismissal.objects.get(person=member)
    assert reverse("matching:restore", args=[community.slug, dismissal.pk]) in page


def test_one_person_cannot_undo_anothers_not_for_me(
    community, member, make_member, garden, client_for
):
    _, _, offer = garden
    dismissal = Dismissal.objects.create(
        community=community, person=member, kind="helper", candidate=f"offers:{offer.pk}"
    )
    someone = make_member(community, name="Someone Else")

    client_for(someone).post(reverse("matching:restore", args=[community.slug, dismissal.pk]))

    assert Dismissal.objects.filter(pk=dismissal.pk).exists()


@pytest.mark.parametrize("direction", ["member blocked them", "they blocked the member"])
def test_blocked_people_are_never_suggested(
    direction, community, member, link_worker, garden, client_for
):
    _, hana, offer = garden
    a, b = (member, hana) if direction == "member blocked them" else (hana, member)
    Block.objects.create(community=community, person=a, blocked=b)

    page = home(client_for, member)
    coach_page = client_for(link_worker).get(
        reverse("web:person", args=[community.slug, member.pk])
    )

    assert "Hana Helper" not in page
    assert offer.title not in page
    assert "Hana Helper" not in coach_page.content.decode()


def test_a_closed_offer_is_not_suggested_from_the_moment_it_closes(
    community, member, garden, client_for
):
    _, _, offer = garden
    assert offer.title in home(client_for, member)  # the matcher is built and cached

    Listing.objects.filter(pk=offer.pk).update(status=ListingStatus.CLOSED)

    assert offer.title not in home(client_for, member)


def test_a_new_offer_is_suggested_on_the_next_page(
    community, member, make_member, cats, listing, garden, client_for
):
    home(client_for, member)  # built and cached before the new offer
    gita = make_member(community, name="Gita Gardener")

    listing(gita, "offer", "Hedge trimming", [cats["Gardening"]])

    assert "Hedge trimming" in home(client_for, member)


def test_an_unvetted_giver_is_not_suggested_for_a_home_visit_to_someone_needing_support(
    community, member, make_member, cats, listing, client_for
):
    Safeguarding.objects.create(community=community, person=member, needs_support=True)
    listing(member, "request", "Help putting up shelves", [cats["DIY and repairs"]])
    unvetted = make_member(community, name="Uma Unvetted")
    listing(unvetted, "offer", "Shelves and curtain rails", [cats["DIY and repairs"]])
    vetted = make_member(community, name="Vic Vetted")
    Safeguarding.objects.create(
        community=community, person=vetted, vetted_on=timezone.localdate() - timedelta(days=30)
    )
    listing(vetted, "offer", "Small jobs around the house", [cats["DIY and repairs"]])

    page = home(client_for, member)

    assert "Vic Vetted" in page
    assert "Uma Unvetted" not in page


# -- "Who could help" on a request ---------------------------------------------------------------


def test_the_owner_of_a_request_sees_who_could_help(community, member, garden, client_for):
    request, _, offer = garden

    page = (
        client_for(member)
        .get(reverse("timebank:listing", args=[community.slug, request.pk]))
        .content.decode()
    )

    assert "Who could help" in page
    assert offer.title in page
    assert "Hana Helper" in page
    assert "Can help with gardening" in page


def test_a_coordinator_sees_who_could_help_with_a_members_request(
    community, member, coordinator, garden, client_for
):
    request, _, offer = garden

    page = (
        client_for(coordinator)
        .get(reverse("timebank:listing", args=[community.slug, request.pk]))
        .content.decode()
    )

    assert "Who could help" in page
    assert offer.title in page


def test_another_member_does_not_see_who_could_help_with_someone_elses_request(
    community, member, make_member, garden, client_for
):
    request, _, offer = garden
    other = make_member(community, name="Nosy Neighbour")

    page = (
        client_for(other)
        .get(reverse("timebank:listing", args=[community.slug, request.pk]))
        .content.decode()
    )

    assert "Who could help" not in page
    assert offer.title not in page


# -- a link worker's suggested connections ----------------------------------------------------


@pytest.fixture
def peers(community, member, make_member):
    """Mo and Ada chose to connect about diabetes; Una wrote the same topic but gave no consent."""
    ada = make_member(community, name="Ada Agreed")
    una = make_member(community, name="Una Unconsented")
    peer_of(member, "Living with diabetes")
    peer_of(ada, "living with diabetes")
    peer_of(una, "Living with diabetes", consent=False)
    return ada, una


def coach_page(client_for, coach, person):
    url = reverse("web:person", args=[person.community.slug, person.pk])
    response = client_for(coach).get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_link_worker_sees_a_consented_peer_and_never_an_unconsented_one(
    member, link_worker, peers, client_for
):
    page = coach_page(client_for, link_worker, member)

    assert "Suggested connections" in page
    assert "Ada Agreed" in page
    assert "Una Unconsented" not in page
    assert "Also living with diabetes (you both chose to connect about this)" in page
    assert "Ask a coordinator to introduce Mo Member to Ada Agreed" in page


def test_a_peer_who_withdraws_consent_is_no_longer_suggested(
    member, link_worker, peers, client_for
):
    ada, _ = peers
    assert "Ada Agreed" in coach_page(client_for, link_worker, member)

    consent = Consent.objects.get(person=ada)
    people_services.consent_withdraw(
        access=access_for(ada.membership.user, ada.community), consent=consent
    )

    assert "Ada Agreed" not in coach_page(client_for, link_worker, member)


def test_no_peers_are_suggested_once_the_person_themselves_withdraws_consent(
    member, link_worker, peers, client_for
):
    Consent.objects.filter(person=member).update(withdrawn_at=timezone.now())

    assert "Ada Agreed" not in coach_page(client_for, link_worker, member)


def test_a_link_worker_sees_timebank_members_who_could_help(
    community, member, link_worker, garden, client_for
):
    page = coach_page(client_for, link_worker, member)

    assert "Timebank members who could help" in page
    assert "Hana Helper" in page


def test_an_introduction_is_recorded_and_sent_to_the_coordinators(
    community,
    member,
    link_worker,
    coordinator,
    peers,
    client_for,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    ada, _ = peers
    url = reverse("web:person", args=[community.slug, member.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(link_worker).post(
            reverse("matching:introduce", args=[community.slug]),
            {"person": member.pk, "kind": "peer", "candidate": f"peers:{ada.pk}", "next": url},
        )

    assert response.status_code == 302
    assert response["Location"] == url
    introduction = Introduction.objects.get()
    assert (introduction.person, introduction.other) == (member, ada)
    assert introduction.requested_by == link_worker.membership
    # By the coordinator's notification: names only; why they were suggested is on the page.
    assert len(mailoutbox) == 1
    assert coordinator.contact_email in mailoutbox[0].to[0]
    assert "Mo Member to be introduced to Ada Agreed" in mailoutbox[0].subject
    assert "Also living with diabetes" not in mailoutbox[0].body


def test_an_introduction_to_someone_who_is_not_a_suggestion_is_refused(
    community, member, link_worker, peers, client_for
):
    _, una = peers

    client_for(link_worker).post(
        reverse("matching:introduce", args=[community.slug]),
        {"person": member.pk, "kind": "peer", "candidate": f"peers:{una.pk}"},
    )

    assert not Introduction.objects.exists()


# -- who may open and post --------------------------------------------------------------------


def test_a_plain_member_cannot_see_suggested_connections_for_another_person(
    community, member, make_member, peers, client_for
):
    other = make_member(community, name="Plain Member")

    response = client_for(other).get(reverse("web:person", args=[community.slug, member.pk]))

    assert response.status_code == 403


def test_a_plain_member_cannot_ask_for_an_introduction_for_someone_else(
    community, member, make_member, peers, client_for
):
    ada, _ = peers
    other = make_member(community, name="Plain Member")

    client_for(other).post(
        reverse("matching:introduce", args=[community.slug]),
        {"person": member.pk, "kind": "peer", "candidate": f"peers:{ada.pk}"},
    )

    assert not Introduction.objects.exists()


def test_a_link_worker_of_another_community_is_refused(
    community, other_community, member, make_member, peers, client_for
):
    stranger = make_member(other_community, roles=[Role.LINK_WORKER], name="Far Away")
    ada, _ = peers

    page = client_for(stranger).get(reverse("web:person", args=[community.slug, member.pk]))
    posted = client_for(stranger).post(
        reverse("matching:introduce", args=[community.slug]),
        {"person": member.pk, "kind": "peer", "candidate": f"peers:{ada.pk}"},
    )

    assert page.status_code == 403
    assert posted.status_code == 403
    assert not Introduction.objects.exists()


@pytest.mark.parametrize(
    ("name", "method"),
    [("dismiss", "post"), ("hidden", "get"), ("introduce", "post")],
)
def test_an_outsider_is_refused_every_matching_page(
    name, method, community, outsider, garden, client_for
):
    _, _, offer = garden

    response = getattr(client_for(outsider), method)(
        reverse(f"matching:{name}", args=[community.slug]),
        {"kind": "helper", "candidate": f"offers:{offer.pk}"},
    )

    assert response.status_code == 403
    assert not Dismissal.objects.exists()
    assert not Introduction.objects.exists()


def test_an_outsider_cannot_show_again_a_members_hidden_suggestion(
    community, member, outsider, garden, client_for
):
    _, _, offer = garden
    dismissal = Dismissal.objects.create(
        community=community, person=member, kind="helper", candidate=f"offers:{offer.pk}"
    )

    response = client_for(outsider).post(
        reverse("matching:restore", args=[community.slug, dismissal.pk])
    )

    assert response.status_code == 403
    assert Dismissal.objects.filter(pk=dismissal.pk).exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client, community):
    response = client.get(reverse("matching:hidden", args=[community.slug]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_not_for_me_refuses_a_made_up_candidate(community, member, client_for):
    client_for(member).post(
        reverse("matching:dismiss", args=[community.slug]),
        {"kind": "helper", "candidate": "nonsense:1"},
    )

    assert not Dismissal.objects.exists()


def test_the_reasons_shown_are_those_of_the_data(
    community, member, make_member, cats, listing, client_for
):
    # Different neighbourhoods and no words in common: what they share is the category
    # and Thursday afternoons; Hana has never exchanged, so she is looking for a first one.
    request = listing(
        member,
        "request",
        "Could someone lend a hand?",
        [cats["Gardening"]],
        availability="Thursday afternoons",
    )
    hana = make_member(
        community, name="Hana Helper", neighbourhood=community.neighbourhoods.get(name="Mytholm")
    )
    listing(
        hana,
        "offer",
        "Tidy-ups outdoors",
        [cats["Gardening"]],
        availability="Thursday afternoons, weekends",
    )

    page = (
        client_for(member)
        .get(reverse("timebank:listing", args=[community.slug, request.pk]))
        .content.decode()
    )

    card = page.split("Tidy-ups outdoors", 1)[1].split("</ul>", 1)[0]
    reasons = [part.split("</li>")[0] for part in card.split("<li>")[1:]]
    assert reasons == [
        "Can help with gardening",
        "Free on Thursday afternoons",
        "Looking to make a first connection",
    ]
