"""The weekly openings day search reads: kept in step with the schedules by services_refresh."""

from __future__ import annotations

import importlib
from datetime import time

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ginnel.directory.models import Schedule, ServiceOpening
from ginnel.directory.selectors.search import SearchQuery, services_search
from ginnel.directory.services.derived import services_refresh, weekdays
from ginnel.directory.tests.oruk_fixtures import HEBDEN, Directory, build_directory

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(community) -> Directory:
    return build_directory(community)


def search(directory: Directory, **filters: object) -> list[str]:
    page = services_search(community=directory.community, query=SearchQuery(**filters))
    return [s.name for s in page.items]


def openings(directory: Directory) -> set[tuple[object, ...]]:
    return set(
        ServiceOpening.objects.filter(community=directory.community).values_list(
            "service_id", "weekday", "opens_at", "closes_at", "valid_from", "valid_to"
        )
    )


def test_weekdays_are_read_as_day_search_always_read_byday():
    assert weekdays("MO,TH") == [0, 3]
    assert weekdays("2sa") == [5]
    assert weekdays("-1FR") == [4]
    assert weekdays("") == [None]
    assert weekdays("daily") == [None]


def test_every_path_from_a_schedule_to_a_service_gives_an_opening(directory):
    found = openings(directory)
    b, walks, youth = directory.befriending.pk, directory.walks.pk, directory.youth.pk
    # On the service (Thursday 10-12), on Todmorden's location (second Saturdays 14-16:
    # befriending and the walking group are there), on the youth club's service at a location.
    assert (b, 3, time(10), time(12), None, None) in found
    assert (b, 5, time(14), time(16), None, None) in found
    assert (walks, 5, time(14), time(16), None, None) in found
    assert (youth, 2, time(18), time(20, 30), None, None) in found


def test_a_new_schedule_on_a_location_opens_every_service_there_once_refreshed(directory):
    assert search(directory, day="FR") == []
    schedule = Schedule.objects.create(
        community=directory.community,
        location=directory.todmorden,
        byday="FR",
        opens_at=time(9),
        closes_at=time(10),
    )
    services_refresh(community=directory.community)
    assert search(directory, day="FR") == ["Befriending Circle", "Walking Group"]
    assert search(directory, day="FR", start_time=time(10), end_time=time(11)) == []

    schedule.byday = "MO"
    schedule.save()
    services_refresh(
        community=directory.community,
        service_ids=[directory.befriending.pk, directory.walks.pk],
    )
    assert search(directory, day="FR") == []
    assert search(directory, day="MO") == [
        "Befriending Circle",
        "Debt Advice Clinic",
        "Walking Group",
    ]

    schedule.delete()
    services_refresh(community=directory.community)
    assert search(directory, day="MO") == ["Debt Advice Clinic"]


def test_a_deleted_service_takes_its_openings_with_it(directory):
    pk = directory.befriending.pk
    assert ServiceOpening.objects.filter(service_id=pk).exists()
    directory.befriending.delete()
    assert not ServiceOpening.objects.filter(service_id=pk).exists()


def test_a_refresh_with_nothing_changed_writes_nothing(directory):
    before = openings(directory)
    with CaptureQueriesContext(connection) as queries:
        services_refresh(community=directory.community)
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert openings(directory) == before


def test_the_migration_fills_the_openings_of_services_already_there(directory):
    made = openings(directory)
    assert made
    ServiceOpening.objects.all().delete()
    migration = importlib.import_module("ginnel.directory.migrations.0006_service_openings")
    migration.backfill(apps, None)
    assert openings(directory) == made


def test_near_a_place_the_other_filters_are_checked_on_the_services_there(directory):
    nearby = {"near": HEBDEN, "within_metres": 7_000}  # not Halifax (10 km)
    loneliness = (directory.loneliness.uuid,)
    assert search(directory, **nearby, day="TH", taxonomy_terms=loneliness) == [
        "Befriending Circle"
    ]
    assert search(directory, **nearby, day="SA") == ["Befriending Circle", "Walking Group"]
    # The debt clinic is open on Mondays, but in Halifax.
    assert search(directory, **nearby, day="MO") == []
    assert search(directory, day="MO") == ["Debt Advice Clinic"]
    assert search(directory, **nearby, day="TH", taxonomy=directory.needs.uuid) == [
        "Befriending Circle"
    ]
