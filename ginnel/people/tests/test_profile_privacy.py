"""Who sees what of a person's profile, and what withdrawing consent hides at once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ginnel.people.models import Consent, Goal, GoalStatus
from ginnel.people.services import strengths_for
from ginnel.timebank.services import categories_seed

pytestmark = pytest.mark.django_db

STEPS = {
    "skills": {"skills_own_words": "I can fix bikes"},
    "interests": {"interests": "Birdwatching"},
    "matters": {"matters": "My grandchildren"},
    "hopes": {"hopes": "A private hope about my health"},
    "help": {"help_wanted": "Help with forms"},
    "contact": {"contact_method": "email", "contact_times": ""},
    "access": {"access_needs": ["large_print"], "access_other": ""},
    "peer": {"peer_topics": "Living with diabetes", "agree": "on"},
    "sharing": {"share_skills": "on"},
}


@pytest.fixture
def rosa(community, make_member, client_for):
    categories_seed(community=community)
    rosa = make_member(community, name="Rosa")
    client = client_for(rosa)
    for step, answers in STEPS.items():
        response = client.post(
            reverse("people:strengths_step", args=[community.slug, step]), answers
        )
        assert response.status_code == 302, step
    return rosa


def about(client, community, person):
    return client.get(reverse("people:about", args=[community.slug, person.pk])).content.decode()


def test_other_members_see_only_what_the_person_shares(rosa, make_member, client_for, community):
    page = about(client_for(make_member(community)), community, rosa)

    assert "I can fix bikes" in page  # shared
    assert "Birdwatching" not in page  # not shared
    assert "A private hope" not in page  # coordinators only
    assert "Large print" not in page
    assert "diabetes" not in page  # special category


def test_a_coach_sees_the_profile_and_consented_peer_topics(
    rosa, link_worker, client_for, community
):
    page = about(client_for(link_worker), community, rosa)

    assert "A private hope about my health" in page
    assert "Large print" in page
    assert "Living with diabetes" in page


def test_withdrawing_consent_hides_peer_topics_from_coaches_at_once(
    rosa, link_worker, coordinator, client_for, community
):
    consent = Consent.objects.get(person=rosa, purpose="peer_support")
    client_for(rosa).post(
        reverse("people:consents", args=[community.slug]),
        {"form": "withdraw", "consent": consent.pk},
    )

    for coach in (link_worker, coordinator):
        assert "diabetes" not in about(client_for(coach), community, rosa)
    own = client_for(rosa).get(reverse("people:profile", args=[community.slug])).content.decode()
    assert "Living with diabetes" in own  # the person still sees their own words
    assert strengths_for(rosa).peer_topics == "Living with diabetes"
    coach_form = client_for(link_worker).get(
        reverse("people:person_strengths_step", args=[community.slug, rosa.pk, "peer"])
    )
    assert "Living with diabetes" not in coach_form.content.decode()


def test_a_link_worker_goes_through_the_questions_with_a_person(
    community, make_member, link_worker, client_for
):
    edna = make_member(community, name="Edna")
    client = client_for(link_worker)
    url = reverse("people:person_strengths_step", args=[community.slug, edna.pk, "hopes"])

    response = client.post(url, {"hopes": "To get to the lunch club on Fridays"})

    assert response.status_code == 302
    assert strengths_for(edna).hopes == "To get to the lunch club on Fridays"
    other = client_for(make_member(community)).post(url, {"hopes": "Meddling"})
    assert other.status_code == 404
    assert strengths_for(edna).hopes == "To get to the lunch club on Fridays"


def test_a_coach_in_another_community_cannot_open_the_person(
    rosa, other_community, make_member, client_for, community
):
    from ginnel.communities.models import Role

    elsewhere = client_for(make_member(other_community, roles=[Role.LINK_WORKER]))

    here = elsewhere.get(reverse("people:about", args=[community.slug, rosa.pk]))
    there = elsewhere.get(reverse("people:about", args=[other_community.slug, rosa.pk]))

    assert (here.status_code, there.status_code) == (403, 404)


def test_a_second_round_shows_then_and_now_side_by_side(rosa, client_for, community):
    client = client_for(rosa)
    Goal.objects.create(
        community=community, person=rosa, title="Walk to the park", status=GoalStatus.REACHED
    )
    client.post(reverse("people:strengths_again", args=[community.slug]))
    music = community.categories.get(name="Music")
    answers = {
        **STEPS,
        "skills": {"skills": [music.pk], "skills_own_words": "I can fix bikes"},
        "hopes": {"hopes": "To join a choir"},
    }
    for step, values in answers.items():
        client.post(reverse("people:strengths_step", args=[community.slug, step]), values)

    response = client.get(reverse("people:then_and_now", args=[community.slug]))

    compare = response.context["compare"]
    assert compare.then.answers["hopes"] == "A private hope about my health"
    assert compare.now["hopes"] == "To join a choir"
    assert compare.new_skills == ["Music"]
    assert compare.goals_reached_since == 1
