"""The directory's search page and a service's own page.

Each test builds the few entries it needs around a postcode of its own, so
every expected name, distance and time comes from this setup.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from ginnel.communities.models import Community, Neighbourhood
from ginnel.directory.models import (
    Address,
    Attribute,
    CostOption,
    Freq,
    Kind,
    Location,
    Organization,
    Phone,
    Postcode,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from ginnel.directory.services.derived import service_kind_set, services_refresh
from ginnel.people.models import Person

ClientFor = Callable[[Person | None], Client]
MakeMember = Callable[..., Person]

pytestmark = pytest.mark.django_db

# The test town's postcode and where it is; places are put east of it at known distances.
HOME_POSTCODE = "HX7 8AF"
HOME = (53.7410, -2.0130)
MILE = 1609.344


def east(miles: float) -> tuple[float, float]:
    """The point ``miles`` due east of HOME (along the parallel: exact enough at this scale)."""
    metres = miles * MILE
    return HOME[0], HOME[1] + math.degrees(metres / (6_371_008.8 * math.cos(math.radians(HOME[0]))))


@dataclass
class Directory:
    community: Community
    needs: dict[str, TaxonomyTerm]
    services: dict[str, Service]


def add_service(
    community: Community,
    organization: Organization,
    name: str,
    *,
    terms: list[TaxonomyTerm],
    kind: Kind = Kind.GROUP,
    miles: float | None = 1.0,
    days: str = "TH",
    opens: time = time(10),
    closes: time = time(12),
    cost: Decimal | None = None,
    minimum_age: int | None = None,
    description: str = "",
    phone: str = "01632 960001",
    postcode: str = "HX7 8AB",
) -> Service:
    service = Service.objects.create(
        community=community,
        organization=organization,
        name=name,
        description=description,
        minimum_age=minimum_age,
        last_reviewed=timezone.now() - timedelta(days=30),
    )
    if miles is not None:
        lat, lon = east(miles)
        location = Location.objects.create(
            community=community,
            organization=organization,
            name=f"{name} hall",
            latitude=lat,
            longitude=lon,
        )
        Address.objects.create(
            community=community,
            location=location,
            address_1="1 Mill Lane",
            city="Millbeck",
            postal_code=postcode,
        )
        ServiceAtLocation.objects.create(community=community, service=service, location=location)
    if days:
        Schedule.objects.create(
            community=community,
            service=service,
            freq=Freq.WEEKLY,
            byday=days,
            opens_at=opens,
            closes_at=closes,
        )
    CostOption.objects.create(
        community=community,
        service=service,
        option="Free" if cost is None else "Session",
        amount=cost or Decimal(0),
    )
    Phone.objects.create(community=community, service=service, number=phone)
    for term in terms:
        Attribute.objects.create(
            community=community, taxonomy_term=term, link_type="service", link_id=service.uuid
        )
    service_kind_set(service=service, kind=kind)
    services_refresh(community=community, service_ids=[service.pk])
    service.refresh_from_db()
    return service


def build_directory(community: Community) -> Directory:
    """A befriending group that fits "free, Thursdays, within 2 miles of HX7 8AF", and
    near misses: one charges, one meets on Fridays, one is 5 miles away; and a lunch club."""
    Postcode.objects.create(
        postcode=HOME_POSTCODE.replace(" ", ""), latitude=HOME[0], longitude=HOME[1]
    )
    taxonomy = Taxonomy.objects.create(community=community, name="Needs")
    company = TaxonomyTerm.objects.create(
        community=community, taxonomy=taxonomy, name="Company and friendship"
    )
    needs = {
        "company": company,
        "befriending": TaxonomyTerm.objects.create(
            community=community, taxonomy=taxonomy, parent=company, name="Befriending"
        ),
        "lunch": TaxonomyTerm.objects.create(
            community=community, taxonomy=taxonomy, parent=company, name="Lunch clubs"
        ),
        "money": TaxonomyTerm.objects.create(community=community, taxonomy=taxonomy, name="Money"),
    }
    org = Organization.objects.create(community=community, name="Millbeck Friends")
    other = Organization.objects.create(community=community, name="St Michael's Church")
    services = {
        "match": add_service(
            community, org, "Thursday Friends", terms=[needs["befriending"]], miles=1.2,
            description="A befriending group: tea and a chat.",
        ),
        "paid": add_service(
            community, other, "Cuppa Club", terms=[needs["befriending"]], miles=0.5,
            cost=Decimal("2.50"),
        ),
        "friday": add_service(
            community, org, "Friday Friends", terms=[needs["befriending"]], miles=0.8, days="FR"
        ),
        "far": add_service(
            community, other, "Hilltop Friends", terms=[needs["befriending"]], miles=5.0
        ),
        "lunch": add_service(
            community, other, "Harvest Lunch Club", terms=[needs["lunch"]], miles=0.3,
            days="TU", opens=time(12), closes=time(14), cost=Decimal("4.50"), minimum_age=55,
        ),
        "advice": add_service(
            community, other, "Money Advice Line", terms=[needs["money"]], kind=Kind.SERVICE,
            miles=None, days="MO,TU,WE,TH,FR", opens=time(9, 30), closes=time(16, 30),
            description="Free advice about debts.",
        ),
    }  # fmt: skip
    return Directory(community, needs, services)


@pytest.fixture
def directory(community: Community) -> Directory:
    return build_directory(community)


def search_url(community: Community, **params: str) -> str:
    from urllib.parse import urlencode

    url = reverse("directory:search", args=[community.slug])
    return f"{url}?{urlencode(params)}" if params else url


def names(html: str) -> list[str]:
    """The result names in the order shown."""
    return re.findall(r'<h3 class="heading-s"><a href="[^"]+">([^<]+)</a></h3>', html)


def page_of(client: Client, url: str, **headers: str) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200
    return response.content.decode()


# Who may search -------------------------------------------------------------------------------


def test_members_link_workers_and_coordinators_may_search(
    directory: Directory,
    member: Person,
    link_worker: Person,
    coordinator: Person,
    client_for: ClientFor,
) -> None:
    for person in (member, link_worker, coordinator):
        html = page_of(client_for(person), search_url(directory.community))
        assert "Find local help and groups" in html


def test_someone_from_another_community_is_refused(
    directory: Directory, outsider: Person, client_for: ClientFor
) -> None:
    client = client_for(outsider)
    assert client.get(search_url(directory.community)).status_code == 403
    detail = reverse(
        "directory:service", args=[directory.community.slug, directory.services["match"].uuid]
    )
    assert client.get(detail).status_code == 403


def test_a_visitor_who_is_not_logged_in_is_sent_to_log_in(directory: Directory) -> None:
    response = Client().get(search_url(directory.community))
    assert response.status_code == 302
    assert "/login" in response["Location"]


# Searching ------------------------------------------------------------------------------------


def test_a_free_befriending_group_on_thursdays_within_2_miles_of_a_postcode(
    directory: Directory, member: Person, client_for: ClientFor
) -> None:
    html = page_of(
        client_for(member),
        search_url(
            directory.community,
            need=str(directory.needs["befriending"].uuid),
            postcode=HOME_POSTCODE.lower().replace(" ", ""),
            within="2",
            day="3",
            free="on",
            kind=Kind.GROUP.value,
        ),
    )
    assert names(html) == ["Thursday Friends"]
    assert f"1 result within 2 miles of {HOME_POSTCODE}" in html
    assert "1.2 miles" in html
    assert "Thursdays 10am to 12 noon" in html
    assert 'href="tel:01632960001"' in html
    assert "1 Mill Lane, Millbeck, HX7 8AB" in html


def test_a_need_finds_the_entries_of_the_needs_under_it(
    directory: Directory, member: Person, client_for: ClientFor
) -> None:
    html = page_of(
        client_for(member),
        search_url(directory.community, need=str(directory.needs["company"].uuid)),
    )
    expected = {s.name for k, s in directory.services.items() if k != "advice"}
    assert set(names(html)) == expected
    # The hierarchical select shows children under their parent.
    assert re.search(r"Company and friendship</option>\s*<option[^>]*>\u2003– Befriending", html)


def test_words_and_age_and_kind_narrow_the_results(
    directory: Directory, member: Person, client_for: ClientFor
) -> None:
    client = client_for(member)
    assert names(page_of(client, search_url(directory.community, q="lunch"))) == [
        "Harvest Lunch Club"
    ]
    assert "Harvest Lunch Club" not in names(
        page_of(client, search_url(directory.community, age="30"))
    )
    assert names(page_of(client, search_url(directory.community, kind=Kind.SERVICE.value))) == [
        "Money Advice Line"
    ]


def test_without_a_search_distances_are_from_the_persons_neighbourhood(
    directory: Directory, community: Community, make_member: MakeMember, client_for: ClientFor
) -> None:
    place = Neighbourhood.objects.create(
        community=community, name="Mill Bank", latitude=HOME[0], longitude=HOME[1]
    )
    person = make_member(community, neighbourhood=place)
    html = page_of(client_for(person), search_url(community))
    with_places = [s for s in directory.services.values() if s.at_locations.exists()]
    # Every place is due east of the centre: nearest first is westernmost first.
    nearest_first = [
        s.name
        for s in sorted(with_places, key=lambda s: s.at_locations.get().location.longitude or 0)
    ]
    assert names(html)[: len(nearest_first)] == nearest_first
    assert "nearest to Mill Bank first" in html


def test_open_now_finds_what_is_open_at_this_moment(
    directory: Directory, member: Person, client_for: ClientFor
) -> None:
    always = add_service(
        directory.community, directory.services["match"].organization, "Always Open Hub",
        terms=[], kind=Kind.HUB, days="MO,TU,WE,TH,FR,SA,SU", opens=time(0),
        closes=time(23, 59, 59),
    )  # fmt: skip
    html = page_of(client_for(member), search_url(directory.community, day="now"))
    assert always.name in names(html)


def test_nothing_found_says_so_and_how_to_widen_the_search(
    directory: Directory, member: Person, client_for: ClientFor
) -> None:
    html = page_of(
        client_for(member),
        search_url(directory.community, q="lunch", postcode=HOME_POSTCODE, within="1", day="4"),
    )
    assert names(html) == []
    assert "0 results" in html
    assert "No results — try widening your search" in html
    assert "choose a bigger distance" in html


def test_an_unknown_postcode_is_explained_next_to_the_field_and_nothing_is_searched(
    directory: Directory, member: Person, client_for: ClientFor
) -> None:
    html = page_of(
        client_for(member),
        search_url(directory.community, postcode="zz9 9zz", within="2"),
    )
    message = "We do not know the postcode ZZ9 9ZZ; check it, or choose your neighbourhood."
    assert 'class="error-summary"' in html
    assert f'<a href="#id_postcode">{message}</a>' in html
    assert re.search(r'id="id_postcode_error"[^>]*>.*' + re.escape(message), html)
    assert 'value="zz9 9zz"' in html  # kept for correcting
    assert names(html) == []
    assert "<title>Error:" in html


def test_text_that_is_not_a_postcode_and_a_distance_without_a_place_are_errors(
    directory: Directory, member: Person, client_for: ClientFor
) -> None:
    client = client_for(member)
    html = page_of(client, search_url(directory.community, postcode="not a code"))
    assert "“not a code” is not a UK postcode" in html
    html = page_of(client, search_url(directory.community, within="2", neighbourhood=""))
    assert "Enter a postcode, or choose your neighbourhood, to search within a distance." in html
    html = page_of(client, search_url(directory.community, age="old"))
    assert "Enter an age in whole years, like 67" in html


def test_results_come_in_pages_of_20_with_links_that_keep_the_search(
    directory: Directory, member: Person, client_for: ClientFor
) -> None:
    org = directory.services["match"].organization
    for n in range(25):
        add_service(directory.community, org, f"Knit and Natter {n:02d}", terms=[], miles=None)
    client = client_for(member)
    html = page_of(client, search_url(directory.community, q="knit"))
    assert len(names(html)) == 20
    assert "25 results" in html
    assert "Page 1 of 2" in html
    assert 'href="?q=knit&amp;page=2"' in html
    second = page_of(client, search_url(directory.community, q="knit", page="2"))
    assert names(second) == [f"Knit and Natter {n:02d}" for n in range(20, 25)]
    assert names(page_of(client, search_url(directory.community, q="knit", page="9"))) == names(
        second
    )


def test_the_number_of_queries_does_not_grow_with_the_results(
    directory: Directory, member: Person, client_for: ClientFor
) -> None:
    client = client_for(member)
    url = search_url(directory.community, postcode=HOME_POSTCODE)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    org = directory.services["match"].organization
    for n in range(10):
        add_service(
            directory.community, org, f"More Friends {n}", terms=[directory.needs["befriending"]]
        )
    with CaptureQueriesContext(connection) as many:
        html = page_of(client, url)
    assert len(names(html)) == 16
    assert len(many.captured_queries) == len(few.captured_queries)


def test_htmx_gets_just_the_results_and_errors_redraw_the_form(
    directory: Directory, member: Person, client_for: ClientFor
) -> None:
    client = client_for(member)
    html = page_of(client, search_url(directory.community, q="lunch"), HTTP_HX_REQUEST="true")
    assert "<html" not in html
    assert names(html) == ["Harvest Lunch Club"]
    response = client.get(
        search_url(directory.community, postcode="ZZ9 9ZZ"), HTTP_HX_REQUEST="true"
    )
    assert response["HX-Retarget"] == "#directory-search"
    assert "We do not know the postcode ZZ9 9ZZ" in response.content.decode()


# Maps -----------------------------------------------------------------------------------------


def test_without_map_tiles_there_is_no_map_and_nothing_from_elsewhere(
    directory: Directory, member: Person, client_for: ClientFor
) -> None:
    html = page_of(client_for(member), search_url(directory.community, postcode=HOME_POSTCODE))
    assert "directory-map" not in html.replace("directory-map__", "")
    assert not re.search(r'(src|href)="(https?:)?//', html)


@override_settings(
    GINNEL_MAP_TILES="https://tiles.example.org/{z}/{x}/{y}.png",
    GINNEL_MAP_ATTRIBUTION="© Example map makers",
)
def test_with_map_tiles_the_results_are_numbered_on_a_map(
    directory: Directory, member: Person, client_for: ClientFor
) -> None:
    html = page_of(client_for(member), search_url(directory.community, postcode=HOME_POSTCODE))
    tiles = re.findall(r'(?:src|href)="https://tiles\.example\.org/(\d+)/(\d+)/(\d+)\.png"', html)
    assert tiles
    assert len({z for z, _, _ in tiles}) == 1
    markers = re.findall(r'class="directory-map__marker"[^>]*>(\d+)<', html)
    assert markers == [str(n) for n in range(1, len(markers) + 1)]
    assert "© Example map makers" in html


# A service's page -----------------------------------------------------------------------------


def test_a_service_page_says_everything_in_plain_words(
    directory: Directory, member: Person, client_for: ClientFor
) -> None:
    service = directory.services["lunch"]
    service.eligibility_description = "People aged 55 and over who live in Millbeck."
    service.application_process = "Just turn up."
    service.save()
    url = reverse("directory:service", args=[directory.community.slug, service.uuid])
    html = page_of(client_for(member), url)
    assert "<h1>Harvest Lunch Club</h1>" in html
    assert "St Michael&#x27;s Church" in html
    assert "Tuesdays 12 noon to 2pm" in html
    assert "Session: £4.50" in html
    assert "Aged 55 and over" in html
    assert "People aged 55 and over who live in Millbeck." in html
    assert "Just turn up." in html
    assert 'href="tel:01632960001"' in html
    assert "1 Mill Lane, Millbeck, HX7 8AB" in html
    assert service.last_reviewed is not None
    assert timezone.localtime(service.last_reviewed).strftime("%-d %B %Y") in html
    assert "Lunch clubs" in html


def test_a_service_of_another_community_is_not_found(
    directory: Directory,
    other_community: Community,
    member: Person,
    outsider: Person,
    client_for: ClientFor,
) -> None:
    theirs = Organization.objects.create(community=other_community, name="Elsewhere")
    service = add_service(other_community, theirs, "Their Group", terms=[])
    url = reverse("directory:service", args=[directory.community.slug, service.uuid])
    assert client_for(member).get(url).status_code == 404
    mine = reverse("directory:service", args=[other_community.slug, service.uuid])
    assert client_for(outsider).get(mine).status_code == 200
