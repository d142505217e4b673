"""Hardening (issue 14): input found by probing that answered 500 is refused with a clear
answer: the read-only API, huge page numbers and filters, far-off weeks, broken feeds."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ginnel.directory.models import Service
from ginnel.directory.services.importing import ImportFailed, directory_import
from ginnel.directory.tests.oruk_fixtures import build_directory, make_postcodes
from ginnel.directory.tests.test_import_problems import snapshot
from ginnel.testing.data import SHARED_DATA

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"
ORUK = SHARED_DATA / "oruk-3.0" / "examples"


@pytest.fixture
def directory(community):
    make_postcodes()
    return build_directory(community)


def api(community, path: str = "/services") -> str:
    return f"/api/oruk/{community.slug}{path}"


def assert_problem(response, status: int, parameter: str | None = None) -> dict[str, Any]:
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    if parameter is not None:
        assert parameter in [error["parameter"] for error in body["errors"]], body
    return body


# The read-only API --------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writing_to_the_read_only_api_is_405_with_allow_get(directory, member, method):
    client = Client(enforce_csrf_checks=True)  # as a browser or script meets it
    client.force_login(member.membership.user)

    response = getattr(client, method)(api(directory.community), {})

    assert_problem(response, 405)
    assert "GET" in response["Allow"]


def test_an_anonymous_post_is_405_too(directory):
    response = Client(enforce_csrf_checks=True).post(api(directory.community, "/taxonomies"))

    assert_problem(response, 405)


@pytest.mark.parametrize(
    "path", ["/services", "/service_at_locations", "/taxonomies", "/taxonomy_terms"]
)
@pytest.mark.parametrize("page", [HUGE, "１２", "1_0"])
def test_a_page_number_no_list_has_is_a_400_naming_page(directory, client_for, member, path, page):
    response = client_for(member).get(api(directory.community, path), {"page": page})

    assert_problem(response, 400, "page")


@pytest.mark.parametrize("name", ["minimum_age", "maximum_age"])
@pytest.mark.parametrize("value", ["1e308", "1e400", "nan", "inf", "１２", "1_0", "200"])
def test_an_age_no_one_has_is_a_400_naming_the_filter(directory, client_for, member, name, value):
    response = client_for(member).get(api(directory.community), {name: value})

    assert_problem(response, 400, name)


@pytest.mark.parametrize("value", ["1e308", "nan", "１２"])
def test_a_distance_no_one_walks_is_a_400_naming_proximity(directory, client_for, member, value):
    response = client_for(member).get(
        api(directory.community, "/service_at_locations"),
        {"postcode": "HX7 8AA", "proximity": value},
    )

    assert_problem(response, 400, "proximity")


def test_a_huge_page_size_is_still_capped_not_refused(directory, client_for, member):
    response = client_for(member).get(api(directory.community), {"per_page": HUGE})

    assert response.status_code == 200
    assert response.json()["size"] <= Service.objects.count()


# Pages ----------------------------------------------------------------------------------------


def test_a_huge_page_on_directory_search_is_a_page_not_a_500(directory, client_for, member):
    url = reverse("directory:search", args=[directory.community.slug])

    response = client_for(member).get(url, {"page": HUGE})

    assert response.status_code in (200, 404)


@pytest.mark.parametrize("week", ["9999-W52", "9999-W53", "0001-W01", "2026-W99", "１２３４-W01"])
def test_a_week_out_of_range_shows_this_week(directory, client_for, member, week):
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    url = reverse("directory:calendar", args=[directory.community.slug])

    response = client_for(member).get(url, {"week": week})

    assert response.status_code == 200
    assert response.context["monday"] == monday


def test_a_week_out_of_range_on_the_clash_list_shows_this_week(directory, client_for, coordinator):
    url = reverse("directory:clashes", args=[directory.community.slug])

    response = client_for(coordinator).get(url, {"week": "9999-W52"})

    assert response.status_code == 200


# Imports --------------------------------------------------------------------------------------


def test_deeply_nested_json_is_refused_naming_the_file(community, tmp_path: Path):
    feed = tmp_path / "deep.json"
    feed.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    before = snapshot(community)

    with pytest.raises(ImportFailed) as failed:
        directory_import(community=community, path=feed)

    assert any(
        str(p).startswith("deep.json") and "nested" in str(p) for p in failed.value.problems
    ), failed.value.problems
    assert snapshot(community) == before


def test_an_age_of_ten_to_the_thirty_is_refused_naming_the_field(community, tmp_path: Path):
    service = json.loads((ORUK / "service_full.json").read_text(encoding="utf-8"))
    service["minimum_age"] = 10**30
    feed = tmp_path / "ages.json"
    feed.write_text(json.dumps(service), encoding="utf-8")
    before = snapshot(community)

    with pytest.raises(ImportFailed) as failed:
        directory_import(community=community, path=feed)

    messages = [str(p) for p in failed.value.problems]
    assert any("ages.json" in m and "minimum_age" in m for m in messages), messages
    assert snapshot(community) == before


def test_a_latin1_csv_is_refused_naming_file_and_row(community, tmp_path: Path):
    folder = tmp_path / "feed"
    folder.mkdir()
    (folder / "organizations.csv").write_bytes(
        "id,name,description\n1,Café Club,Un café\n".encode("latin-1")
    )
    (folder / "services.csv").write_text(
        "id,organization_id,name,status\n1,1,Lunch,active\n", encoding="utf-8"
    )
    before = snapshot(community)

    with pytest.raises(ImportFailed) as failed:
        directory_import(community=community, path=folder)

    messages = [str(p) for p in failed.value.problems]
    assert any("organizations.csv" in m and "UTF-8" in m for m in messages), messages
    assert snapshot(community) == before
