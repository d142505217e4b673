"""ginnel createcommunity makes a community its administrator can use at once."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from ginnel.communities.models import Community, Role

pytestmark = pytest.mark.django_db


def test_createcommunity_makes_the_community_neighbourhoods_and_an_administrator(tmp_path):
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\n")

    call_command(
        "createcommunity",
        "--name", "Calder Vale Timebank",
        "--neighbourhood", "Hebble End",
        "--neighbourhood", "Mytholm",
        "--signup", "open",
        "--admin-email", "Ada@Example.org",
        "--admin-name", "Ada",
        "--admin-password-file", str(secret),
    )  # fmt: skip

    community = Community.objects.get(slug="calder-vale-timebank")
    assert sorted(community.neighbourhoods.values_list("name", flat=True)) == [
        "Hebble End",
        "Mytholm",
    ]
    client = Client()
    assert client.login(username="ada@example.org", password=PASSWORD)
    settings_page = client.get(reverse("communities:settings", args=[community.slug]))
    assert settings_page.status_code == 200
    admin = community.memberships.get(user__email="ada@example.org")
    assert admin.grants.get().role == Role.ADMINISTRATOR


def test_createcommunity_refuses_a_weak_password_and_creates_nothing(tmp_path):
    secret = tmp_path / "password"
    secret.write_text("password")

    with pytest.raises(CommandError, match="too common"):
        call_command(
            "createcommunity", "--name", "Weak", "--admin-email", "a@example.org",
            "--admin-name", "A", "--admin-password-file", str(secret),
        )  # fmt: skip

    assert not Community.objects.exists()


def test_createcommunity_refuses_an_address_already_taken(community, tmp_path):
    secret = tmp_path / "password"
    secret.write_text(PASSWORD)

    with pytest.raises(CommandError, match="already exists"):
        call_command(
            "createcommunity", "--name", "Again", "--slug", community.slug,
            "--admin-email", "b@example.org", "--admin-name", "B",
            "--admin-password-file", str(secret),
        )  # fmt: skip

    assert Community.objects.count() == 1
