"""A person's page: what a link worker or coordinator can start from it, for that person."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_link_worker_finds_help_for_the_person_from_their_page(
    community, member, link_worker, client_for
):
    client = client_for(link_worker)
    page = client.get(reverse("web:person", args=[community.slug, member.pk])).content.decode()

    link = re.search(r'<a href="([^"]+)">Find help for ' + re.escape(member.display_name), page)
    assert link is not None
    search = client.get(link[1].replace("&amp;", "&")).content.decode()

    assert "You are finding help for" in search
    assert member.display_name in search
