"""The ORUK API over real HTTP: what it answers, that the answers validate, and who may read."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from django.test import Client

from ginnel.directory import schemas
from ginnel.directory.models import DirectorySettings, Service, ServiceStatus
from ginnel.directory.postcodes import haversine_m
from ginnel.directory.tests.oruk_fixtures import (
    HEBDEN,
    Directory,
    build_directory,
    make_postcodes,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def directory(community) -> Directory:
    make_postcodes()
    return build_directory(community)


def session_cookie(person) -> str:
    client = Client()
    client.force_login(person.membership.user)
    return f"sessionid={client.cookies['sessionid'].value}"


def fetch(live_server, community, path: str, *, cookie: str | None = None):
    """GET the API over HTTP: (status, headers, decoded JSON body)."""
    url = f"{live_server.url}/api/oruk/{community.slug}{path}"
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (local test server)
            return response.status, response.headers, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read())


def valid(path: str, body: Any) -> Any:
    problems = schemas.validate_response(path, body)
    assert problems == [], [str(p) for p in problems]
    return body


def test_the_index_names_the_version_profile_and_openapi_document(live_server, directory, member):
    cookie = session_cookie(member)
    status, _, body = fetch(live_server, directory.community, "/", cookie=cookie)

    assert status == 200
    valid("/", body)
    assert body["version"] == "3.0"
    assert body["profile"] == schemas.PROFILE_URL
    request = urllib.request.Request(body["openapi_url"], headers={"Cookie": cookie})  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        assert (
            json.loads(response.read())["paths"].keys()
            == schemas.load("openapi.json")["paths"].keys()
        )


def test_services_lists_only_active_services_by_name(live_server, directory, member):
    status, headers, body = fetch(
        live_server, directory.community, "/services", cookie=session_cookie(member)
    )

    assert status == 200
    assert headers["Content-Type"] == "application/json"
    valid("/services", body)
    assert [s["name"] for s in body["contents"]] == sorted(s.name for s in directory.active)
    assert body["total_items"] == len(directory.active)
    assert (body["page_number"], body["total_pages"], body["size"]) == (1, 1, len(directory.active))
    assert (body["first_page"], body["last_page"], body["empty"]) == (True, True, False)
    debt = next(s for s in body["contents"] if s["id"] == str(directory.debt.uuid))
    assert debt["organization"]["name"] == directory.other_org.name


def test_a_full_service_by_its_id(live_server, directory, member):
    status, _, body = fetch(
        live_server,
        directory.community,
        f"/services/{directory.befriending.uuid}",
        cookie=session_cookie(member),
    )

    assert status == 200
    valid("/services/{id}", body)
    assert body["name"] == directory.befriending.name
    assert {sal["id"] for sal in body["service_at_locations"]} == {
        str(directory.befriending_hebden.uuid),
        str(directory.befriending_todmorden.uuid),
    }


def test_an_inactive_or_unknown_service_is_a_404_problem(live_server, directory, member):
    cookie = session_cookie(member)
    for path in (f"/services/{directory.closed.uuid}", "/services/not-an-id"):
        status, headers, body = fetch(live_server, directory.community, path, cookie=cookie)
        assert status == 404
        assert headers["Content-Type"] == "application/problem+json"
        assert (body["status"], body["title"]) == (404, "Not Found")
        assert body["type"] == "about:blank"


def test_service_at_locations_near_a_postcode(live_server, directory, member):
    status, _, body = fetch(
        live_server,
        directory.community,
        "/service_at_locations?postcode=hx7+8aa&proximity=7000",
        cookie=session_cookie(member),
    )

    assert status == 200
    valid("/service_at_locations", body)
    # HX7 8AA is at Hebden Bridge's centre (make_postcodes): Halifax, 10 km off, is left out.
    expected = []
    for sal in (
        directory.befriending_hebden,
        directory.befriending_todmorden,
        directory.walks_todmorden,
        directory.youth_mytholmroyd,
    ):
        metres = haversine_m(*HEBDEN, sal.location.latitude, sal.location.longitude)
        expected.append((round(metres, 1), sal.service.name, str(sal.uuid)))
    expected.sort()
    assert [(c["distance"], c["service"]["name"], c["id"]) for c in body["contents"]] == expected


def test_a_full_service_at_a_location(live_server, directory, member):
    status, _, body = fetch(
        live_server,
        directory.community,
        f"/service_at_locations/{directory.youth_mytholmroyd.uuid}",
        cookie=session_cookie(member),
    )

    assert status == 200
    valid("/service_at_locations/{id}", body)
    assert schemas.validate("compiled/service_at_location.json", body) == []
    assert body["location"]["name"] == directory.mytholmroyd.name
    assert body["schedules"][0]["byday"] == "WE"


def test_taxonomies_and_terms(live_server, directory, member):
    cookie = session_cookie(member)
    c = directory.community

    status, _, body = fetch(live_server, c, "/taxonomies", cookie=cookie)
    assert status == 200
    valid("/taxonomies", body)
    assert {t["name"] for t in body["contents"]} >= {"Needs", "Themes"}

    status, _, body = fetch(live_server, c, f"/taxonomies/{directory.needs.uuid}", cookie=cookie)
    assert status == 200
    valid("/taxonomies/{id}", body)
    assert sorted(t["name"] for t in body["taxonomy_terms"]) == [
        "Loneliness",
        "Money",
        "Wellbeing",
    ]

    status, _, body = fetch(live_server, c, "/taxonomy_terms", cookie=cookie)
    assert status == 200
    valid("/taxonomy_terms", body)
    assert "Loneliness" in {t["name"] for t in body["contents"]}

    path = f"/taxonomy_terms/{directory.loneliness.uuid}"
    status, _, body = fetch(live_server, c, path, cookie=cookie)
    assert status == 200
    valid("/taxonomy_terms/{id}", body)
    assert body["parent_id"] == str(directory.wellbeing.uuid)


# Who may read ---------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_refused_a_members_only_directory(live_server, directory):
    status, headers, body = fetch(live_server, directory.community, "/services")

    assert status == 401
    assert headers["Content-Type"] == "application/problem+json"
    assert body["status"] == 401
    assert "log in" in body["detail"]


def test_someone_from_another_community_is_refused(live_server, directory, outsider):
    status, headers, body = fetch(
        live_server, directory.community, "/services", cookie=session_cookie(outsider)
    )

    assert status == 403
    assert headers["Content-Type"] == "application/problem+json"
    assert body["status"] == 403


def test_a_published_directory_is_open_to_anyone(live_server, directory):
    DirectorySettings.objects.create(community=directory.community, publish_api=True)

    status, headers, body = fetch(live_server, directory.community, "/services")

    assert status == 200
    valid("/services", body)
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert (
        body["total_items"]
        == Service.objects.filter(
            community=directory.community, status=ServiceStatus.ACTIVE
        ).count()
    )


def test_publishing_one_community_does_not_open_another(
    live_server, directory, other_community, member
):
    DirectorySettings.objects.create(community=other_community, publish_api=True)

    status, _, _ = fetch(live_server, directory.community, "/services")
    assert status == 401
    status, _, body = fetch(live_server, other_community, "/services")
    assert status == 200
    assert body["total_items"] == 0  # none of this community's services leak into it
