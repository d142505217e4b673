"""A person in community A cannot see or open anything of community B."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ginnel.communities.models import Role
from ginnel.communities.permissions import Perm, access_for
from ginnel.communities.selectors import members_list
from ginnel.errors import PermissionRefused

pytestmark = pytest.mark.django_db

COMMUNITY_PAGES = [
    "web:community_home",
    "communities:me",
    "communities:members",
    "communities:member_new",
    "communities:applications",
    "communities:invitations",
    "web:insights",
    "communities:settings",
]


@pytest.mark.parametrize("page", COMMUNITY_PAGES)
def test_even_an_administrator_of_a_to_cannot_open_the_pages_of_b(
    page, community, other_community, make_member, client_for
):
    admin_of_a = make_member(community, roles=[Role.ADMINISTRATOR])

    response = client_for(admin_of_a).get(reverse(page, args=[other_community.slug]))

    assert response.status_code == 403


def test_guessing_the_id_of_a_person_in_b_under_a_finds_nothing(
    community, coordinator, outsider, client_for
):
    client = client_for(coordinator)

    detail = client.get(reverse("web:person", args=[community.slug, outsider.pk]))
    roles = client.get(reverse("communities:member_roles", args=[community.slug, outsider.pk]))

    assert detail.status_code == 404
    assert roles.status_code == 403  # coordinators cannot change roles anywhere
    assert "Otto Outsider" not in detail.content.decode()


def test_an_administrator_of_a_cannot_change_roles_of_a_person_in_b(
    community, administrator, outsider, client_for
):
    response = client_for(administrator).post(
        reverse("communities:member_roles", args=[community.slug, outsider.pk]),
        {"roles": ["coordinator"]},
    )

    assert response.status_code == 404
    assert not outsider.membership.grants.filter(role="coordinator").exists()


def test_a_coordinator_of_a_cannot_decide_an_application_to_b(
    community, other_community, coordinator, make_member, client_for
):
    applicant = make_member(other_community, name="Applicant to B")
    applicant.membership.status = "applied"
    applicant.membership.save()

    response = client_for(coordinator).post(
        reverse("communities:application_decide", args=[community.slug, applicant.membership_id]),
        {"decision": "approve"},
        follow=True,
    )

    applicant.membership.refresh_from_db()
    assert applicant.membership.status == "applied"
    assert "no such application" in response.content.decode()


def test_the_switcher_refuses_a_community_you_are_not_in(member, other_community, client_for):
    response = client_for(member).get(reverse("web:switch"), {"community": other_community.slug})

    assert response.status_code == 403


def test_the_member_list_of_a_never_mentions_people_of_b(
    community, coordinator, outsider, client_for
):
    page = client_for(coordinator).get(
        reverse("communities:members", args=[community.slug]), {"q": "Otto"}
    )

    assert "Otto Outsider" not in page.content.decode()
    assert page.context["page"].paginator.count == 0


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    people=st.lists(
        st.tuples(
            st.booleans(),
            st.sets(st.sampled_from([r for r in Role if r != Role.MEMBER]), max_size=3),
        ),
        min_size=1,
        max_size=8,
    ),
    asker_index=st.integers(min_value=0, max_value=7),
)
def test_whatever_the_roles_a_member_list_only_ever_holds_the_askers_own_community(
    community, other_community, make_member, people, asker_index
):
    with transaction.atomic():  # each example starts from the same two empty communities
        made = [
            make_member(community if in_a else other_community, roles=roles)
            for in_a, roles in people
        ]
        asker = made[asker_index % len(made)]
        access = access_for(asker.membership.user, asker.community)

        if access.can(Perm.VIEW_MEMBERS):
            listed = list(members_list(access=access))
            expected = {p.pk for p in made if p.community_id == asker.community_id}
            assert {p.pk for p in listed} == expected
        else:
            with pytest.raises(PermissionRefused):
                members_list(access=access)
        transaction.set_rollback(True)
