"""Repeated wrong passwords lock an account out for a while (django-axes)."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from conftest import PASSWORD

pytestmark = pytest.mark.django_db


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_three_wrong_passwords_lock_the_account_even_against_the_right_one(member):
    client = Client()
    email = member.membership.user.email
    for _ in range(3):
        client.post(reverse("web:login"), {"username": email, "password": "not it"})

    response = client.post(reverse("web:login"), {"username": email, "password": PASSWORD})

    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_a_mistyped_password_then_the_right_one_logs_in(member):
    client = Client()
    email = member.membership.user.email
    client.post(reverse("web:login"), {"username": email, "password": "not it"})

    response = client.post(reverse("web:login"), {"username": email, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.membership.user.pk)
