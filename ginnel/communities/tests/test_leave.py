"""A person leaves a community: what the page says, who may, and what changes."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ginnel.communities.models import CommunityEvent, Membership, MembershipStatus, Role

pytestmark = pytest.mark.django_db


def leave_url(community):
    return reverse("communities:leave", args=[community.slug])


def test_an_anonymous_visitor_is_asked_to_log_in(community):
    response = Client().get(leave_url(community))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_an_anonymous_post_changes_nothing(community, member):
    response = Client().post(leave_url(community))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))
    member.membership.refresh_from_db()
    assert member.membership.status == MembershipStatus.ACTIVE


def test_someone_from_another_community_is_refused(community, member, outsider, client_for):
    response = client_for(outsider).post(leave_url(community))

    assert response.status_code == 403
    member.membership.refresh_from_db()
    assert member.membership.status == MembershipStatus.ACTIVE
    assert not CommunityEvent.objects.filter(action="member_left").exists()


def test_the_page_says_what_leaving_does_before_anything_happens(community, member, client_for):
    response = client_for(member).get(leave_url(community))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Leave Calder Vale Timebank" in page
    assert "Your timebank account is kept but closed. Your balance stays as it is" in page
    assert "Your offers and requests are closed." in page
    assert "no longer see you in the members list" in page
    assert "stays until you ask for it to be erased" in page
    member.membership.refresh_from_db()
    assert member.membership.status == MembershipStatus.ACTIVE


def test_your_details_links_to_leaving(community, member, client_for):
    page = client_for(member).get(reverse("communities:me", args=[community.slug]))

    assert leave_url(community) in page.content.decode()


def test_a_member_leaves_and_is_taken_back_to_choose_a_community(
    community, other_community, member, make_member, client_for
):
    make_member(other_community, user=member.membership.user)
    client = client_for(member)
    client.get(reverse("web:community_home", args=[community.slug]))  # remembered as current
    assert client.session["community"] == community.slug

    response = client.post(leave_url(community))

    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")
    assert "community" not in client.session
    member.membership.refresh_from_db()
    assert member.membership.status == MembershipStatus.LEFT
    event = CommunityEvent.objects.get(community=community, action="member_left")
    assert event.actor == member.membership
    assert event.subject == member.membership
    home = client.get(reverse("web:home"), follow=True)
    assert "You have left Calder Vale Timebank." in home.content.decode()
    # Their one remaining community is where "/" now goes.
    assert home.redirect_chain[-1][0] == reverse("web:community_home", args=[other_community.slug])


def test_after_leaving_the_community_pages_are_closed_to_them(community, member, client_for):
    client = client_for(member)
    client.post(leave_url(community))

    home = client.get(reverse("web:community_home", args=[community.slug]))
    assert "You have left Calder Vale Timebank" in home.content.decode()
    assert client.get(reverse("communities:me", args=[community.slug])).status_code == 403
    # Leaving again is refused: they are no longer a member.
    assert client.post(leave_url(community)).status_code == 403
    assert CommunityEvent.objects.filter(action="member_left").count() == 1


def test_a_member_who_left_is_no_longer_in_the_members_list(
    community, member, coordinator, client_for
):
    listed = reverse("communities:members", args=[community.slug])
    assert "Mo Member" in client_for(coordinator).get(listed).content.decode()

    client_for(member).post(leave_url(community))

    assert "Mo Member" not in client_for(coordinator).get(listed).content.decode()


def test_the_last_administrator_cannot_leave(community, administrator, member, client_for):
    response = client_for(administrator).post(leave_url(community))

    assert response.status_code == 400
    assert (
        "You are the only administrator of Calder Vale Timebank, so you cannot leave yet. "
        "Make another member an administrator first, then leave."
    ) in response.content.decode()
    administrator.membership.refresh_from_db()
    assert administrator.membership.status == MembershipStatus.ACTIVE
    assert not CommunityEvent.objects.filter(action="member_left").exists()


def test_an_administrator_may_leave_when_another_remains(
    community, administrator, make_member, client_for
):
    make_member(community, roles=[Role.ADMINISTRATOR], name="Second Admin")

    response = client_for(administrator).post(leave_url(community))

    assert response.status_code == 302
    administrator.membership.refresh_from_db()
    assert administrator.membership.status == MembershipStatus.LEFT


def test_an_administrator_who_has_left_does_not_count_as_the_other_one(
    community, administrator, make_member, client_for
):
    gone = make_member(community, roles=[Role.ADMINISTRATOR], name="Gone Admin")
    Membership.objects.filter(pk=gone.membership.pk).update(status=MembershipStatus.LEFT)

    response = client_for(administrator).post(leave_url(community))

    assert response.status_code == 400
    administrator.membership.refresh_from_db()
    assert administrator.membership.status == MembershipStatus.ACTIVE
