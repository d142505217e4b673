"""The directory search: each filter narrows to what the test directory says it should."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ginnel.directory import search_index
from ginnel.directory.models import Kind, Schedule, Service, ServiceAtLocation
from ginnel.directory.postcodes import haversine_m
from ginnel.directory.selectors.search import (
    SearchQuery,
    parse_day,
    service_at_locations_search,
    services_search,
)
from ginnel.directory.tests.oruk_fixtures import (
    HALIFAX,
    HEBDEN,
    Directory,
    build_directory,
)
from ginnel.errors import GinnelError

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(community) -> Directory:
    return build_directory(community)


def names(page) -> list[str]:
    return [s.name for s in page.items]


def search(directory, **filters) -> list[str]:
    return names(services_search(community=directory.community, query=SearchQuery(**filters)))


def test_without_filters_every_active_service_is_found_by_name(directory):
    page = services_search(community=directory.community, query=SearchQuery())

    assert names(page) == sorted(s.name for s in directory.active)
    assert page.total == len(directory.active)
    assert directory.closed.name not in names(page)


def test_a_service_of_another_community_is_never_found(directory, other_community):
    assert services_search(community=other_community, query=SearchQuery()).total == 0


def test_text_search_needs_every_word_in_any_case(directory):
    assert search(directory, text="LONELY tea") == ["Befriending Circle"]
    assert search(directory, text="lonely debts") == []
    # The organisation's name and the term names are searched too.
    assert search(directory, text="halifax advice") == ["Debt Advice Clinic", "Telecare Alarms"]
    assert search(directory, text="loneliness") == ["Befriending Circle"]


def test_a_term_finds_services_linked_to_it_or_to_its_descendants(directory):
    assert search(directory, taxonomy_terms=(directory.loneliness.uuid,)) == ["Befriending Circle"]
    assert search(directory, taxonomy_terms=(directory.wellbeing.uuid,)) == [
        "Befriending Circle",
        "Walking Group",
    ]
    assert search(directory, taxonomy_terms=(directory.money.uuid, directory.loneliness.uuid)) == [
        "Befriending Circle",
        "Debt Advice Clinic",
    ]


def test_a_taxonomy_finds_services_with_any_of_its_terms(directory):
    assert search(directory, taxonomy=directory.themes.uuid) == ["Walking Group"]
    assert search(directory, taxonomy=directory.needs.uuid) == [
        "Befriending Circle",
        "Debt Advice Clinic",
        "Walking Group",
    ]


def test_kinds_and_free_narrow(directory):
    assert search(directory, kinds=(Kind.GROUP,)) == ["Befriending Circle", "Walking Group"]
    assert search(directory, kinds=(Kind.CARE_TECH, Kind.GROUP)) == [
        "Befriending Circle",
        "Telecare Alarms",
        "Walking Group",
    ]
    assert search(directory, free_only=True) == ["Befriending Circle", "Walking Group"]


def test_a_persons_age_must_be_within_the_service_ages(directory):
    # Befriending 18+, debt 16+, youth 11-18, walks and telecare any age.
    assert search(directory, age=12) == ["Telecare Alarms", "Walking Group", "Youth Club"]
    assert search(directory, age=17) == [
        "Debt Advice Clinic",
        "Telecare Alarms",
        "Walking Group",
        "Youth Club",
    ]
    assert search(directory, age=40) == [
        "Befriending Circle",
        "Debt Advice Clinic",
        "Telecare Alarms",
        "Walking Group",
    ]


def test_oruk_minimum_and_maximum_age(directory):
    assert search(directory, minimum_age=16) == ["Befriending Circle", "Debt Advice Clinic"]
    assert search(directory, maximum_age=18) == ["Youth Club"]
    assert search(directory, minimum_age=11, maximum_age=18) == ["Youth Club"]


def test_modified_after(directory):
    since = timezone.now() - timedelta(days=10)
    assert search(directory, modified_after=since) == sorted(
        s.name for s in directory.active if s.last_modified >= since
    )


def test_a_day_finds_schedules_on_the_service_its_location_or_the_service_at_location(directory):
    assert search(directory, day="Thursday") == ["Befriending Circle"]
    assert search(directory, day=0) == ["Debt Advice Clinic"]
    # The monthly "2SA" schedule is on Todmorden's location: both services there are open.
    assert search(directory, day="SA") == ["Befriending Circle", "Walking Group"]
    assert search(directory, day="we") == ["Youth Club"]
    # The walking group's Tuesday schedule ended in 2001.
    assert search(directory, day="Tuesday") == []


def test_times_overlap_the_opening_hours(directory):
    assert search(directory, day="TH", start_time=time(11), end_time=time(13)) == [
        "Befriending Circle"
    ]
    assert search(directory, day="TH", start_time=time(12), end_time=time(13)) == []
    assert search(directory, start_time=time(19)) == ["Youth Club"]
    assert search(directory, end_time=time(9, 30)) == ["Debt Advice Clinic"]


def test_oruk_times_must_contain_the_opening_hours(directory):
    assert search(directory, start_time=time(9), end_time=time(13), times_within=True) == [
        "Befriending Circle"
    ]
    # Todmorden's location is open 14:00-16:00 on second Saturdays: the walking group's place.
    assert search(directory, start_time=time(8), end_time=time(18), times_within=True) == [
        "Befriending Circle",
        "Debt Advice Clinic",
        "Walking Group",
    ]


def test_open_at_a_moment(directory):
    thursday = _next_weekday(3)
    at = timezone.make_aware(datetime.combine(thursday, time(10, 30)))
    assert search(directory, open_at=at) == ["Befriending Circle"]
    assert search(directory, open_at=at.replace(hour=12)) == []


def test_a_date_must_be_within_the_schedule_validity(directory):
    tuesday_2000 = date(2000, 1, 4)
    assert search(directory, on_date=tuesday_2000) == ["Walking Group"]
    # The debt clinic's Monday schedule starts in 2000.
    assert search(directory, on_date=date(1999, 1, 4)) == []
    assert search(directory, on_date=date(2000, 1, 3)) == ["Debt Advice Clinic"]


def test_near_and_within_sorts_by_distance_and_keeps_only_those_inside(directory):
    within = 7_000  # Hebden, Mytholmroyd (2.5 km) and Todmorden (6.5 km), not Halifax (10 km)
    page = services_search(
        community=directory.community, query=SearchQuery(near=HEBDEN, within_metres=within)
    )

    assert names(page) == ["Befriending Circle", "Youth Club", "Walking Group"]
    assert page.hits[0].distance_m == pytest.approx(0, abs=1)
    youth = directory.mytholmroyd
    assert page.hits[1].distance_m == pytest.approx(
        haversine_m(*HEBDEN, youth.latitude, youth.longitude)
    )
    assert all(hit.distance_m is not None and hit.distance_m <= within for hit in page.hits)


def test_near_without_a_limit_puts_services_without_a_place_last(directory):
    page = services_search(community=directory.community, query=SearchQuery(near=HALIFAX))

    assert names(page)[0] == "Debt Advice Clinic"
    assert page.hits[0].distance_m == pytest.approx(0, abs=1)
    assert names(page)[-1] == "Telecare Alarms"
    assert page.hits[-1].distance_m is None
    distances = [h.distance_m or 0.0 for h in page.hits[:-1]]
    assert distances == sorted(distances)


def test_service_at_locations_search_has_one_result_a_place(directory):
    page = service_at_locations_search(community=directory.community, query=SearchQuery())

    assert [(r.service.name, r.location.name) for r in page.items] == [
        ("Befriending Circle", directory.hebden.name),
        ("Befriending Circle", directory.todmorden.name),
        ("Debt Advice Clinic", directory.halifax.name),
        ("Walking Group", directory.todmorden.name),
        ("Youth Club", directory.mytholmroyd.name),
    ]


def test_service_at_locations_near_a_point(directory):
    query = SearchQuery(near=HEBDEN, within_metres=7_000, text="befriending")
    page = service_at_locations_search(community=directory.community, query=query)

    assert [r.location.name for r in page.items] == [
        directory.hebden.name,
        directory.todmorden.name,
    ]
    todmorden = directory.todmorden
    assert page.hits[1].distance_m == pytest.approx(
        haversine_m(*HEBDEN, todmorden.latitude, todmorden.longitude)
    )


def test_a_schedule_on_a_service_at_a_location_counts_only_there(directory):
    # The youth club's Wednesday schedule is on its one service-at-location; the
    # Saturday one is on Todmorden's location: befriending at Todmorden, not at Hebden.
    page = service_at_locations_search(
        community=directory.community, query=SearchQuery(day="Saturday")
    )
    assert [(r.service.name, r.location.name) for r in page.items] == [
        ("Befriending Circle", directory.todmorden.name),
        ("Walking Group", directory.todmorden.name),
    ]


def test_paging(directory):
    first = services_search(community=directory.community, query=SearchQuery(per_page=2))
    third = services_search(community=directory.community, query=SearchQuery(per_page=2, page=3))
    beyond = services_search(community=directory.community, query=SearchQuery(per_page=2, page=9))
    everything = sorted(s.name for s in directory.active)

    assert (first.total, first.total_pages, first.is_first, first.is_last) == (5, 3, True, False)
    assert names(first) == everything[:2]
    assert names(third) == everything[4:]
    assert third.is_last
    assert beyond.items == []
    assert beyond.total == 5


def test_per_page_is_capped():
    assert SearchQuery(per_page=10_000).per_page == 200


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"day": "Someday"}, "day"),
        ({"page": 0}, "page"),
        ({"per_page": 0}, "per_page"),
        ({"within_metres": 100}, "near"),
        ({"near": HEBDEN, "within_metres": -1}, "within_metres"),
        ({"kinds": ("castle",)}, "kinds"),
        ({"start_time": time(12), "end_time": time(11)}, "end_time"),
        ({"age": -1}, "age"),
    ],
)
def test_bad_queries_name_the_field(filters, field):
    with pytest.raises(GinnelError) as error:
        SearchQuery(**filters)
    assert error.value.field == field


def test_day_names():
    assert [parse_day(d) for d in ("MO", "tue", "Wednesday", "3", 4, "sa", "SUNDAY")] == list(
        range(7)
    )


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"text": "group", "free_only": True},
        {"taxonomy_terms": "wellbeing", "day": "TH", "start_time": time(9)},
        {"near": HEBDEN, "within_metres": 5000},
        {"near": HEBDEN},
    ],
)
@pytest.mark.parametrize("search_for", [services_search, service_at_locations_search])
def test_the_number_of_queries_does_not_grow_with_the_results(
    directory, filters, search_for, django_assert_num_queries
):
    if filters.get("taxonomy_terms"):
        filters["taxonomy_terms"] = (directory.wellbeing.uuid,)
    query = SearchQuery(**filters)
    search_for(community=directory.community, query=query)  # once-per-connection checks
    with CaptureQueriesContext(connection) as few:
        search_for(community=directory.community, query=query)
    for i in range(12):
        service = Service.objects.create(
            community=directory.community, organization=directory.org, name=f"Extra {i}"
        )
        ServiceAtLocation.objects.create(
            community=directory.community, service=service, location=directory.hebden
        )
        Schedule.objects.create(
            community=directory.community, service=service, byday="TH", opens_at=time(9)
        )
    with django_assert_num_queries(len(few.captured_queries)):
        search_for(community=directory.community, query=query)


def _next_weekday(weekday: int) -> date:
    today = timezone.localdate()
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def test_the_text_index_follows_every_change_of_the_search_text(directory):
    if connection.vendor == "sqlite":
        assert search_index.fts_ready(connection)
    service = directory.youth
    service.search_text = "drumming and guitar lessons"
    service.save(update_fields=["search_text"])
    assert search(directory, text="guitar") == ["Youth Club"]
    assert search(directory, text="games") == []

    directory.debt.delete()
    assert search(directory, text="debts") == []


def test_words_shorter_than_three_letters_still_count(directory):
    assert search(directory, text="tea a") == ["Befriending Circle"]
    assert search(directory, text="tea zq") == []


def test_the_text_index_is_made_again_when_a_migration_loses_it(directory):
    if connection.vendor != "sqlite":
        pytest.skip("Only SQLite drops a table's triggers when a migration rebuilds it.")
    search_index.drop(connection)
    search_index.ensure(connection)

    assert search(directory, text="lonely tea") == ["Befriending Circle"]
