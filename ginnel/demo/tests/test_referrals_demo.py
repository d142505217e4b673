"""The demo's referrals: every state, about sixty, answers paired, the same for the same seed."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.db.models import Count, Max, Min
from django.utils import timezone

from ginnel.communities.models import Community, Role, RoleGrant
from ginnel.demo.generator import DemoResult, delete_demo, generate_community
from ginnel.referrals.models import (
    Administration,
    CloseOutcome,
    Connection,
    EventKind,
    FollowUp,
    Occasion,
    Referral,
    ReferralEvent,
    ReferralState,
    ReferringOrganisation,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """One demo of 100 people for the whole module (it is only read)."""
    with django_db_blocker.unblock():
        result = generate_community(people=100, seed=11, slug="refdemo")
        yield result
        delete_demo(slug="refdemo")


def referrals(demo: DemoResult):
    return Referral.objects.filter(community=demo.community)


def test_the_demo_has_about_sixty_referrals_in_every_state(built: DemoResult) -> None:
    found = Counter(referrals(built).values_list("state", flat=True))
    assert 55 <= sum(found.values()) <= 65
    assert set(found) == set(ReferralState.values)


def test_closed_referrals_have_several_outcomes_could_not_contact_among_them(
    built: DemoResult,
) -> None:
    outcomes = set(
        referrals(built).filter(state=ReferralState.CLOSED).values_list("outcome", flat=True)
    )
    assert CloseOutcome.COULD_NOT_CONTACT in outcomes
    assert len(outcomes) >= 4


def test_closed_after_a_conversation_means_answers_at_the_start_and_at_the_end(
    built: DemoResult,
) -> None:
    talked = referrals(built).filter(
        state=ReferralState.CLOSED, first_conversation_at__isnull=False
    )
    assert talked.exists()
    for referral in talked:
        given = Counter(
            Administration.objects.filter(referral=referral).values_list(
                "questionnaire__code", "occasion"
            )
        )
        assert given == {
            ("ons4", Occasion.START): 1,
            ("ons4", Occasion.CLOSE): 1,
            ("ucla3", Occasion.START): 1,
            ("ucla3", Occasion.CLOSE): 1,
        }


def test_engaged_referrals_have_follow_ups_overdue_due_today_and_to_come(
    built: DemoResult,
) -> None:
    today = timezone.localdate()
    engaged = referrals(built).filter(state=ReferralState.ENGAGED)
    assert engaged.filter(next_follow_up_on__lt=today).exists()
    assert engaged.filter(next_follow_up_on=today).exists()
    assert engaged.filter(next_follow_up_on__gt=today).exists()
    assert FollowUp.objects.filter(referral__in=engaged).count() >= engaged.count()


def test_connections_went_and_did_not_go(built: DemoResult) -> None:
    outcomes = set(
        Connection.objects.filter(community=built.community).values_list("outcome", flat=True)
    )
    assert {"went", "did_not_go"} <= outcomes


def test_two_practices_with_codes_and_a_housing_team_refer_through_two_link_workers(
    built: DemoResult,
) -> None:
    orgs = ReferringOrganisation.objects.filter(community=built.community)
    kinds = Counter(orgs.values_list("kind", flat=True))
    assert kinds == {"gp_practice": 2, "housing": 1}
    assert all(o.ods_code for o in orgs.filter(kind="gp_practice"))
    assert all(o.referrers.count() >= 2 for o in orgs)
    workers = set(referrals(built).exclude(link_worker=None).values_list("link_worker", flat=True))
    assert len(workers) == 2
    printed = built.login(Role.LINK_WORKER).email
    assert referrals(built).filter(link_worker__user__email=printed).exists()
    assert (
        RoleGrant.objects.filter(
            community=built.community, role=Role.LINK_WORKER, membership__in=workers
        ).count()
        == 2
    )


def test_the_log_spreads_over_about_six_months_and_agrees_with_each_referral(
    built: DemoResult,
) -> None:
    span = ReferralEvent.objects.filter(community=built.community).aggregate(
        first=Min("at"), last=Max("at")
    )
    now = timezone.now()
    assert now - timedelta(days=200) <= span["first"] <= now - timedelta(days=80)
    assert span["last"] <= now
    for referral in referrals(built):
        moves = ReferralEvent.objects.filter(referral=referral).exclude(state_to="")
        last = moves.order_by("at", "id").last()
        assert last is not None
        assert last.state_to == referral.state
    received = ReferralEvent.objects.filter(
        community=built.community, kind=EventKind.RECEIVED
    ).count()
    assert received == referrals(built).count()


def test_each_person_is_referred_once(built: DemoResult) -> None:
    repeated = referrals(built).values("person").annotate(n=Count("id")).filter(n__gt=1).count()
    assert repeated == 0


def test_the_same_seed_makes_the_same_referrals(built: DemoResult) -> None:
    again = generate_community(people=100, seed=11, slug="refagain")
    try:
        first = list(
            referrals(built).order_by("pk").values_list("person__display_name", "state", "outcome")
        )
        second = list(
            referrals(again).order_by("pk").values_list("person__display_name", "state", "outcome")
        )
        assert first == second
    finally:
        delete_demo(slug="refagain")
    assert not Community.objects.filter(slug="refagain").exists()


def test_the_printed_coordinator_and_link_worker_find_the_referrals_on_their_pages(
    built: DemoResult,
) -> None:
    from django.test import Client
    from django.urls import reverse

    from ginnel.people.models import User

    slug = built.community.slug
    coordinator = Client()
    coordinator.force_login(User.objects.get(email=built.login(Role.COORDINATOR).email))
    page = coordinator.get(reverse("referrals:allocate", args=[slug]))
    assert page.status_code == 200
    waiting = referrals(built).filter(state=ReferralState.RECEIVED).count()
    assert f"{waiting} new referrals waiting" in page.content.decode()

    worker = Client()
    worker.force_login(User.objects.get(email=built.login(Role.LINK_WORKER).email))
    page = worker.get(reverse("referrals:caseload", args=[slug]), {"section": "open"})
    assert page.status_code == 200
    mine = referrals(built).filter(
        link_worker__user__email=built.login(Role.LINK_WORKER).email,
        state__in=("accepted", "contacted", "engaged"),
    )
    assert f'All open <span class="count">({mine.count()})</span>' in page.content.decode()


def test_the_printed_gp_referrer_logs_in_and_sees_their_practices_referrals(
    built: DemoResult, client
) -> None:
    from django.urls import reverse

    from ginnel.demo.referrals_data import referrer_login

    found = referrer_login(community=built.community, seed=11)
    assert found is not None
    email, password, name = found
    assert "Millbeck Medical Practice" in name
    assert client.login(username=email, password=password)
    page = client.get(reverse("referrals:referrer_home", args=[built.community.slug]))
    assert page.status_code == 200
    practice = ReferringOrganisation.objects.get(
        community=built.community, name="Millbeck Medical Practice"
    )
    sent = referrals(built).filter(organisation=practice).select_related("person").first()
    assert sent is not None
    assert sent.person.display_name in page.content.decode()
