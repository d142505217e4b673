"""The ORUK API's parameters: each narrows as the test directory says, paging adds up,
bad values are 400 problems that name the parameter."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ginnel.communities.models import MembershipStatus
from ginnel.directory import schemas
from ginnel.directory.models import Service, TaxonomyTerm
from ginnel.directory.tests.oruk_fixtures import Directory, build_directory, make_postcodes

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(community) -> Directory:
    make_postcodes()
    return build_directory(community)


@pytest.fixture
def get(directory, member, client_for):
    client = client_for(member)

    def get(path: str, **params: Any) -> tuple[int, dict[str, Any]]:
        response = client.get(f"/api/oruk/{directory.community.slug}{path}", params)
        body = response.json()
        if response.status_code == 200:
            problems = schemas.validate_response(path, body)
            assert problems == [], [str(p) for p in problems]
        else:
            assert response["Content-Type"] == "application/problem+json"
        return response.status_code, body

    return get


def names(get, path: str = "/services", **params: Any) -> list[str]:
    status, body = get(path, **params)
    assert status == 200, body
    if path == "/services":
        return [s["name"] for s in body["contents"]]
    return [f"{s['service']['name']} @ {s['location']['name']}" for s in body["contents"]]


def test_search_needs_every_word(get):
    assert names(get, search="lonely tea") == ["Befriending Circle"]
    assert names(get, search="lonely debts") == []


def test_a_term_includes_its_descendants(get, directory):
    assert names(get, taxonomy_term_id=str(directory.wellbeing.uuid)) == [
        "Befriending Circle",
        "Walking Group",
    ]
    assert names(get, taxonomy_term_id=str(directory.money.uuid)) == ["Debt Advice Clinic"]


def test_a_taxonomy(get, directory):
    assert names(get, taxonomy_id=str(directory.themes.uuid)) == ["Walking Group"]


def test_ages(get):
    # Befriending 18+, debt 16+, youth 11-18 (the test directory).
    assert names(get, minimum_age=16) == ["Befriending Circle", "Debt Advice Clinic"]
    assert names(get, maximum_age=18) == ["Youth Club"]


def test_day_and_times(get):
    assert names(get, day="Thursday") == ["Befriending Circle"]
    assert names(get, day="MO") == ["Debt Advice Clinic"]
    # ORUK: opening at start_time or later, closing at end_time or earlier.
    assert names(get, start_time="09:00", end_time="12:00") == ["Befriending Circle"]
    assert names(get, start_time="17:00") == ["Youth Club"]
    assert names(get, day="WE", end_time="20:00") == []


def test_modified_after(get, directory):
    since = timezone.now() - timedelta(days=10)
    expected = sorted(s.name for s in directory.active if s.last_modified >= since)
    assert names(get, modified_after=since.isoformat()) == expected
    assert names(get, modified_after=since.date().isoformat()) == expected


def test_service_at_locations_filters_and_proximity(get, directory):
    assert names(get, "/service_at_locations", search="befriending") == [
        f"Befriending Circle @ {directory.hebden.name}",
        f"Befriending Circle @ {directory.todmorden.name}",
    ]
    # 3 km from HX7 8AA (Hebden Bridge): Hebden and Mytholmroyd (2.5 km), not Todmorden.
    assert names(get, "/service_at_locations", postcode="HX7 8AA", proximity="3000") == [
        f"Befriending Circle @ {directory.hebden.name}",
        f"Youth Club @ {directory.mytholmroyd.name}",
    ]
    # A postcode alone sorts by distance: Halifax's clinic first from HX1 5AA.
    first = names(get, "/service_at_locations", postcode="hx15aa")[0]
    assert first == f"Debt Advice Clinic @ {directory.halifax.name}"


def test_paging_arithmetic(get, directory):
    total = len(directory.active)
    everything = sorted(s.name for s in directory.active)
    seen = []
    for number in (1, 2, 3):
        status, body = get("/services", per_page=2, page=number)
        assert status == 200
        assert body["total_items"] == total
        assert body["total_pages"] == 3
        assert body["page_number"] == number
        assert body["size"] == len(body["contents"])
        assert body["first_page"] is (number == 1)
        assert body["last_page"] is (number == 3)
        assert body["empty"] is False
        seen += [s["name"] for s in body["contents"]]
    assert seen == everything

    status, body = get("/services", per_page=2, page=4)
    assert (status, body["contents"], body["size"], body["last_page"]) == (200, [], 0, True)
    status, body = get("/services", search="no such words anywhere")
    assert (body["total_items"], body["total_pages"], body["empty"]) == (0, 0, True)


def test_per_page_is_capped_at_200(get, directory):
    Service.objects.bulk_create(
        Service(community=directory.community, organization=directory.org, name=f"Extra {i:03}")
        for i in range(205)
    )
    status, body = get("/services", per_page=1000)

    assert status == 200
    assert body["size"] == 200
    assert body["total_items"] == len(directory.active) + 205
    assert body["total_pages"] == 2


def test_taxonomy_lists_page_too(get, directory):
    terms = TaxonomyTerm.objects.filter(community=directory.community).order_by("name", "id")
    status, body = get("/taxonomy_terms", per_page=1, page=2)
    assert status == 200
    assert body["total_items"] == terms.count()
    assert [t["name"] for t in body["contents"]] == [terms[1].name]
    status, body = get("/taxonomy_terms", taxonomy_id=str(directory.needs.uuid))
    assert sorted(t["name"] for t in body["contents"]) == ["Loneliness", "Money", "Wellbeing"]


@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        ("/services", {"page": "0"}, "page"),
        ("/services", {"page": "two"}, "page"),
        ("/services", {"per_page": "-5"}, "per_page"),
        ("/services", {"taxonomy_term_id": "loneliness"}, "taxonomy_term_id"),
        ("/services", {"taxonomy_id": "123"}, "taxonomy_id"),
        ("/services", {"minimum_age": "-1"}, "minimum_age"),
        ("/services", {"maximum_age": "old"}, "maximum_age"),
        ("/services", {"day": "Someday"}, "day"),
        ("/services", {"start_time": "25:00"}, "start_time"),
        ("/services", {"end_time": "teatime"}, "end_time"),
        ("/services", {"start_time": "12:00", "end_time": "11:00"}, "end_time"),
        ("/services", {"modified_after": "last week"}, "modified_after"),
        ("/service_at_locations", {"proximity": "1000"}, "proximity"),
        ("/service_at_locations", {"postcode": "HX7 8AA", "proximity": "far"}, "proximity"),
        ("/service_at_locations", {"postcode": "HX7 8AA", "proximity": "0"}, "proximity"),
        ("/service_at_locations", {"postcode": "not a postcode"}, "postcode"),
        ("/service_at_locations", {"postcode": "ZZ99 9ZZ"}, "postcode"),
        ("/taxonomies", {"page": "-1"}, "page"),
        ("/taxonomy_terms", {"taxonomy_id": "x"}, "taxonomy_id"),
    ],
)
def test_a_bad_parameter_is_a_400_problem_naming_it(get, path, params, parameter):
    status, body = get(path, **params)

    assert status == 400
    assert body["status"] == 400
    assert body["title"] == "Bad Request"
    assert body["parameter"] == parameter
    assert body["detail"]


def test_every_bad_parameter_is_named_at_once(get):
    status, body = get("/services", page="x", minimum_age="y")

    assert status == 400
    assert [e["parameter"] for e in body["errors"]] == ["minimum_age", "page"]


def test_a_member_who_has_left_is_refused(directory, member, client_for):
    member.membership.status = MembershipStatus.LEFT
    member.membership.save(update_fields=["status"])

    response = client_for(member).get(f"/api/oruk/{directory.community.slug}/services")

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


def test_an_unknown_community_is_a_404_problem(client_for, member):
    response = client_for(member).get("/api/oruk/nowhere/services")

    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_writing_is_refused(directory, member, client_for):
    response = client_for(member).post(f"/api/oruk/{directory.community.slug}/services")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/services", {"search": "group"}),
        ("/services", {"day": "TH", "taxonomy_term_id": "wellbeing"}),
        ("/service_at_locations", {"postcode": "HX7 8AA", "proximity": "20000"}),
        ("/taxonomy_terms", {}),
    ],
)
def test_a_list_costs_the_same_queries_for_few_or_many_rows(
    directory, member, client_for, path, params
):
    if params.get("taxonomy_term_id"):
        params["taxonomy_term_id"] = str(directory.wellbeing.uuid)
    client = client_for(member)
    url = f"/api/oruk/{directory.community.slug}{path}"
    client.get(url, params)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, params).status_code == 200
    build_more(directory)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, params)
        assert response.status_code == 200
    assert response.json()["size"] > 0
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_full_service_costs_the_same_queries_however_much_it_holds(directory, member, client_for):
    from ginnel.directory.models import Contact, Phone, ServiceAtLocation

    client = client_for(member)
    url = f"/api/oruk/{directory.community.slug}/services/{directory.befriending.uuid}"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for location in (directory.halifax, directory.mytholmroyd):
        ServiceAtLocation.objects.create(
            community=directory.community, service=directory.befriending, location=location
        )
    contact = Contact.objects.create(
        community=directory.community, service=directory.befriending, name="Second contact"
    )
    Phone.objects.create(community=directory.community, contact=contact, number="01422 000009")
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def build_more(directory: Directory) -> None:
    from datetime import time

    from ginnel.directory.models import Attribute, Schedule, ServiceAtLocation

    c = directory.community
    for i in range(8):
        service = Service.objects.create(
            community=c,
            organization=directory.org,
            name=f"Another group {i}",
            search_text=f"another group {i}",
        )
        ServiceAtLocation.objects.create(community=c, service=service, location=directory.hebden)
        Schedule.objects.create(community=c, service=service, byday="TH", opens_at=time(9))
        Attribute.objects.create(
            community=c,
            taxonomy_term=directory.loneliness,
            link_type="service",
            link_id=service.uuid,
        )
        TaxonomyTerm.objects.create(
            community=c, taxonomy=directory.needs, name=f"Need {i}", parent=directory.wellbeing
        )
