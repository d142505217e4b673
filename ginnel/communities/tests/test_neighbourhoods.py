"""Administrators rename and retire neighbourhoods: a retired one is not offered to new
members or new records, the people who live there keep it, and history still shows it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from ginnel.communities.models import CommunityEvent, Membership, Neighbourhood, Role
from ginnel.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def mytholm(community) -> Neighbourhood:
    return community.neighbourhoods.get(name="Mytholm")


def edit_url(n: Neighbourhood) -> str:
    return reverse("communities:neighbourhood_edit", args=[n.community.slug, n.pk])


def retire_url(n: Neighbourhood) -> str:
    return reverse("communities:neighbourhood_retire", args=[n.community.slug, n.pk])


def offered(page: str, n: Neighbourhood) -> bool:
    return f'<option value="{n.pk}"' in page


def test_an_administrator_renames_a_neighbourhood_and_its_people_follow(
    community, administrator, make_member, mytholm, client_for
):
    resident = make_member(community, name="Rhys Resident", neighbourhood=mytholm)
    client = client_for(administrator)

    response = client.post(edit_url(mytholm), {"name": "Mytholm Bridge"})

    assert response.status_code == 302
    mytholm.refresh_from_db()
    assert mytholm.name == "Mytholm Bridge"
    assert CommunityEvent.objects.filter(
        action="neighbourhood_renamed", actor=administrator.membership
    ).exists()
    person = client.get(reverse("web:person", args=[community.slug, resident.pk]))
    assert "Mytholm Bridge" in person.content.decode()
    settings = client.get(reverse("communities:settings", args=[community.slug]))
    assert "Mytholm Bridge" in settings.content.decode()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Enter the neighbourhood&#x27;s name"),
        ("hebble end", "There is already a neighbourhood called hebble end."),
        ("x" * 81, "Neighbourhood names must be 80 characters or fewer"),
    ],
)
def test_a_bad_new_name_is_shown_again_with_its_error_and_nothing_changes(
    community, administrator, mytholm, client_for, name, message
):
    response = client_for(administrator).post(edit_url(mytholm), {"name": name})

    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert 'class="error-summary"' in page
    mytholm.refresh_from_db()
    assert mytholm.name == "Mytholm"


def test_a_retired_neighbourhood_is_not_offered_to_new_members_or_new_records(
    community, administrator, coordinator, mytholm, client_for
):
    response = client_for(administrator).post(retire_url(mytholm), {"retire": "yes"})

    assert response.status_code == 302
    mytholm.refresh_from_db()
    assert mytholm.retired_at is not None
    join = Client().get(reverse("communities:join", args=[community.slug])).content.decode()
    assert not offered(join, mytholm)
    assert offered(join, community.neighbourhoods.get(name="Hebble End"))
    record = client_for(coordinator).get(reverse("communities:member_new", args=[community.slug]))
    assert not offered(record.content.decode(), mytholm)
    # Searching people and the timebank still can, since people live there.
    people = client_for(coordinator).get(reverse("communities:members", args=[community.slug]))
    assert offered(people.content.decode(), mytholm)
    listings = client_for(coordinator).get(reverse("timebank:listings", args=[community.slug]))
    assert offered(listings.content.decode(), mytholm)


def test_joining_with_a_retired_neighbourhood_is_refused_and_nobody_is_added(community, mytholm):
    mytholm.retired_at = mytholm.community.created_at
    mytholm.save()

    response = Client().post(
        reverse("communities:join", args=[community.slug]),
        {
            "display_name": "Priya",
            "email": "priya@example.org",
            "password": PASSWORD,
            "neighbourhood": str(mytholm.pk),
        },
    )

    assert response.status_code == 400
    assert not Membership.objects.filter(user__email="priya@example.org").exists()


def test_someone_living_in_a_retired_neighbourhood_keeps_it(
    community, administrator, make_member, mytholm, client_for
):
    resident = make_member(
        community, name="Rhys Resident", email="rhys@example.org", neighbourhood=mytholm
    )
    client_for(administrator).post(retire_url(mytholm), {"retire": "yes"})
    client = client_for(resident)
    me = reverse("communities:me", args=[community.slug])

    page = client.get(me).content.decode()
    assert f'<option value="{mytholm.pk}" selected' in page
    response = client.post(
        me,
        {
            "display_name": "Rhys R.",
            "neighbourhood": str(mytholm.pk),
            "contact_method": "in_person",
            "contact_email": "",
            "phone": "",
            "contact_times": "",
        },
    )

    assert response.status_code == 302
    resident.refresh_from_db()
    assert (resident.display_name, resident.neighbourhood) == ("Rhys R.", mytholm)


def test_a_retired_neighbourhood_can_be_brought_back(community, administrator, mytholm, client_for):
    client = client_for(administrator)
    client.post(retire_url(mytholm), {"retire": "yes"})

    client.post(retire_url(mytholm), {"retire": "no"})

    mytholm.refresh_from_db()
    assert mytholm.retired_at is None
    join = Client().get(reverse("communities:join", args=[community.slug])).content.decode()
    assert offered(join, mytholm)
    assert CommunityEvent.objects.filter(action="neighbourhood_restored").exists()


def test_retiring_without_saying_which_way_is_refused(
    community, administrator, mytholm, client_for
):
    response = client_for(administrator).post(retire_url(mytholm), {"retire": "maybe"})

    assert response.status_code == 400
    assert (
        "Choose whether to retire the neighbourhood or bring it back." in response.content.decode()
    )
    mytholm.refresh_from_db()
    assert mytholm.retired_at is None


@pytest.mark.parametrize("role", [Role.MEMBER, Role.COORDINATOR, Role.LINK_WORKER])
def test_only_administrators_rename_or_retire(community, make_member, mytholm, client_for, role):
    client = client_for(make_member(community, roles=[role]))

    assert client.get(edit_url(mytholm)).status_code == 403
    assert client.post(edit_url(mytholm), {"name": "Elsewhere"}).status_code == 403
    assert client.post(retire_url(mytholm), {"retire": "yes"}).status_code == 403
    mytholm.refresh_from_db()
    assert (mytholm.name, mytholm.retired_at) == ("Mytholm", None)


def test_an_administrator_of_another_community_cannot_touch_ours(
    community, other_community, outsider, mytholm, client_for
):
    client = client_for(outsider)
    theirs = reverse("communities:neighbourhood_edit", args=[other_community.slug, mytholm.pk])

    assert client.post(edit_url(mytholm), {"name": "Elsewhere"}).status_code == 403
    assert client.post(theirs, {"name": "Elsewhere"}).status_code == 404
    mytholm.refresh_from_db()
    assert mytholm.name == "Mytholm"


def test_the_settings_page_shows_each_neighbourhood_with_its_people_and_status(
    community, administrator, make_member, mytholm, client_for
):
    make_member(community, neighbourhood=mytholm)
    make_member(community, neighbourhood=mytholm)
    client = client_for(administrator)
    client.post(retire_url(mytholm), {"retire": "yes"})

    page = client.get(reverse("communities:settings", args=[community.slug])).content.decode()

    row = page.split(">Mytholm<", 1)[1].split("</tr>", 1)[0]
    living = Person.objects.filter(neighbourhood=mytholm).count()
    assert f">{living}<" in row
    assert "Retired on" in row
    assert edit_url(mytholm) in row
