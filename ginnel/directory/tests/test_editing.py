"""Organisation editors keep their own entries up to date; coordinators edit any."""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from ginnel.communities.models import Role
from ginnel.directory.models import (
    Attribute,
    DirectoryAction,
    Kind,
    Organization,
    Postcode,
    Schedule,
    Service,
    ServiceStatus,
)
from ginnel.directory.tests.test_editing_helpers import (
    assert_form_error,
    make_org,
    make_service,
    make_terms,
    snapshot,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def terms(community):
    return make_terms(community)


@pytest.fixture
def age_uk(community, org_editor):
    return make_org(community, "Age UK Calderdale", editors=[org_editor])


@pytest.fixture
def library(community):
    return make_org(community, "Hebble End Library")


@pytest.fixture
def walks(age_uk):
    return make_service(age_uk, "Friendly walks", description="Walks for anyone.")


def service_post(terms: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    post = {
        "name": "Tuesday befriending club",
        "description": "Tea, talk and a friendly face.",
        "kind": Kind.GROUP.value,
        "status": ServiceStatus.ACTIVE.value,
        "needs": [terms["Befriending"].pk, terms["Lunch clubs"].pk],
        "minimum_age": "50",
        "maximum_age": "",
        "cost": "free",
        "amount": "",
        "fees": "",
        "email": "club@example.org",
        "url": "https://example.org/club",
        "phones": "0113 496 0000, bookings\n07700 900123",
        "location_name": "St Mary's Hall",
        "address_1": "1 Church Lane",
        "address_2": "",
        "city": "Hebden Bridge",
        "postal_code": "hx7 8aa",
        "latitude": "53.7421",
        "longitude": "-2.0142",
        "sched1_days": ["TU", "TH"],
        "sched1_opens": "10:00",
        "sched1_closes": "12:30",
        "sched2_days": ["SA"],
        "sched2_opens": "09:30",
        "sched2_closes": "11:00",
        "version": "",
    }
    post.update(overrides)
    return post


def test_an_editor_adds_a_group_with_everything_people_need_to_find_it(
    client_for, community, org_editor, age_uk, terms
):
    url = reverse("directory:manage_service_new", args=[community.slug, age_uk.pk])

    response = client_for(org_editor).post(url, service_post(terms))

    assert response.status_code == 302
    service = Service.objects.get(organization=age_uk)
    assert service.name == "Tuesday befriending club"
    assert service.kind == Kind.GROUP
    assert service.free is True
    assert service.minimum_age == 50
    assert service.maximum_age is None
    assert (service.email, service.url) == ("club@example.org", "https://example.org/club")
    linked = set(
        Attribute.objects.filter(link_type="service", link_id=service.uuid).values_list(
            "taxonomy_term__name", flat=True
        )
    )
    assert linked == {"Befriending", "Lunch clubs", Kind.GROUP.label}
    assert "befriending" in service.search_text
    assert "age uk calderdale" in service.search_text
    assert sorted((p.number, p.description) for p in service.phones.all()) == [
        ("0113 496 0000", "bookings"),
        ("07700 900123", ""),
    ]
    location = service.at_locations.get().location
    address = location.addresses.get()
    assert (location.name, address.address_1, address.city, address.postal_code) == (
        "St Mary's Hall",
        "1 Church Lane",
        "Hebden Bridge",
        "HX7 8AA",
    )
    assert (location.latitude, location.longitude) == (53.7421, -2.0142)
    assert sorted(
        (s.freq, s.byday, s.opens_at, s.closes_at) for s in Schedule.objects.filter(service=service)
    ) == [
        ("WEEKLY", "SA", time(9, 30), time(11, 0)),
        ("WEEKLY", "TU,TH", time(10, 0), time(12, 30)),
    ]
    assert service.last_reviewed is not None
    assert service.reviewed_by == org_editor
    action = DirectoryAction.objects.get(verb="service.create")
    assert (action.actor, action.subject_id) == (org_editor, service.uuid)


def test_changing_a_service_keeps_it_one_entry_and_counts_as_reviewed(
    client_for, community, org_editor, walks, terms
):
    url = reverse("directory:manage_service_edit", args=[community.slug, walks.pk])
    client = client_for(org_editor)
    form = client.get(url).context["form"]
    assert form.initial["version"] == 1

    post = service_post(
        terms,
        name="Friendly walks",
        cost="charge",
        amount="2.50",
        fees="£2.50 a walk, carers free",
        version="1",
    )
    client.post(url, post)
    again = service_post(terms, name="Friendly walks on Fridays", version="2", sched1_days=["FR"])
    client.post(url, again)

    walks.refresh_from_db()
    assert walks.name == "Friendly walks on Fridays"
    assert walks.version == 3
    assert walks.reviewed_by == org_editor
    assert walks.review_reminded_at is None
    assert walks.at_locations.count() == 1
    assert walks.phones.count() == 2
    assert Schedule.objects.filter(service=walks, byday="FR").count() == 1
    assert Schedule.objects.filter(service=walks).count() == 2
    assert DirectoryAction.objects.filter(verb="service.update", subject_id=walks.uuid).count() == 2


def test_a_charge_makes_a_service_not_free(client_for, community, org_editor, walks, terms):
    url = reverse("directory:manage_service_edit", args=[community.slug, walks.pk])

    client_for(org_editor).post(
        url, service_post(terms, cost="charge", amount="3", fees="£3 a session", version="1")
    )

    walks.refresh_from_db()
    assert walks.free is False
    assert walks.fees_description == "£3 a session"
    assert [o.amount for o in walks.cost_options.all()] == [Decimal("3.00")]


def test_a_known_postcode_places_the_service_when_no_coordinates_are_given(
    client_for, community, org_editor, age_uk, terms
):
    Postcode.objects.create(postcode="HX78AA", latitude=53.74, longitude=-2.01)

    client_for(org_editor).post(
        reverse("directory:manage_service_new", args=[community.slug, age_uk.pk]),
        service_post(terms, latitude="", longitude=""),
    )

    location = Service.objects.get(organization=age_uk).at_locations.get().location
    assert (location.latitude, location.longitude) == (53.74, -2.01)


def test_a_second_editor_working_from_an_old_copy_is_told_and_overwrites_nothing(
    client_for, community, make_member, org_editor, age_uk, walks, terms
):
    colleague = make_member(community, roles=[Role.ORG_EDITOR], name="Col League")
    age_uk.editors.add(colleague)
    url = reverse("directory:manage_service_edit", args=[community.slug, walks.pk])
    first, second = client_for(org_editor), client_for(colleague)
    seen_by_first = first.get(url).context["form"].initial["version"]
    seen_by_second = second.get(url).context["form"].initial["version"]

    first.post(url, service_post(terms, name="Walks by the canal", version=seen_by_first))
    response = second.post(url, service_post(terms, name="Hill walks", version=seen_by_second))

    assert response.status_code == 400
    assert "Someone else saved changes to this service after you opened it" in (
        response.content.decode()
    )
    walks.refresh_from_db()
    assert walks.name == "Walks by the canal"
    assert DirectoryAction.objects.filter(verb="service.update").count() == 1


def test_two_editors_of_an_organisation_cannot_overwrite_each_other(
    client_for, community, coordinator, org_editor, age_uk
):
    url = reverse("directory:manage_organisation_edit", args=[community.slug, age_uk.pk])
    post = {"name": "Age UK", "description": "", "email": "", "website": "", "version": "1"}

    client_for(org_editor).post(url, post)
    response = client_for(coordinator).post(url, {**post, "name": "Age Concern"})

    assert response.status_code == 400
    assert "Someone else saved changes to this organisation" in response.content.decode()
    age_uk.refresh_from_db()
    assert (age_uk.name, age_uk.version) == ("Age UK", 2)


def test_renaming_an_organisation_updates_what_search_reads_of_its_services(
    client_for, community, org_editor, age_uk, walks
):
    client_for(org_editor).post(
        reverse("directory:manage_organisation_edit", args=[community.slug, age_uk.pk]),
        {
            "name": "Calder Friends",
            "description": "Friendship in later life.",
            "email": "hello@example.org",
            "website": "https://example.org",
            "version": "1",
        },
    )

    age_uk.refresh_from_db()
    walks.refresh_from_db()
    assert (age_uk.name, age_uk.email, age_uk.version) == ("Calder Friends", "hello@example.org", 2)
    assert "calder friends" in walks.search_text
    assert DirectoryAction.objects.filter(verb="organization.update", actor=org_editor).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "Enter the name of the service or group"),
        ({"postal_code": "XYZ 123"}, "postal_code", "Enter a real postcode"),
        ({"minimum_age": "60", "maximum_age": "18"}, "minimum_age", "youngest age must be"),
        ({"sched1_closes": "09:00"}, "sched1_closes", "closing time must be after"),
        ({"sched1_opens": ""}, "sched1_opens", "Enter the time it opens"),
        ({"sched1_days": []}, "sched1_days", "Choose the days it is open"),
        ({"sched1_opens": "25:99"}, "sched1_opens", "Enter a valid time"),
        ({"cost": "free", "amount": "4"}, "amount", "A free service cannot have a charge"),
        ({"phones": "call us"}, "phones", "is not a phone number"),
        ({"longitude": ""}, "latitude", "both the latitude and the longitude"),
        ({"address_1": ""}, "address_1", "Enter the first line of the address"),
        ({"email": "nope"}, "email", "Enter a valid email address"),
        ({"url": "javascript:alert(1)"}, "url", "Enter a web address like https://example.org"),
        ({"kind": "spaceship"}, "kind", "Select a valid choice"),
    ],
)
def test_bad_input_is_explained_by_the_field_and_changes_nothing(
    client_for, community, org_editor, walks, terms, overrides, field, message
):
    url = reverse("directory:manage_service_edit", args=[community.slug, walks.pk])
    before = snapshot()

    response = client_for(org_editor).post(url, service_post(terms, version="1", **overrides))

    assert_form_error(response, field, message)
    assert "Tea, talk and a friendly face." in response.content.decode()  # kept on re-display
    assert snapshot() == before


def test_needs_from_another_community_are_not_offered_nor_taken(
    client_for, community, other_community, org_editor, walks, terms
):
    foreign = make_terms(other_community)["Befriending"]
    before = snapshot()

    response = client_for(org_editor).post(
        reverse("directory:manage_service_edit", args=[community.slug, walks.pk]),
        service_post(terms, needs=[foreign.pk], version="1"),
    )

    assert_form_error(response, "needs", "Select a valid choice")
    assert snapshot() == before


# Who may edit what ---------------------------------------------------------------------------


def _edit_urls(community, organization, service):
    slug = community.slug
    return [
        reverse("directory:manage_organisation", args=[slug, organization.pk]),
        reverse("directory:manage_organisation_edit", args=[slug, organization.pk]),
        reverse("directory:manage_service_new", args=[slug, organization.pk]),
        reverse("directory:manage_service_edit", args=[slug, service.pk]),
        reverse("directory:event_new", args=[slug, organization.pk]),
    ]


def test_an_editor_cannot_touch_another_organisations_entries(
    client_for, community, org_editor, library, terms
):
    books = make_service(library, "Books on wheels")
    client = client_for(org_editor)
    before = snapshot()

    for url in _edit_urls(community, library, books):
        assert client.get(url).status_code == 403, url
    posts = [
        (
            reverse("directory:manage_service_edit", args=[community.slug, books.pk]),
            service_post(terms, version="1"),
        ),
        (
            reverse("directory:manage_service_new", args=[community.slug, library.pk]),
            service_post(terms),
        ),
        (
            reverse("directory:manage_organisation_edit", args=[community.slug, library.pk]),
            {"name": "Taken over", "version": "1"},
        ),
        (reverse("directory:manage_service_reviewed", args=[community.slug, books.pk]), {}),
    ]
    for url, post in posts:
        assert client.post(url, post).status_code == 403, url

    assert snapshot() == before


@pytest.mark.parametrize("who", ["member", "link_worker", "analyst"])
def test_people_without_an_editing_role_cannot_open_the_editing_pages(
    request, client_for, community, age_uk, walks, who
):
    client = client_for(request.getfixturevalue(who))
    urls = [
        reverse("directory:manage_organisations", args=[community.slug]),
        reverse("directory:review_queue", args=[community.slug]),
        *_edit_urls(community, age_uk, walks),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url


def test_someone_from_another_community_is_refused_and_anonymous_visitors_log_in_first(
    client_for, community, outsider, age_uk, walks
):
    urls = [reverse("directory:manage_organisations", args=[community.slug])]
    urls += _edit_urls(community, age_uk, walks)
    for url in urls:
        assert client_for(outsider).get(url).status_code == 403, url
        response = client_for(None).get(url)
        assert response.status_code == 302, url
        assert "/login" in response["Location"], url


def test_an_entry_is_not_found_through_another_communitys_address(
    client_for, other_community, outsider, age_uk, walks
):
    client = client_for(outsider)  # an administrator of the other community
    for url in _edit_urls(other_community, age_uk, walks):
        assert client.get(url).status_code == 404, url


def test_an_editor_lists_only_their_own_organisations_and_a_coordinator_all(
    client_for, community, org_editor, coordinator, age_uk, library
):
    url = reverse("directory:manage_organisations", args=[community.slug])

    mine = client_for(org_editor).get(url).context["organisations"]
    everyone = client_for(coordinator).get(url).context["organisations"]

    assert [o.name for o in mine] == [age_uk.name]
    assert [o.name for o in everyone] == sorted([age_uk.name, library.name])


def test_a_coordinator_edits_any_organisations_entry(
    client_for, community, coordinator, library, terms
):
    books = make_service(library, "Books on wheels")

    response = client_for(coordinator).post(
        reverse("directory:manage_service_edit", args=[community.slug, books.pk]),
        service_post(terms, name="Books on wheels", version="1"),
    )

    assert response.status_code == 302
    books.refresh_from_db()
    assert books.reviewed_by == coordinator
    assert books.version == 2


# Organisations and their editors -------------------------------------------------------------


def test_a_coordinator_adds_an_organisation_and_chooses_its_editors(
    client_for, community, coordinator, org_editor
):
    client = client_for(coordinator)

    client.post(
        reverse("directory:manage_organisation_new", args=[community.slug]),
        {"name": "Mytholm Men's Shed", "description": "", "email": "", "website": ""},
    )
    shed = Organization.objects.get(community=community, name="Mytholm Men's Shed")
    client.post(
        reverse("directory:manage_organisation_editors", args=[community.slug, shed.pk]),
        {"editors": [org_editor.pk]},
    )

    assert list(shed.editors.all()) == [org_editor]
    assert DirectoryAction.objects.filter(verb="organization.editors", actor=coordinator).exists()
    assert (
        client_for(org_editor)
        .get(reverse("directory:manage_service_new", args=[community.slug, shed.pk]))
        .status_code
        == 200
    )


def test_only_people_with_an_editing_role_can_be_made_editors(
    client_for, community, coordinator, member, age_uk
):
    before = list(age_uk.editors.all())

    response = client_for(coordinator).post(
        reverse("directory:manage_organisation_editors", args=[community.slug, age_uk.pk]),
        {"editors": [member.pk]},
    )

    assert_form_error(response, "editors", "Select a valid choice")
    assert list(age_uk.editors.all()) == before


def test_an_editor_cannot_choose_editors_nor_add_organisations(
    client_for, community, org_editor, age_uk
):
    client = client_for(org_editor)
    before = snapshot()

    editors_url = reverse("directory:manage_organisation_editors", args=[community.slug, age_uk.pk])
    assert client.get(editors_url).status_code == 403
    assert client.post(editors_url, {"editors": []}).status_code == 403
    new_url = reverse("directory:manage_organisation_new", args=[community.slug])
    assert client.post(new_url, {"name": "Mine now"}).status_code == 403

    assert snapshot() == before
    assert list(age_uk.editors.all()) == [org_editor]


def test_the_organisation_page_lists_its_entries_with_their_review_state(
    client_for, community, org_editor, age_uk, walks
):
    page = client_for(org_editor).get(
        reverse("directory:manage_organisation", args=[community.slug, age_uk.pk])
    )

    assert page.status_code == 200
    text = page.content.decode()
    assert walks.name in text
    assert "Due for review" in text  # never reviewed


def test_every_editing_page_opens_for_a_coordinator(
    client_for, community, coordinator, age_uk, walks
):
    slug = community.slug
    urls = [
        reverse("directory:manage_organisations", args=[slug]),
        reverse("directory:manage_organisation_new", args=[slug]),
        reverse("directory:manage_organisation_editors", args=[slug, age_uk.pk]),
        reverse("directory:review_queue", args=[slug]),
        *_edit_urls(community, age_uk, walks),
    ]
    client = client_for(coordinator)
    for url in urls:
        assert client.get(url).status_code == 200, url
