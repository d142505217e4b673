"""Bad input on every form re-shows it with an error summary and changes nothing."""

from __future__ import annotations

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from ginnel.communities.models import (
    Community,
    CommunityEvent,
    Invitation,
    Membership,
    Neighbourhood,
    RoleGrant,
)
from ginnel.people.models import Person, User

pytestmark = pytest.mark.django_db

TABLES: list[type[Model]] = [
    User,
    Person,
    Membership,
    RoleGrant,
    Invitation,
    Neighbourhood,
    Community,
    CommunityEvent,
]


def snapshot() -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table a form here could touch."""
    return {
        model.__name__: sorted(model._default_manager.values_list(), key=repr) for model in TABLES
    }


def assert_reshown_with_errors(response, fields: list[str], kept: dict[str, str]) -> None:
    page = response.content.decode()
    assert response.status_code == 400
    main = page[page.index('id="main-content"') :]
    assert "There is a problem" in main
    assert main.index("There is a problem") < main.index("<form"), "summary above the form"
    for field in fields:
        assert f'href="#id_{field}' in main, f"the summary should link to {field}"
        assert f'id="id_{field}_error"' in main, f"{field} should show its error next to it"
    for name, value in kept.items():
        assert value in page, f"the value typed into {name} should be kept"
    assert page.startswith("<!DOCTYPE html>")
    assert "<title>Error: " in page


def test_the_join_form_explains_each_problem(client: Client, community):
    before = snapshot()

    response = client.post(
        reverse("communities:join", args=[community.slug]),
        {"display_name": "", "email": "not-an-email", "password": "short"},
    )

    assert_reshown_with_errors(
        response, ["display_name", "email", "password"], {"email": "not-an-email"}
    )
    assert "Enter your name" in response.content.decode()
    assert snapshot() == before


def test_a_name_too_long_is_refused_and_the_rest_kept(client: Client, community):
    before = snapshot()

    response = client.post(
        reverse("communities:join", args=[community.slug]),
        {"display_name": "x" * 81, "email": "kept@example.org", "password": PASSWORD},
    )

    assert_reshown_with_errors(response, ["display_name"], {"email": "kept@example.org"})
    assert "at most 80 characters" in response.content.decode()
    assert snapshot() == before


def test_the_login_form_refuses_a_wrong_password(client: Client, member):
    response = client.post(
        reverse("web:login"), {"username": member.membership.user.email, "password": "wrong"}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "_auth_user_id" not in client.session


def test_your_details_refuse_a_phone_contact_without_a_number(community, member, client_for):
    client = client_for(member)
    before = snapshot()

    response = client.post(
        reverse("communities:me", args=[community.slug]),
        {"display_name": "Mo Changed", "contact_method": "phone", "phone": ""},
    )

    assert_reshown_with_errors(response, ["phone"], {"display_name": "Mo Changed"})
    assert snapshot() == before


def test_recording_a_person_needs_a_name(community, coordinator, client_for):
    client = client_for(coordinator)
    before = snapshot()

    response = client.post(
        reverse("communities:member_new", args=[community.slug]),
        {"display_name": "", "contact_method": "in_person", "contact_times": "Mornings"},
    )

    assert_reshown_with_errors(response, ["display_name"], {"contact_times": "Mornings"})
    assert snapshot() == before


def test_roles_must_be_real_roles(community, administrator, member, client_for):
    client = client_for(administrator)
    before = snapshot()

    response = client.post(
        reverse("communities:member_roles", args=[community.slug, member.pk]),
        {"roles": ["emperor"]},
    )

    assert_reshown_with_errors(response, ["roles"], {})
    assert snapshot() == before


def test_an_invitation_needs_a_real_email_address(community, coordinator, client_for):
    client = client_for(coordinator)
    before = snapshot()

    response = client.post(
        reverse("communities:invitations", args=[community.slug]), {"email": "nobody@"}
    )

    assert_reshown_with_errors(response, ["email"], {"email": "nobody@"})
    assert snapshot() == before


def test_inviting_someone_already_in_the_community_is_refused(
    community, coordinator, member, client_for
):
    client = client_for(coordinator)
    before = snapshot()

    response = client.post(
        reverse("communities:invitations", args=[community.slug]),
        {"email": member.membership.user.email},
    )

    assert_reshown_with_errors(response, ["email"], {})
    assert "already in this community" in response.content.decode()
    assert snapshot() == before


def test_community_settings_need_a_name_and_a_real_sign_up_mode(
    community, administrator, client_for
):
    client = client_for(administrator)
    before = snapshot()

    response = client.post(
        reverse("communities:settings", args=[community.slug]),
        {"name": "", "description": "Kept description", "signup_mode": "everyone"},
    )

    assert_reshown_with_errors(
        response, ["name", "signup_mode"], {"description": "Kept description"}
    )
    assert snapshot() == before


@pytest.mark.parametrize("name", ["", "Hebble End", "hebble end"])
def test_a_neighbourhood_needs_a_new_name(name, community, administrator, client_for):
    client = client_for(administrator)
    before = snapshot()

    response = client.post(
        reverse("communities:neighbourhood_add", args=[community.slug]), {"n-name": name}
    )

    assert_reshown_with_errors(response, ["n-name"], {})
    assert snapshot() == before


def test_an_application_decision_must_be_approve_or_decline(
    community, coordinator, make_member, client_for
):
    applicant = make_member(community, name="Applicant")
    applicant.membership.status = "applied"
    applicant.membership.save()
    client = client_for(coordinator)
    before = snapshot()

    response = client.post(
        reverse("communities:application_decide", args=[community.slug, applicant.membership_id]),
        {"decision": "maybe"},
        follow=True,
    )

    assert "Choose whether to approve or decline" in response.content.decode()
    assert snapshot() == before
