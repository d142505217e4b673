"""Hardening (issue 14): any ``?page=`` on the inbox is a page, never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


# "²" passes str.isdigit() but int() refuses it: the old parser answered 500.
@pytest.mark.parametrize("page", ["99999999999999999999999", "²", "１２", "1_0", "-1"])
def test_the_inbox_answers_a_page_for_any_page_number(member, client_for, community, page):
    url = reverse("notifications:inbox", args=[community.slug])

    assert client_for(member).get(url, {"page": page}).status_code == 200


def test_the_inbox_still_sends_a_visitor_to_log_in(client_for, community):
    url = reverse("notifications:inbox", args=[community.slug])

    assert client_for(None).get(url, {"page": "²"}).status_code == 302
