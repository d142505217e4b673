"""What coordinators and members do on the community pages, and what it costs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ginnel.communities.models import Role
from ginnel.people.models import Person

pytestmark = pytest.mark.django_db


def test_a_member_changes_their_own_details(community, member, client_for):
    mytholm = community.neighbourhoods.get(name="Mytholm")

    response = client_for(member).post(
        reverse("communities:me", args=[community.slug]),
        {
            "display_name": "Mo",
            "neighbourhood": str(mytholm.pk),
            "contact_method": "text",
            "phone": "07700 900123",
            "contact_times": "Evenings",
        },
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.display_name, member.neighbourhood, member.phone) == (
        "Mo",
        mytholm,
        "07700 900123",
    )
    # A member's own edits are theirs; they are not coordinator actions.
    assert not community.events.filter(action="person_updated").exists()


def test_a_coordinator_records_a_person_who_is_not_online(community, coordinator, client_for):
    client = client_for(coordinator)

    response = client.post(
        reverse("communities:member_new", args=[community.slug]),
        {"display_name": "Edna", "contact_method": "post", "contact_times": "Mornings"},
    )

    assert response.status_code == 302
    edna = Person.objects.get(display_name="Edna")
    assert edna.membership.user is None
    assert edna.community == community
    listing = client.get(reverse("communities:members", args=[community.slug]))
    assert "Edna" in listing.content.decode()
    assert "No, through a coordinator" in listing.content.decode()
    event = community.events.get(action="person_recorded")
    assert (event.actor, event.subject) == (coordinator.membership, edna.membership)


def test_the_people_list_searches_by_name_and_neighbourhood(
    community, coordinator, make_member, client_for
):
    hebble, mytholm = community.neighbourhoods.order_by("name")
    make_member(community, name="Gwen Hebble", neighbourhood=hebble)
    make_member(community, name="Gwen Mytholm", neighbourhood=mytholm)
    client = client_for(coordinator)
    url = reverse("communities:members", args=[community.slug])

    by_name = client.get(url, {"q": "gwen"}).context["page"].object_list
    by_both = client.get(url, {"q": "gwen", "neighbourhood": mytholm.pk}).context["page"]

    assert {p.display_name for p in by_name} == {"Gwen Hebble", "Gwen Mytholm"}
    assert [p.display_name for p in by_both.object_list] == ["Gwen Mytholm"]


def test_htmx_asks_for_the_results_table_alone(community, coordinator, client_for):
    response = client_for(coordinator).get(
        reverse("communities:members", args=[community.slug]), HTTP_HX_REQUEST="true"
    )

    page = response.content.decode()
    assert "<table" in page
    assert "<html" not in page


def test_the_people_list_costs_the_same_queries_for_five_or_fifty_people(
    community, coordinator, make_member, client_for, django_assert_max_num_queries
):
    client = client_for(coordinator)
    url = reverse("communities:members", args=[community.slug])
    for _ in range(5):
        make_member(community, roles=[Role.LINK_WORKER])
    client.get(url)  # warm the session

    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for _ in range(45):
        make_member(community, roles=[Role.ANALYST])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_an_invitation_shows_a_link_that_joins_this_community(community, coordinator, client_for):
    response = client_for(coordinator).post(
        reverse("communities:invitations", args=[community.slug]), {"email": "New@Example.org"}
    )

    invitation = community.invitations.get()
    assert invitation.email == "new@example.org"
    assert invitation.token in response.content.decode()
    assert invitation.invited_by == coordinator.membership


def test_switching_community_goes_to_its_home(member, other_community, make_member, client_for):
    make_member(other_community, user=member.membership.user, name="Mo in Brookside")
    client = client_for(member)

    response = client.get(reverse("web:switch"), {"community": other_community.slug})

    assert response["Location"] == reverse("web:community_home", args=[other_community.slug])
    assert client.get(reverse("web:home"))["Location"] == response["Location"]
