"""Signing in finds the account whatever the case of the address typed."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client, override_settings
from django.urls import reverse

from conftest import PASSWORD
from ginnel.people.models import User

pytestmark = pytest.mark.django_db


def test_an_address_is_stored_in_lower_case_whatever_was_typed():
    user = User.objects.create_user("  Ada@Example.ORG ", PASSWORD)

    assert user.email == "ada@example.org"


def test_the_login_form_accepts_the_address_in_any_case(make_member, community):
    ada = make_member(community, email="ada@example.org")
    client = Client()

    response = client.post(
        reverse("web:login"), {"username": "Ada@Example.ORG", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(ada.membership.user.pk)


def test_the_right_address_with_the_wrong_password_is_still_refused(make_member, community):
    make_member(community, email="ada@example.org")
    client = Client()

    response = client.post(reverse("web:login"), {"username": "ADA@example.org", "password": "no"})

    assert response.status_code == 400
    assert "The email address or password is not right" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_unknown_address_is_refused_with_the_same_message(make_member, community):
    make_member(community, email="ada@example.org")
    client = Client()

    response = client.post(
        reverse("web:login"), {"username": "Bea@Example.org", "password": PASSWORD}
    )

    assert response.status_code == 400
    assert "The email address or password is not right" in response.content.decode()


def test_a_badly_formed_address_gets_a_message_by_the_field(make_member, community):
    client = Client()

    response = client.post(reverse("web:login"), {"username": "not an address", "password": "x"})

    assert response.status_code == 400
    assert "Enter an email address in the correct format" in response.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_wrong_guesses_in_different_cases_count_against_one_account(make_member, community):
    make_member(community, email="ada@example.org")
    client = Client()
    for typed in ("ada@example.org", "ADA@EXAMPLE.ORG", "Ada@Example.Org"):
        client.post(reverse("web:login"), {"username": typed, "password": "not it"})

    response = client.post(
        reverse("web:login"), {"username": "aDa@example.ORG", "password": PASSWORD}
    )

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"ada@example.org"}
