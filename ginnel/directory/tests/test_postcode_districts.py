"""Postcodes on the search page: an example that works, districts ("MB2"), what is loaded."""

from __future__ import annotations

import html as html_module
import math
import re
from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from ginnel.communities.models import Community, MembershipStatus
from ginnel.demo.generator import generate_community
from ginnel.directory.models import (
    Address,
    Location,
    Organization,
    Postcode,
    Service,
    ServiceAtLocation,
)
from ginnel.directory.postcodes import LoadedPostcodes, district_centre, haversine_m
from ginnel.directory.services.derived import services_refresh
from ginnel.people.models import Person

ClientFor = Callable[[Person | None], Client]

pytestmark = pytest.mark.django_db


def search(client: Client, community: Community, **params: str) -> str:
    url = reverse("directory:search", args=[community.slug])
    response = client.get(f"{url}?{urlencode(params)}" if params else url)
    assert response.status_code == 200
    return html_module.unescape(response.content.decode())


def result_names(page: str) -> list[str]:
    return re.findall(r'<h3 class="heading-s"><a href="[^"]+">([^<]+)</a></h3>', page)


def place(community: Community, name: str, lat: float, lon: float, postcode: str) -> Service:
    org = Organization.objects.create(community=community, name=f"{name} trust")
    service = Service.objects.create(community=community, organization=org, name=name)
    location = Location.objects.create(
        community=community, organization=org, name=name, latitude=lat, longitude=lon
    )
    Address.objects.create(
        community=community, location=location, address_1="1 Mill Lane", city="Millbeck",
        postal_code=postcode,
    )  # fmt: skip
    ServiceAtLocation.objects.create(community=community, service=service, location=location)
    services_refresh(community=community, service_ids=[service.pk])
    return service


def test_the_hints_example_postcode_finds_help_in_the_demo(client_for: ClientFor) -> None:
    demo = generate_community(people=60, seed=11, slug="pcdemo")
    member = Person.objects.filter(
        community=demo.community, membership__status=MembershipStatus.ACTIVE
    ).first()
    client = client_for(member)

    page = search(client, demo.community)
    example = re.search(r"For example ([A-Z]{1,2}\d+ \d[A-Z]{2})", page)
    assert example is not None
    found = search(client, demo.community, postcode=example[1], within="2")

    assert "error-summary" not in found
    assert result_names(found)
    assert f"within 2 miles of {example[1]}" in found


def test_a_district_searches_from_the_mean_of_its_loaded_postcodes(
    community: Community, member: Person, client_for: ClientFor
) -> None:
    # Two MB2 postcodes 0.02° of longitude apart: the district's centre is half way.
    Postcode.objects.create(postcode="MB21AA", latitude=53.74, longitude=-2.02)
    Postcode.objects.create(postcode="MB22AB", latitude=53.74, longitude=-2.00)
    # MB20 is another district, far away: it must not pull the centre.
    Postcode.objects.create(postcode="MB201AA", latitude=54.50, longitude=-1.00)
    centre = place(community, "Middle Hall", 53.74, -2.01, "MB2 1AA")
    edge = place(community, "Edge Barn", 53.74, -1.995, "MB2 2AB")

    page = search(client_for(member), community, postcode="mb2")

    assert result_names(page) == [centre.name, edge.name]
    assert "nearest to MB2 first" in page
    assert "less than 0.1 miles" in page
    lat, lon = district_centre("MB2") or (0.0, 0.0)
    assert math.isclose(lat, 53.74)
    assert math.isclose(lon, -2.01)
    assert haversine_m(lat, lon, 53.74, -2.01) < 1


def test_a_district_with_no_loaded_postcodes_is_explained_by_the_field(
    community: Community, member: Person, client_for: ClientFor
) -> None:
    Postcode.objects.create(postcode="MB21AA", latitude=53.74, longitude=-2.02)

    page = search(client_for(member), community, postcode="MB7", within="2")

    assert "We do not know the postcode MB7; check it, or choose your neighbourhood." in page
    assert 'id="id_postcode_error"' in page
    assert result_names(page) == []


def test_the_search_page_says_which_postcodes_are_loaded(
    community: Community, member: Person, client_for: ClientFor
) -> None:
    for code in ("MB11AA", "MB12AB", "MB21AA", "MB31AD", "MB101AA"):
        Postcode.objects.create(postcode=code, latitude=53.74, longitude=-2.01)

    page = search(client_for(member), community)

    assert "Postcodes loaded: MB1–MB3, MB10 (5 postcodes)." in page


def test_with_no_postcodes_loaded_the_hint_says_to_choose_a_neighbourhood(
    community: Community, member: Person, client_for: ClientFor
) -> None:
    page = search(client_for(member), community)

    assert "No postcodes are loaded yet, so choose a neighbourhood instead." in page


def test_districts_are_said_as_ranges() -> None:
    loaded = LoadedPostcodes(9, ("HX1", "HX2", "HX3", "HX7", "EC1A", "MB1", "MB2"), "", "")

    assert loaded.ranges == "EC1A, HX1–HX3, HX7, MB1–MB2"
