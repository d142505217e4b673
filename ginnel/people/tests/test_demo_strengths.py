"""The demo's people have strengths in their own words, goals at different stages, consents."""

from __future__ import annotations

import pytest

from ginnel.demo.generator import delete_demo, generate_community
from ginnel.people.models import Consent, Goal, StrengthsProfile
from ginnel.people.services import has_consent

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        result = generate_community(people=200, seed=5, slug="sdemo")
        yield result
        delete_demo(slug="sdemo")


def test_most_demo_members_have_told_us_about_themselves_in_varied_words(demo):
    profiles = StrengthsProfile.objects.filter(community=demo.community)

    assert profiles.count() > 0.5 * demo.community.people.count()
    assert profiles.filter(completed_at__isnull=True).exists()  # some left halfway
    assert len(set(profiles.values_list("hopes", flat=True))) >= 5


def test_demo_goals_are_at_different_stages_with_steps(demo):
    goals = Goal.objects.filter(community=demo.community)

    assert {"active", "reached"} <= set(goals.values_list("status", flat=True))
    assert all(goal.steps.exists() for goal in goals)
    assert all(goal.events.filter(action="created").exists() for goal in goals)


def test_demo_peer_topics_exist_only_with_consent(demo):
    with_topics = StrengthsProfile.objects.filter(community=demo.community).exclude(peer_topics="")

    assert with_topics.exists()
    assert all(has_consent(p.person, "peer_support") for p in with_topics)
    assert Consent.objects.filter(community=demo.community, purpose="research").exists()
