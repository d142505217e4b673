"""The guided strengths conversation: leave halfway, come back, finish; consent guards topics."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ginnel.people.models import Consent, StrengthsProfile
from ginnel.timebank.services import categories_seed

pytestmark = pytest.mark.django_db

ANSWERS: dict[str, dict[str, object]] = {
    "interests": {"interests": "Birdwatching and baking"},
    "matters": {"matters": "My grandchildren"},
    "hopes": {"hopes": "To feel less lonely and learn to use a tablet"},
    "help": {"help_wanted": "Setting up video calls"},
    "contact": {"contact_method": "phone", "contact_times": "Mornings"},
    "access": {"access_needs": ["large_print", "step_free"], "access_other": ""},
    "peer": {"peer_topics": ""},
    "sharing": {"share_skills": "on", "share_neighbourhood": "on"},
}


def step_url(community, step):
    return reverse("people:strengths_step", args=[community.slug, step])


def test_a_member_leaves_halfway_comes_back_and_finishes(member, client_for, community):
    gardening = categories_seed(community=community)[1]
    client = client_for(member)
    start = client.get(reverse("people:strengths", args=[community.slug]))
    assert start["Location"] == step_url(community, "skills")

    client.post(
        step_url(community, "skills"),
        {"skills": [gardening.pk], "skills_own_words": "I can fix bikes"},
    )
    client.post(
        step_url(community, "interests"), {"interests": "Birdwatching and baking", "later": "1"}
    )

    # Coming back starts at the first question not yet answered.
    resumed = client.get(reverse("people:strengths", args=[community.slug]))
    assert resumed["Location"] == step_url(community, "matters")
    # Going back shows what was saved.
    back = client.get(step_url(community, "interests")).content.decode()
    assert "Birdwatching and baking" in back

    for step in ["matters", "hopes", "help", "contact", "access", "peer", "sharing"]:
        response = client.post(step_url(community, step), ANSWERS[step])
        assert response.status_code == 302, step

    profile = StrengthsProfile.objects.get(person=member)
    member.refresh_from_db()
    assert profile.completed_at is not None
    assert list(profile.skills.all()) == [gardening]
    assert profile.skills_own_words == "I can fix bikes"
    assert profile.access_needs == ["large_print", "step_free"]
    assert (member.contact_method, member.contact_times) == ("phone", "Mornings")
    assert (profile.share_skills, profile.share_interests) == (True, False)
    summary = client.get(reverse("people:profile", args=[community.slug])).content.decode()
    assert "To feel less lonely and learn to use a tablet" in summary


def test_an_empty_hope_is_asked_for_again(member, client_for, community):
    response = client_for(member).post(step_url(community, "hopes"), {"hopes": ""})

    assert response.status_code == 400
    assert "Write a hope, even a small one" in response.content.decode()
    assert not StrengthsProfile.objects.filter(person=member, hopes__gt="").exists()


def test_over_long_text_is_refused_and_kept(member, client_for, community):
    long = "I hope " + "very much " * 300

    response = client_for(member).post(step_url(community, "hopes"), {"hopes": long})

    page = response.content.decode()
    assert response.status_code == 400
    assert "at most 2000 characters" in page
    assert "very much very much" in page


def test_peer_topics_need_consent_and_withdrawing_it_hides_them_at_once(
    member, client_for, community
):
    client = client_for(member)
    refused = client.post(step_url(community, "peer"), {"peer_topics": "Living with diabetes"})
    assert refused.status_code == 400
    assert not Consent.objects.exists()

    client.post(step_url(community, "peer"), {"peer_topics": "Living with diabetes", "agree": "on"})
    profile_url = reverse("people:profile", args=[community.slug])
    assert "Living with diabetes" in client.get(profile_url).content.decode()

    consent = Consent.objects.get(person=member, purpose="peer_support")
    client.post(
        reverse("people:consents", args=[community.slug]),
        {"form": "withdraw", "consent": consent.pk},
    )

    # Hidden from everyone but the person, who still sees their own words.
    own = client.get(profile_url).content.decode()
    assert "Living with diabetes" in own
    assert "Only you can see this: you withdrew your consent" in own


def test_no_one_else_opens_a_members_conversation(member, make_member, client_for, community):
    client_for(member).post(step_url(community, "hopes"), {"hopes": "A private hope"})
    other = client_for(make_member(community))

    page = other.get(reverse("people:profile", args=[community.slug])).content.decode()

    assert "A private hope" not in page


def test_the_home_page_invites_the_conversation_until_it_is_done(member, client_for, community):
    client = client_for(member)
    home = reverse("web:community_home", args=[community.slug])
    assert "Tell us about yourself" in client.get(home).content.decode()

    from ginnel.people.services import strengths_for

    profile = strengths_for(member)
    profile.completed_at = profile.started_at
    profile.save()

    page = client.get(home).content.decode()
    assert "Tell us about yourself" not in page
    assert "See or change your answers" in page
