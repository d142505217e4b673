"""Blocking from the pages: "Do not suggest us to each other" on a member's page, undone
under "Suggestions you hid"; only a member may block, only another member of the community."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ginnel.matching.models import Block

pytestmark = pytest.mark.django_db


def block_url(person):
    return reverse("matching:block", args=[person.community.slug, person.pk])


def test_a_member_blocks_someone_from_their_page_and_sees_it_under_hidden(
    community, member, make_member, client_for
):
    other = make_member(community, name="Pat Pushy")
    client = client_for(member)
    about = reverse("people:about", args=[community.slug, other.pk])
    assert "Do not suggest us to each other" in client.get(about).content.decode()

    response = client.post(block_url(other), {"next": about})

    assert response.status_code == 302
    assert Block.objects.filter(person=member, blocked=other).exists()
    assert "Suggest us to each other again" in client.get(about).content.decode()
    hidden = client.get(reverse("matching:hidden", args=[community.slug])).content.decode()
    assert "Pat Pushy" in hidden


def test_unblocking_lets_them_be_suggested_again(community, member, make_member, client_for):
    other = make_member(community, name="Pat Pushy")
    Block.objects.create(community=community, person=member, blocked=other)

    client_for(member).post(reverse("matching:unblock", args=[community.slug, other.pk]))

    assert not Block.objects.exists()


def test_nobody_blocks_themselves_or_someone_of_another_community(
    community, other_community, member, make_member, client_for
):
    stranger = make_member(other_community, name="Sam Stranger")
    client = client_for(member)

    client.post(reverse("matching:block", args=[community.slug, member.pk]))
    client.post(reverse("matching:block", args=[community.slug, stranger.pk]))

    assert not Block.objects.exists()


def test_outsiders_and_the_logged_out_are_refused(community, member, outsider, client, client_for):
    assert client_for(outsider).post(block_url(member)).status_code == 403
    response = client.post(block_url(member))
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert not Block.objects.exists()
