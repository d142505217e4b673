"""The demo's directory: organisations, entries, places, postcodes and events in the demo town."""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from ginnel.communities.models import Neighbourhood, Role
from ginnel.demo import generator
from ginnel.demo.generator import DemoContext, DemoResult, generate_community
from ginnel.directory import demo_data
from ginnel.directory.models import (
    Address,
    Attribute,
    CostOption,
    Event,
    Freq,
    Kind,
    Location,
    Organization,
    Postcode,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from ginnel.directory.postcodes import haversine_m, normalise

pytestmark = pytest.mark.django_db

MILES_2 = 2 * 1609.344


@pytest.fixture
def demo() -> DemoResult:
    return generate_community(people=60, seed=11, slug="dirdemo")


def test_the_demo_town_has_a_few_dozen_organisations_and_about_150_entries(
    demo: DemoResult,
) -> None:
    organisations = Organization.objects.filter(community=demo.community)
    services = Service.objects.filter(community=demo.community)
    assert 25 <= organisations.count() <= 40
    assert 120 <= services.count() <= 190
    assert all(org.services.exists() for org in organisations)


def test_every_kind_of_entry_is_there_and_its_kind_comes_from_the_kinds_taxonomy(
    demo: DemoResult,
) -> None:
    services = Service.objects.filter(community=demo.community)
    kinds = dict(services.values("kind").annotate(n=Count("id")).values_list("kind", "n"))
    assert set(kinds) == set(Kind.values)
    assert all(n >= 5 for n in kinds.values())
    # The cached kind agrees with the kinds term linked to each service.
    linked = dict(
        Attribute.objects.filter(
            community=demo.community, link_type="service", taxonomy_term__code__in=Kind.values
        ).values_list("link_id", "taxonomy_term__code")
    )
    for uuid, kind in services.values_list("uuid", "kind"):
        assert linked[uuid] == kind


def test_the_themes_asked_for_are_all_there(demo: DemoResult) -> None:
    text = " ".join(
        Service.objects.filter(community=demo.community).values_list("search_text", flat=True)
    )
    for theme in (
        "befriending",
        "lunch club",
        "walking group",
        "digital skills",
        "debt advice",
        "carers' support",
        "falls alarm",
    ):
        assert theme in text, theme


def test_the_needs_taxonomy_is_two_levels_and_every_entry_has_a_need(demo: DemoResult) -> None:
    terms = TaxonomyTerm.objects.filter(
        community=demo.community, taxonomy__name=demo_data.NEEDS_TAXONOMY
    )
    parents = terms.filter(parent__isnull=True)
    assert set(parents.values_list("name", flat=True)) == set(demo_data.NEEDS)
    assert terms.filter(parent__isnull=False).count() == sum(
        len(c) for c in demo_data.NEEDS.values()
    )
    needs_linked = set(
        Attribute.objects.filter(
            community=demo.community, link_type="service", taxonomy_term__in=terms
        ).values_list("link_id", flat=True)
    )
    assert needs_linked == set(
        Service.objects.filter(community=demo.community).values_list("uuid", flat=True)
    )


def test_many_entries_are_free_some_charge_and_some_have_age_limits(demo: DemoResult) -> None:
    services = Service.objects.filter(community=demo.community)
    free = services.filter(free=True).count()
    assert free > services.count() / 2
    assert services.filter(free=False).count() >= 10
    # Free is derived from the cost options: the charged ones have an amount.
    charged_ids = set(
        CostOption.objects.filter(service__community=demo.community, amount__gt=0).values_list(
            "service_id", flat=True
        )
    )
    assert set(services.filter(free=False).values_list("pk", flat=True)) == charged_ids
    assert services.filter(minimum_age__isnull=False).count() >= 10
    young = services.filter(maximum_age__isnull=False).first()
    assert young is not None
    assert young.minimum_age is not None
    assert young.minimum_age < young.maximum_age  # type: ignore[operator]


def test_neighbourhoods_have_centres_in_the_demo_town(demo: DemoResult) -> None:
    for community in (demo.community, demo.network):
        for place in Neighbourhood.objects.filter(community=community):
            assert place.latitude is not None
            assert place.longitude is not None
            distance = haversine_m(place.latitude, place.longitude, *demo_data.TOWN)
            assert distance < MILES_2


def test_places_are_near_the_neighbourhoods_and_their_postcodes_point_at_them(
    demo: DemoResult,
) -> None:
    centres = [
        (n.latitude, n.longitude) for n in Neighbourhood.objects.filter(community=demo.community)
    ]
    locations = Location.objects.filter(community=demo.community)
    near = 0
    for location in locations:
        assert location.latitude is not None
        assert location.longitude is not None
        nearest = min(haversine_m(location.latitude, location.longitude, *c) for c in centres)
        near += nearest < MILES_2
        address = Address.objects.get(location=location)
        code = normalise(address.postal_code)
        assert code is not None
        assert code.startswith(demo_data.AREA)
        postcode = Postcode.objects.get(postcode=code)
        assert (postcode.latitude, postcode.longitude) == (location.latitude, location.longitude)
    # Most are in town; a few are out in the villages.
    assert 0.75 * locations.count() <= near < locations.count()


def test_entries_that_meet_have_schedules_and_care_technology_need_not(demo: DemoResult) -> None:
    scheduled = set(
        Schedule.objects.filter(service__community=demo.community).values_list(
            "service_id", flat=True
        )
    )
    groups = Service.objects.filter(community=demo.community, kind=Kind.GROUP)
    assert set(groups.values_list("pk", flat=True)) <= scheduled
    schedules = Schedule.objects.filter(service__community=demo.community)
    assert schedules.filter(freq=Freq.WEEKLY).count() > 50
    assert schedules.filter(freq=Freq.MONTHLY).exists()
    for schedule in schedules:
        assert schedule.opens_at is not None
        assert schedule.closes_at is not None
        assert schedule.opens_at < schedule.closes_at


def test_events_are_one_off_and_weekly_with_themes_and_one_week_clashes(
    demo: DemoResult,
) -> None:
    events = Event.objects.filter(community=demo.community)
    assert events.filter(freq="").count() >= 15
    repeating = events.exclude(freq="")
    assert repeating.count() >= 8
    assert repeating.filter(freq=Freq.WEEKLY).exists()
    assert all(e.until is not None and e.byday for e in repeating)
    assert not events.filter(themes__isnull=True).exists()
    # Same day, overlapping times, a shared theme, different organisations.
    by_day: dict[object, list[Event]] = defaultdict(list)
    for event in events.filter(freq="").prefetch_related("themes"):
        by_day[event.starts_at.date()].append(event)
    clashing_days = 0
    for day_events in by_day.values():
        for a in day_events:
            clashes = [
                b
                for b in day_events
                if b.organization_id != a.organization_id
                and b.starts_at < a.ends_at
                and a.starts_at < b.ends_at
                and {t.pk for t in a.themes.all()} & {t.pk for t in b.themes.all()}
            ]
            if len(clashes) >= 2:
                clashing_days += 1
                break
    assert clashing_days >= 1


def test_events_agree_with_the_directory(demo: DemoResult) -> None:
    events = list(
        Event.objects.filter(community=demo.community).select_related("service", "location")
    )
    run_by_entries = [e for e in events if e.service is not None]
    assert len(run_by_entries) >= len(events) // 2
    for event in run_by_entries:
        service = event.service
        assert service is not None
        # The same organisation, and the same place as the entry (or online, with a link).
        assert service.organization_id == event.organization_id
        places = set(
            ServiceAtLocation.objects.filter(service=service).values_list("location", flat=True)
        )
        if places:
            assert event.location_id in places
        else:
            assert event.location is None
            assert event.url.startswith("https://")
    # A group's own meetings keep its days and hours.
    for event in (e for e in run_by_entries if e.freq and e.title == e.service.name):
        schedule = Schedule.objects.filter(service=event.service).order_by("id").first()
        assert schedule is not None
        local = timezone.localtime(event.starts_at)
        assert (local.time(), event.freq) == (schedule.opens_at, schedule.freq)
        assert event.byday.split(",")[0][-2:] == schedule.byday.split(",")[0][-2:]
    # Every organisation has a phone and an address of its own.
    for organisation in Organization.objects.filter(community=demo.community):
        assert organisation.phones.filter(service__isnull=True).exists()
        assert Address.objects.filter(location__organization=organisation).exists()


def test_organisation_editors_keep_organisations_and_coordinators_reviewed_entries(
    demo: DemoResult,
) -> None:
    editors = Organization.editors.through.objects.filter(organization__community=demo.community)
    assert editors.count() == Organization.objects.filter(community=demo.community).count()
    assert all(
        e.person.membership.grants.filter(role=Role.ORG_EDITOR).exists()
        for e in editors.select_related("person__membership")
    )
    services = Service.objects.filter(community=demo.community)
    assert not services.filter(last_reviewed__isnull=True).exists()
    overdue = services.filter(last_reviewed__lt=timezone.now() - timedelta(days=365)).count()
    assert 0 < overdue < services.count() / 3


def test_the_same_seed_makes_the_same_directory() -> None:
    first = generate_community(people=20, seed=5, slug="one")
    second = generate_community(people=20, seed=5, slug="two")

    def shape(result: DemoResult) -> list[tuple[object, ...]]:
        return list(
            Service.objects.filter(community=result.community)
            .order_by("name", "organization__name")
            .values_list("name", "organization__name", "free", "minimum_age", "kind")
        )

    def places(result: DemoResult) -> list[tuple[object, ...]]:
        return sorted(
            Address.objects.filter(community=result.community).values_list(
                "postal_code", "location__latitude", "location__longitude"
            )
        )

    assert shape(first) == shape(second)
    assert places(first) == places(second)


def test_the_directory_step_is_quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generator, "STEPS", ())
    bare = generate_community(people=20, seed=3, slug="quick")
    ctx = DemoContext(
        community=bare.community,
        network=bare.network,
        seed=3,
        person_ids=[],
        network_person_ids=[],
        neighbourhood_ids=[],
    )
    started = time.monotonic()
    demo_data.generate_directory(ctx)
    assert time.monotonic() - started < 5
    assert Service.objects.filter(community=bare.community).count() > 100


def test_the_demo_member_finds_entries_near_home_on_the_search_page(demo: DemoResult) -> None:
    from django.test import Client
    from django.urls import reverse

    from ginnel.people.models import User

    login = demo.login(Role.MEMBER)
    client = Client()
    client.force_login(User.objects.get(email=login.email))
    home = User.objects.get(email=login.email).memberships.get(community=demo.community)
    place = home.person.neighbourhood
    assert place is not None
    url = reverse("directory:search", args=[demo.community.slug])
    first_visit = client.get(url).content.decode()
    assert f"nearest to {place.name} first" in first_visit
    search = {"q": "befriending", "within": "2", "neighbourhood": str(place.pk)}
    html = client.get(url, search).content.decode()
    assert f"within 2 miles of {place.name}" in html
    assert place.latitude is not None
    assert place.longitude is not None
    home_point = (place.latitude, place.longitude)
    points = {
        (sal.service_id, sal.location.latitude or 0.0, sal.location.longitude or 0.0)
        for sal in ServiceAtLocation.objects.filter(
            service__community=demo.community, service__search_text__contains="befriending"
        ).select_related("location")
    }
    befriending_near = {
        sid for sid, lat, lon in points if haversine_m(*home_point, lat, lon) <= MILES_2
    }
    assert befriending_near
    assert f"{len(befriending_near)} result" in html
