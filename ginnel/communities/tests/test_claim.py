"""Someone recorded without a login (by a link worker, or brought in by a referral) is
invited to claim their record: joining through the link gives that record a login, so
everything kept for them stays theirs."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from ginnel.communities import services
from ginnel.communities.models import Invitation, Membership, MembershipStatus
from ginnel.communities.permissions import access_for
from ginnel.errors import GinnelError
from ginnel.people.models import Person, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded(community, link_worker) -> Person:
    """Ada, recorded by a link worker: no login."""
    return services.person_record(
        access=access_for(link_worker.membership.user, community),
        display_name="Ada Offline",
        neighbourhood=None,
        contact_email="ada@example.org",
    )


def invite_page(community, person) -> str:
    return reverse("communities:claim_invitation", args=[community.slug, person.pk])


def test_the_person_page_offers_an_invitation_for_someone_without_a_login(
    client_for, community, link_worker, recorded
):
    page = client_for(link_worker).get(reverse("web:person", args=[community.slug, recorded.pk]))
    assert "Invite Ada Offline to log in" in page.content.decode()


def test_a_link_worker_invites_and_the_person_claims_their_own_record(
    client_for, community, link_worker, recorded, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(link_worker).post(
            invite_page(community, recorded), {"email": "Ada@Example.org"}
        )
    assert response.status_code == 200
    invitation = Invitation.objects.get(membership=recorded.membership)
    link = reverse("communities:join_invited", args=[community.slug, invitation.token])
    assert link in response.content.decode()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.org"]
    assert link in mail.outbox[0].body

    visitor = Client()
    form = visitor.get(link)
    assert 'value="Ada Offline"' in form.content.decode()
    people_before = Person.objects.count()
    joined = visitor.post(
        link,
        {
            "display_name": "Ada",
            "email": "ada@example.org",
            "password": PASSWORD,
            "neighbourhood": "",
        },
    )
    assert joined.status_code == 200
    assert "Check your email to continue" in joined.content.decode()
    # No second record: the one kept for her now has her login.
    assert Person.objects.count() == people_before
    recorded.refresh_from_db()
    recorded.membership.refresh_from_db()
    assert recorded.membership.user == User.objects.get(email="ada@example.org")
    assert recorded.display_name == "Ada"
    assert recorded.membership.status == MembershipStatus.ACTIVE
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_the_link_works_once(client_for, community, link_worker, recorded):
    access = access_for(link_worker.membership.user, community)
    invitation = services.claim_invitation_create(
        access=access, person=recorded, email="ada@example.org"
    )
    link = reverse("communities:join_invited", args=[community.slug, invitation.token])
    data = {"display_name": "Ada", "email": "ada@example.org", "password": PASSWORD}
    assert Client().post(link, data).status_code == 200
    again = Client().post(link, {**data, "email": "someone@example.org"})
    assert again.status_code == 400
    assert not User.objects.filter(email="someone@example.org").exists()


def test_a_new_invitation_stops_the_old_link(community, link_worker, recorded):
    access = access_for(link_worker.membership.user, community)
    first = services.claim_invitation_create(access=access, person=recorded, email="a@example.org")
    services.claim_invitation_create(access=access, person=recorded, email="ada@example.org")
    first.refresh_from_db()
    assert not first.is_usable


def test_bad_email_is_shown_by_the_field_and_nothing_is_made(
    client_for, community, link_worker, recorded
):
    response = client_for(link_worker).post(invite_page(community, recorded), {"email": "not-an"})
    assert response.status_code == 400
    assert "Enter an email address like name@example.org" in response.content.decode()
    assert not Invitation.objects.exists()


def test_an_address_already_in_the_community_is_refused(
    client_for, community, link_worker, member, recorded
):
    response = client_for(link_worker).post(
        invite_page(community, recorded), {"email": member.membership.user.email}
    )
    assert response.status_code == 400
    assert "already in this community" in response.content.decode()
    assert not Invitation.objects.exists()


def test_someone_with_a_login_cannot_be_invited_to_claim(
    client_for, community, link_worker, member
):
    assert client_for(link_worker).get(invite_page(community, member)).status_code == 404
    with pytest.raises(GinnelError, match="already has a login"):
        services.claim_invitation_create(
            access=access_for(link_worker.membership.user, community),
            person=member,
            email="new@example.org",
        )


@pytest.mark.parametrize("who", ["member", "analyst", "outsider"])
def test_only_link_workers_and_coordinators_invite(request, client_for, community, recorded, who):
    asker = request.getfixturevalue(who)
    response = client_for(asker).post(invite_page(community, recorded), {"email": "a@example.org"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_a_coordinator_may_invite_too(client_for, community, coordinator, recorded):
    response = client_for(coordinator).post(
        invite_page(community, recorded), {"email": "ada@example.org"}
    )
    assert response.status_code == 200
    assert Membership.objects.get(pk=recorded.membership_id).claim_invitations.count() == 1
