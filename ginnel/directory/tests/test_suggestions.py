"""Directory entries as suggestions: groups, services and events beside people.

Expected titles and reasons follow from the rows each test writes: what the
person said they enjoy and would like help with, and the entries' words,
places and opening days.
"""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ginnel.communities.models import Neighbourhood
from ginnel.directory.models import (
    Event,
    Kind,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceStatus,
)
from ginnel.directory.services.derived import service_kind_set, services_refresh
from ginnel.matching.models import Dismissal
from ginnel.people.models import StrengthsProfile

pytestmark = pytest.mark.django_db

# Two points about 0.35 miles apart, in a town; the far one about 40 miles away.
HOME = (53.8008, -1.5491)
NEAR = (53.8050, -1.5440)
FAR = (53.4808, -2.2426)


@pytest.fixture
def seeker(community, member):
    hood = Neighbourhood.objects.create(
        community=community, name="Woodhouse", latitude=HOME[0], longitude=HOME[1]
    )
    member.neighbourhood = hood
    member.save(update_fields=["neighbourhood"])
    StrengthsProfile.objects.create(
        community=community,
        person=member,
        interests="A chat over a cuppa, befriending, gentle walks",
        help_wanted="Learning to use my tablet and video calls",
    )
    return member


@pytest.fixture
def org(community):
    return Organization.objects.create(community=community, name="Woodhouse Community Trust")


def entry(community, org, name, description, kind, *, at=NEAR, days="", status="active"):
    service = Service.objects.create(
        community=community, organization=org, name=name, description=description, status=status
    )
    place = Location.objects.create(
        community=community, organization=org, name=f"{name} venue", latitude=at[0], longitude=at[1]
    )
    ServiceAtLocation.objects.create(community=community, service=service, location=place)
    if days:
        Schedule.objects.create(
            community=community,
            service=service,
            freq="WEEKLY",
            byday=days,
            opens_at=time(10),
            closes_at=time(12),
        )
    service_kind_set(service=service, kind=kind)
    services_refresh(community=community, service_ids=[service.pk])
    return service


def home(client_for, person):
    response = client_for(person).get(reverse("web:community_home", args=[person.community.slug]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_members_home_suggests_groups_services_and_events_that_fit_them(
    community, seeker, org, client_for
):
    group = entry(
        community, org, "Befriending circle", "A chat and a cuppa with neighbours.", Kind.GROUP,
        days="TH",
    )  # fmt: skip
    hub = entry(
        community, org, "Tablet and video calls help", "Learn to use your tablet.", Kind.HUB
    )
    starts = timezone.now() + timedelta(days=3)
    walk = Event.objects.create(
        community=community,
        organization=org,
        title="Gentle walks in the park",
        description="Slow walks for everyone, with a cuppa after.",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        freq="WEEKLY",
        byday="TU",
    )

    page = home(client_for, seeker)

    assert group.name in page
    assert hub.name in page
    assert walk.title in page
    # A reason from the data: the places are under half a mile from the seeker's neighbourhood.
    assert "0.3 miles away" in page or "0.4 miles away" in page
    assert reverse("directory:service", args=[community.slug, group.uuid]) in page
    assert reverse("directory:event", args=[community.slug, walk.uuid]) in page


def test_entries_that_are_closed_far_away_or_unrelated_are_not_suggested(
    community, seeker, org, client_for
):
    closed = entry(
        community, org, "Befriending by phone", "A chat every week.", Kind.SERVICE,
        status=ServiceStatus.DEFUNCT,
    )  # fmt: skip
    far = entry(community, org, "Befriending club", "A chat and a cuppa.", Kind.GROUP, at=FAR)
    unrelated = entry(community, org, "Tax returns clinic", "Self assessment forms.", Kind.SERVICE)

    page = home(client_for, seeker)

    assert closed.name not in page
    assert far.name not in page
    assert unrelated.name not in page


def test_a_link_worker_sees_groups_and_services_for_a_person(
    community, seeker, org, link_worker, client_for
):
    group = entry(community, org, "Befriending circle", "A chat and a cuppa.", Kind.GROUP)

    response = client_for(link_worker).get(reverse("web:person", args=[community.slug, seeker.pk]))

    assert response.status_code == 200
    assert group.name in response.content.decode()


def test_not_for_me_hides_a_group_for_good(community, seeker, org, client_for):
    group = entry(community, org, "Befriending circle", "A chat and a cuppa.", Kind.GROUP)
    assert group.name in home(client_for, seeker)

    response = client_for(seeker).post(
        reverse("matching:dismiss", args=[community.slug]),
        {"kind": "group", "candidate": f"groups:{group.pk}", "label": group.name},
    )

    assert response.status_code in (302, 303)
    assert Dismissal.objects.filter(person=seeker, candidate=f"groups:{group.pk}").exists()
    assert group.name not in home(client_for, seeker)
