"""Every page names Ginnel's icon, so a browser tab or a bookmark shows it."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static

pytestmark = pytest.mark.django_db


def test_every_page_links_the_icon_and_the_icon_exists(client):
    page = client.get("/").content.decode()

    links = re.findall(r'<link rel="icon" href="([^"]+)"', page)
    assert static("ginnel/favicon.svg") in links
    assert static("ginnel/favicon.ico") in links
    for name in ("ginnel/favicon.svg", "ginnel/favicon.ico"):
        assert finders.find(name), name


def test_a_browser_asking_for_favicon_ico_at_the_root_is_sent_to_the_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == static("ginnel/favicon.ico")
