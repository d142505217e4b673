"""Consent per purpose, given and withdrawn, with the times of each."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ginnel.people.models import Consent
from ginnel.people.services import has_consent

pytestmark = pytest.mark.django_db


def test_a_member_gives_and_withdraws_consent_and_both_times_are_kept(
    member, client_for, community
):
    client = client_for(member)
    url = reverse("people:consents", args=[community.slug])

    client.post(url, {"form": "give", "purpose": "peer_support"})
    assert has_consent(member, "peer_support")
    consent = Consent.objects.get()
    client.post(url, {"form": "withdraw", "consent": consent.pk})

    consent.refresh_from_db()
    assert consent.given_at is not None
    assert consent.withdrawn_at is not None
    assert consent.withdrawn_at >= consent.given_at
    assert not has_consent(member, "peer_support")
    assert "Withdrawn" in client.get(url).content.decode()


def test_sharing_with_an_organisation_needs_its_name(member, client_for, community):
    response = client_for(member).post(
        reverse("people:consents", args=[community.slug]),
        {"form": "give", "purpose": "share_with_organisation", "organisation": ""},
    )

    assert response.status_code == 400
    assert 'href="#id_organisation"' in response.content.decode()
    assert not Consent.objects.exists()


def test_no_one_else_can_withdraw_a_members_consent(member, make_member, client_for, community):
    client_for(member).post(
        reverse("people:consents", args=[community.slug]),
        {"form": "give", "purpose": "research"},
    )
    consent = Consent.objects.get()

    response = client_for(make_member(community)).post(
        reverse("people:consents", args=[community.slug]),
        {"form": "withdraw", "consent": consent.pk},
    )

    consent.refresh_from_db()
    assert response.status_code == 404
    assert consent.active
