"""The login lockout counts the client's address, believing X-Forwarded-For only from
proxies named in GINNEL_TRUSTED_PROXIES."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from conftest import PASSWORD
from ginnel.web.client_ip import client_ip

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"


def guess(client: Client, email: str, password: str, forwarded: str):
    return client.post(
        reverse("web:login"),
        {"username": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3, GINNEL_TRUSTED_PROXIES=[])
def test_without_trusted_proxies_a_forwarded_address_is_ignored(member):
    email = member.membership.user.email
    for _ in range(3):
        guess(Client(), email, "not it", "203.0.113.7")

    # Another "forwarded" address changes nothing: the proxy's address is what counts.
    response = guess(Client(), email, PASSWORD, "198.51.100.9")

    assert response.status_code == 429


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3, GINNEL_TRUSTED_PROXIES=["10.0.0.0/8"])
def test_behind_a_trusted_proxy_two_forwarded_addresses_are_counted_separately(member):
    email = member.membership.user.email
    for _ in range(3):
        guess(Client(), email, "not it", "203.0.113.7")

    locked = guess(Client(), email, PASSWORD, "203.0.113.7")
    elsewhere = Client()
    signed_in = guess(elsewhere, email, PASSWORD, "198.51.100.9")

    assert locked.status_code == 429
    assert signed_in.status_code == 302
    assert elsewhere.session["_auth_user_id"] == str(member.membership.user.pk)


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3, GINNEL_TRUSTED_PROXIES=["10.0.0.5"])
def test_a_forwarded_header_from_an_untrusted_address_is_ignored(member):
    email = member.membership.user.email
    client = Client()
    for forwarded in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        client.post(
            reverse("web:login"),
            {"username": email, "password": "not it"},
            REMOTE_ADDR="192.0.2.1",
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    response = client.post(
        reverse("web:login"),
        {"username": email, "password": PASSWORD},
        REMOTE_ADDR="192.0.2.1",
        HTTP_X_FORWARDED_FOR="203.0.113.4",
    )

    assert response.status_code == 429


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.7", "203.0.113.7"),
        # A client may send its own header; the proxy appends the address it saw.
        ("1.2.3.4, 203.0.113.7", "203.0.113.7"),
        # Two of our proxies in a row: the first address not ours is the client's.
        ("203.0.113.7, 10.1.1.1", "203.0.113.7"),
        ("", PROXY),
        ("not an address", PROXY),
        ("10.1.1.1", PROXY),
    ],
)
@override_settings(GINNEL_TRUSTED_PROXIES=["10.0.0.0/8"])
def test_the_client_is_the_first_address_from_the_right_that_is_not_a_trusted_proxy(
    forwarded, expected
):
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected
