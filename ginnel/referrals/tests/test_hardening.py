"""Hardening (issue 14): any ``?page=`` on the referral lists is a page, never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

# "²" passes str.isdigit() but int() refuses it: the old parsers answered 500.
ODD_PAGES = ["99999999999999999999999", "²", "１２", "1_0", "-1"]


@pytest.mark.parametrize("page", ODD_PAGES)
def test_a_member_reading_their_referrals_gets_a_page_for_any_page_number(
    member, client_for, community, page
):
    url = reverse("referrals:mine", args=[community.slug])

    assert client_for(member).get(url, {"page": page}).status_code == 200


@pytest.mark.parametrize("name", ["allocate", "organisations"])
@pytest.mark.parametrize("page", ODD_PAGES)
def test_a_coordinators_lists_answer_a_page_for_any_page_number(
    coordinator, client_for, community, name, page
):
    url = reverse(f"referrals:{name}", args=[community.slug])

    assert client_for(coordinator).get(url, {"page": page}).status_code == 200


def test_someone_from_another_community_is_still_refused(outsider, client_for, community):
    url = reverse("referrals:allocate", args=[community.slug])

    assert client_for(outsider).get(url, {"page": "²"}).status_code == 403
