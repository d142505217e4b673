"""A logged-in person changes their password; other sessions are signed out."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from ginnel.people.models import User

pytestmark = pytest.mark.django_db

NEW = "seven green bottles on the wall"


def _login(email: str, password: str = PASSWORD) -> Client:
    client = Client()
    response = client.post(reverse("web:login"), {"username": email, "password": password})
    assert response.status_code == 302
    return client


def test_the_page_asks_an_anonymous_visitor_to_log_in_first():
    response = Client().get(reverse("web:password_change"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_an_anonymous_post_changes_nothing_and_asks_to_log_in(member):
    response = Client().post(
        reverse("web:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))
    assert User.objects.get(pk=member.membership.user_id).check_password(PASSWORD)


def test_your_details_links_to_the_password_change(member, client_for):
    response = client_for(member).get(reverse("communities:me", args=[member.community.slug]))

    assert reverse("web:password_change") in response.content.decode()


def test_a_member_changes_their_password_and_stays_logged_in_here(member):
    here = _login("member@example.org")

    response = here.post(
        reverse("web:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("web:password_change_done")
    done = here.get(response["Location"])
    assert "Your password has been changed" in done.content.decode()
    assert here.get(reverse("web:home")).wsgi_request.user.is_authenticated
    user = User.objects.get(pk=member.membership.user_id)
    assert user.check_password(NEW)
    assert not user.check_password(PASSWORD)


def test_changing_the_password_signs_out_the_other_sessions(member):
    here = _login("member@example.org")
    elsewhere = _login("member@example.org")

    here.post(
        reverse("web:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )

    response = elsewhere.get(reverse("communities:me", args=[member.community.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))
    assert _login("member@example.org", NEW).session["_auth_user_id"] == str(
        member.membership.user_id
    )


def test_a_wrong_current_password_is_refused_by_the_field_and_changes_nothing(member):
    here = _login("member@example.org")

    response = here.post(
        reverse("web:password_change"),
        {"old_password": "not my password", "new_password1": NEW, "new_password2": NEW},
    )

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["old_password"] == [
        "That is not your current password. Enter it again; passwords are case-sensitive."
    ]
    assert User.objects.get(pk=member.membership.user_id).check_password(PASSWORD)
    assert here.get(reverse("web:home")).wsgi_request.user.is_authenticated


def test_two_different_new_passwords_are_refused_and_change_nothing(member):
    here = _login("member@example.org")

    response = here.post(
        reverse("web:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW + "!"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["new_password2"] == [
        "The two passwords are not the same. Enter them again."
    ]
    assert User.objects.get(pk=member.membership.user_id).check_password(PASSWORD)


def test_an_empty_form_says_what_each_field_needs(member):
    here = _login("member@example.org")

    response = here.post(reverse("web:password_change"), {})

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["old_password"] == ["Enter your current password"]
    assert errors["new_password1"] == ["Enter a new password"]
    assert errors["new_password2"] == ["Enter the new password again"]
    body = response.content.decode()
    assert "Enter your current password" in body
    assert User.objects.get(pk=member.membership.user_id).check_password(PASSWORD)


def test_a_too_short_new_password_is_refused(member):
    here = _login("member@example.org")

    response = here.post(
        reverse("web:password_change"),
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )

    assert response.status_code == 400
    assert "new_password2" in response.context["form"].errors
    assert User.objects.get(pk=member.membership.user_id).check_password(PASSWORD)
