"""The ORUK serialisers write objects the compiled schemas accept, in a fixed number of queries."""

from __future__ import annotations

import pytest

from ginnel.directory import oruk, schemas
from ginnel.directory.models import Service, ServiceAtLocation, Taxonomy
from ginnel.directory.tests.oruk_fixtures import Directory, build_directory

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(community) -> Directory:
    return build_directory(community)


def test_a_full_service_validates_and_carries_its_rows(directory):
    body = oruk.service_full(directory.befriending)

    assert schemas.validate("compiled/service.json", body) == []
    assert body["id"] == str(directory.befriending.uuid)
    assert body["name"] == "Befriending Circle"
    assert body["fees"] == "Free"
    assert body["minimum_age"] == 18
    assert body["organization"]["id"] == str(directory.org.uuid)
    assert {sal["location"]["name"] for sal in body["service_at_locations"]} == {
        directory.hebden.name,
        directory.todmorden.name,
    }
    assert body["schedules"][0]["byday"] == "TH"
    assert body["schedules"][0]["opens_at"] == "10:00:00"
    assert body["contacts"][0]["phones"][0]["number"] == "07700 900001"
    assert body["cost_options"][0]["amount"] == 0
    terms = {a["taxonomy_term"]["name"] for a in body["attributes"]}
    assert terms == {"Loneliness", "Community group"}
    hebden = next(
        sal
        for sal in body["service_at_locations"]
        if sal["location_id"] == str(directory.hebden.uuid)
    )
    assert hebden["location"]["addresses"][0]["postal_code"] == "HX7 6AE"
    assert hebden["location"]["latitude"] == directory.hebden.latitude


def test_empty_optional_fields_are_left_out(directory):
    body = oruk.service_full(directory.youth)

    assert "email" not in body
    assert "url" not in body
    assert "cost_options" not in body


def test_a_location_attribute_is_nested_with_the_location(directory):
    body = oruk.service_full(directory.walks)

    location = body["service_at_locations"][0]["location"]
    assert [a["taxonomy_term"]["name"] for a in location["attributes"]] == ["Outdoors"]
    assert location["schedules"][0]["byday"] == "2SA"


def test_services_full_costs_the_same_queries_for_one_service_or_many(
    directory, django_assert_max_num_queries
):
    services = list(Service.objects.filter(community=directory.community))
    with django_assert_max_num_queries(20) as one:
        oruk.services_full(services[:1])
    with django_assert_max_num_queries(len(one.captured_queries)):
        bodies = oruk.services_full(services)

    assert [b["id"] for b in bodies] == [str(s.uuid) for s in services]
    for body in bodies:
        assert schemas.validate("compiled/service.json", body) == []


def test_list_items_validate(directory):
    service = Service.objects.select_related("organization__parent_organization").get(
        pk=directory.debt.pk
    )
    item = oruk.service_list_item(service)
    assert schemas.validate("compiled/service_list.json", item) == []
    assert item["organization"]["parent_organization_id"] == str(directory.org.uuid)

    sal = ServiceAtLocation.objects.select_related(
        "location", "service__organization__parent_organization"
    ).get(pk=directory.debt_halifax.pk)
    item = oruk.service_at_location_list_item(sal, distance=1234.56)
    assert schemas.validate("compiled/service_at_location_list.json", item) == []
    assert item["distance"] == 1234.6


def test_a_full_service_at_a_location_validates_against_both_schemas(directory):
    body = oruk.service_at_location_full(directory.befriending_hebden)

    assert schemas.validate("compiled/service_at_location.json", body) == []
    assert schemas.validate_response("/service_at_locations/{id}", body) == []
    assert body["location"]["id"] == str(directory.hebden.uuid)
    assert body["service"]["id"] == str(directory.befriending.uuid)


def test_taxonomies_and_terms_validate(directory):
    needs = Taxonomy.objects.get(pk=directory.needs.pk)
    terms = oruk.taxonomy_terms_queryset(directory.community.pk).filter(taxonomy=needs)
    body = oruk.taxonomy(needs, terms=terms)

    assert schemas.validate("taxonomy.json", body) == []
    loneliness = next(t for t in body["taxonomy_terms"] if t["name"] == "Loneliness")
    assert loneliness["parent_id"] == str(directory.wellbeing.uuid)
    assert loneliness["taxonomy_id"] == str(needs.uuid)
    assert schemas.validate("taxonomy_term.json", loneliness) == []


def test_a_full_organisation_validates(directory):
    body = oruk.organization_full(directory.org)

    assert schemas.validate("compiled/organization.json", body) == []
    assert {s["name"] for s in body["services"]} == {
        s.name for s in Service.objects.filter(organization=directory.org)
    }
    assert body["phones"][0]["number"] == "01422 000001"
