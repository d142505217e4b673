"""Pages follow the browser's language; English is the fallback."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_page_asked_for_in_welsh_says_it_is_in_welsh():
    response = Client(HTTP_ACCEPT_LANGUAGE="cy").get("/login/")

    assert response.headers["Content-Language"] == "cy"
    assert '<html lang="cy">' in response.content.decode()


def test_a_language_ginnel_does_not_offer_falls_back_to_british_english():
    response = Client(HTTP_ACCEPT_LANGUAGE="de").get("/login/")

    assert response.headers["Content-Language"] == "en-gb"
    assert '<html lang="en-GB">' in response.content.decode()
