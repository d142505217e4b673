"""The API's answers for imported feeds validate: the ORUK 3.0 examples and the ILAO directory."""

from __future__ import annotations

import csv
import json
from typing import Any

import pytest

from ginnel.directory import oruk, schemas
from ginnel.directory.models import DirectorySettings, Service
from ginnel.directory.services.importing import directory_import
from ginnel.testing.data import SHARED_DATA

pytestmark = pytest.mark.django_db

DATA = SHARED_DATA
EXAMPLES = DATA / "oruk-3.0" / "examples"
ILAO = DATA / "ilao-hsds-1.1"


@pytest.fixture
def get(community, client):
    DirectorySettings.objects.create(community=community, publish_api=True)

    def get(path: str, schema_path: str | None = None, **params: Any) -> dict[str, Any]:
        response = client.get(f"/api/oruk/{community.slug}{path}", params)
        assert response.status_code == 200, response.content
        body = response.json()
        problems = schemas.validate_response(schema_path or path, body)
        assert problems == [], [str(p) for p in problems[:5]]
        return body

    return get


def test_the_full_service_example_comes_back_as_it_went_in(community, get):
    source = json.loads((EXAMPLES / "service_full.json").read_text())
    directory_import(community=community, path=EXAMPLES / "service_full.json")

    body = get(f"/services/{source['id']}", "/services/{id}")

    for key in ("id", "name", "description", "url", "email", "status", "fees", "alert"):
        assert body[key] == source[key].strip(), key  # the import trims surrounding spaces
    assert (body["minimum_age"], body["maximum_age"]) == (
        source["minimum_age"],
        source["maximum_age"],
    )
    schedule, expected = body["schedules"][0], source["schedules"][0]
    for key in ("id", "byday", "opens_at", "closes_at", "freq", "valid_from", "description"):
        assert schedule[key] == expected[key], key
    sal, expected_sal = body["service_at_locations"][0], source["service_at_locations"][0]
    assert sal["id"] == expected_sal["id"]
    assert sal["location"]["id"] == expected_sal["location"]["id"]
    assert (
        sal["location"]["addresses"][0]["postal_code"]
        == expected_sal["location"]["addresses"][0]["postal_code"]
    )
    assert body["organization"]["id"] == source["organization"]["id"]
    assert body["cost_options"][0]["amount"] == source["cost_options"][0]["amount"]
    assert body["contacts"][0]["name"] == source["contacts"][0]["name"]
    assert (
        body["attributes"][0]["taxonomy_term"]["id"]
        == (source["attributes"][0]["taxonomy_term"]["id"])
    )

    listed = get("/services")
    assert [s["id"] for s in listed["contents"]] == [source["id"]]
    at = get(f"/service_at_locations/{expected_sal['id']}", "/service_at_locations/{id}")
    assert at["service"]["id"] == source["id"]
    get("/service_at_locations")
    term_id = source["attributes"][0]["taxonomy_term"]["id"]
    assert (
        get("/taxonomy_terms/" + term_id, "/taxonomy_terms/{id}")["name"]
        == (source["attributes"][0]["taxonomy_term"]["name"])
    )
    for entry in get("/taxonomies")["contents"]:
        get(f"/taxonomies/{entry['id']}", "/taxonomies/{id}")
    assert get("/services", taxonomy_term_id=term_id)["total_items"] == 1


def test_the_csv_example_validates(community, get):
    directory_import(community=community, path=EXAMPLES / "csv")
    with (EXAMPLES / "csv" / "services.csv").open(newline="", encoding="utf-8") as handle:
        ids = [row["id"] for row in csv.DictReader(handle)]

    listed = get("/services")
    assert sorted(s["id"] for s in listed["contents"]) == sorted(ids)
    for service_id in ids:
        get(f"/services/{service_id}", "/services/{id}")


def test_every_ilao_service_validates(community, get):
    with (ILAO / "services.csv").open(newline="", encoding="utf-8") as handle:
        names = sorted(row["name"] for row in csv.DictReader(handle))
    directory_import(community=community, path=ILAO)

    seen: list[str] = []
    page = 1
    while True:
        body = get("/services", per_page=200, page=page)
        seen += [s["name"] for s in body["contents"]]
        if body["last_page"]:
            break
        page += 1
    assert body["total_items"] == len(names)
    assert sorted(seen) == names
    get("/service_at_locations", per_page=200)

    bodies = oruk.services_full(Service.objects.filter(community=community).order_by("id"))
    assert len(bodies) == len(names)
    for body in bodies:
        assert schemas.validate("compiled/service.json", body) == [], body["id"]
