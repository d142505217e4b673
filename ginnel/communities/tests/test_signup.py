"""Each sign-up mode: open, by invitation, by application."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from ginnel.communities.models import Invitation, Membership, MembershipStatus, SignupMode
from ginnel.people.models import Person, User

pytestmark = pytest.mark.django_db


def join_data(**overrides: str) -> dict[str, str]:
    data = {
        "display_name": "Priya",
        "email": "priya@example.org",
        "password": PASSWORD,
        "neighbourhood": "",
    }
    data.update(overrides)
    return data


def log_in(client: Client, email: str = "priya@example.org") -> None:
    """After joining, the newcomer logs in (the join page does not log them in)."""
    client.post(reverse("web:login"), {"username": email, "password": PASSWORD})


def test_anyone_can_join_an_open_community_and_is_asked_to_check_their_email(
    client: Client, community
):
    response = client.post(reverse("communities:join", args=[community.slug]), join_data())

    assert response.status_code == 200
    assert "Check your email to continue" in response.content.decode()
    assert "_auth_user_id" not in client.session
    membership = Membership.objects.get(community=community, user__email="priya@example.org")
    assert membership.status == MembershipStatus.ACTIVE
    assert membership.person.display_name == "Priya"
    log_in(client)
    home = client.get(reverse("web:community_home", args=[community.slug]))
    assert home.status_code == 200
    assert "Hello, Priya" in home.content.decode()


def test_joining_picks_a_neighbourhood_of_that_community_only(
    client: Client, community, other_community
):
    foreign = other_community.neighbourhoods.get()
    response = client.post(
        reverse("communities:join", args=[community.slug]),
        join_data(neighbourhood=str(foreign.pk)),
    )

    assert response.status_code == 400
    assert not User.objects.filter(email="priya@example.org").exists()


def test_a_logged_in_person_joins_a_second_community_without_a_new_account(
    client_for, member, other_community
):
    client = client_for(member)
    response = client.post(
        reverse("communities:join", args=[other_community.slug]), {"display_name": "Mo"}
    )

    assert response.status_code == 302
    assert Membership.objects.filter(user=member.membership.user).count() == 2
    assert User.objects.count() == 1


def test_an_invitation_only_community_refuses_sign_up_without_an_invitation(
    client: Client, community
):
    community.signup_mode = SignupMode.INVITATION
    community.save()

    page = client.get(reverse("communities:join", args=[community.slug]))
    posted = client.post(reverse("communities:join", args=[community.slug]), join_data())

    assert page.status_code == 403
    assert "by invitation only" in page.content.decode()
    assert posted.status_code == 403
    assert not User.objects.filter(email="priya@example.org").exists()


def test_an_invitation_link_lets_one_person_join_once(client: Client, community, coordinator):
    community.signup_mode = SignupMode.INVITATION
    community.save()
    coordinator_client = Client()
    coordinator_client.force_login(coordinator.membership.user)
    coordinator_client.post(
        reverse("communities:invitations", args=[community.slug]), {"email": "priya@example.org"}
    )
    invitation = Invitation.objects.get(community=community)
    url = reverse("communities:join_invited", args=[community.slug, invitation.token])

    first = client.post(url, join_data())
    second = Client().post(url, join_data(email="someone.else@example.org"))

    assert first.status_code == 200
    assert Membership.objects.get(user__email="priya@example.org").status == "active"
    assert second.status_code == 400
    assert "not valid" in second.content.decode()
    assert not User.objects.filter(email="someone.else@example.org").exists()


def test_an_expired_invitation_is_refused(client: Client, community, coordinator):
    community.signup_mode = SignupMode.INVITATION
    community.save()
    invitation = Invitation.objects.create(
        community=community,
        email="late@example.org",
        expires_at=timezone.now() - timedelta(minutes=1),
    )

    response = client.post(
        reverse("communities:join_invited", args=[community.slug, invitation.token]),
        join_data(email="late@example.org"),
    )

    assert response.status_code == 400
    assert not User.objects.filter(email="late@example.org").exists()


def test_an_invitation_of_another_community_does_not_open_this_one(
    client: Client, community, other_community
):
    community.signup_mode = SignupMode.INVITATION
    community.save()
    foreign = Invitation.objects.create(community=other_community, email="priya@example.org")

    response = client.post(
        reverse("communities:join_invited", args=[community.slug, foreign.token]), join_data()
    )

    assert response.status_code == 400
    assert not Membership.objects.filter(community=community, user__isnull=False).exists()


def test_an_application_waits_for_a_coordinator_who_sees_it_in_the_pending_list(
    client: Client, community, coordinator, client_for
):
    community.signup_mode = SignupMode.APPLICATION
    community.save()

    response = client.post(
        reverse("communities:join", args=[community.slug]),
        join_data(application_message="I can help with gardening."),
    )

    assert response.status_code == 200
    assert "Check your email to continue" in response.content.decode()
    applicant = Person.objects.get(display_name="Priya")
    assert applicant.membership.status == MembershipStatus.APPLIED
    log_in(client)
    # The applicant cannot use the community yet: its home says the application is waiting.
    home = client.get(reverse("web:community_home", args=[community.slug]))
    assert home.status_code == 200
    assert "Your application is waiting" in home.content.decode()
    assert client.get(reverse("communities:me", args=[community.slug])).status_code == 403
    pending = client_for(coordinator).get(
        reverse("communities:applications", args=[community.slug])
    )
    assert "Priya" in pending.content.decode()
    assert "I can help with gardening." in pending.content.decode()


@pytest.mark.parametrize(
    ("decision", "status", "home_says"),
    [
        ("approve", MembershipStatus.ACTIVE, "Hello, Priya"),
        ("decline", MembershipStatus.DECLINED, "Your application was not accepted"),
    ],
)
def test_a_coordinator_decides_an_application(
    client: Client, community, coordinator, client_for, decision, status, home_says
):
    community.signup_mode = SignupMode.APPLICATION
    community.save()
    client.post(reverse("communities:join", args=[community.slug]), join_data())
    log_in(client)
    applicant = Membership.objects.get(user__email="priya@example.org")

    response = client_for(coordinator).post(
        reverse("communities:application_decide", args=[community.slug, applicant.pk]),
        {"decision": decision},
    )

    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.status == status
    assert applicant.decided_by == coordinator.membership
    assert community.events.filter(subject=applicant, actor=coordinator.membership).exists()
    assert (
        home_says
        in client.get(reverse("web:community_home", args=[community.slug])).content.decode()
    )


def test_an_application_cannot_be_decided_twice(client: Client, community, coordinator, client_for):
    community.signup_mode = SignupMode.APPLICATION
    community.save()
    client.post(reverse("communities:join", args=[community.slug]), join_data())
    applicant = Membership.objects.get(user__email="priya@example.org")
    url = reverse("communities:application_decide", args=[community.slug, applicant.pk])
    coordinator_client = client_for(coordinator)
    coordinator_client.post(url, {"decision": "decline"})

    response = coordinator_client.post(url, {"decision": "approve"}, follow=True)

    applicant.refresh_from_db()
    assert applicant.status == MembershipStatus.DECLINED
    assert "already been decided" in response.content.decode()


def test_joining_with_an_address_that_has_an_account_looks_the_same_and_emails_its_owner(
    client: Client,
    community,
    other_community,
    member,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    """Join must not tell anyone whether an address is registered."""
    users_before = User.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        taken = client.post(
            reverse("communities:join", args=[other_community.slug]),
            join_data(email="Member@Example.org"),
        )
        fresh = Client().post(
            reverse("communities:join", args=[other_community.slug]),
            join_data(email="new.person@example.org"),
        )

    assert taken.status_code == fresh.status_code == 200

    def said(response, email):
        page = response.content.decode()
        return page[page.index("<main") : page.index("</main>")].replace(email, "ADDRESS")

    assert said(taken, "member@example.org") == said(fresh, "new.person@example.org")
    assert "Check your email to continue" in taken.content.decode()
    assert "_auth_user_id" not in client.session
    # Nothing made for the taken address; only the new one has an account.
    assert User.objects.count() == users_before + 1
    assert Membership.objects.filter(user=member.membership.user).count() == 1
    to_owner = [m for m in mailoutbox if m.to == ["member@example.org"]]
    assert len(to_owner) == 1
    assert to_owner[0].subject == (
        "Someone tried to join Brookside Network with your email address"
    )
    assert "If it was you, log in with your password and join Brookside Network" in (
        to_owner[0].body
    )
    assert reverse("communities:join", args=[other_community.slug]) in to_owner[0].body
    assert member.membership.user.check_password(PASSWORD)
    # The new address gets the link that checks it instead.
    assert [m.subject for m in mailoutbox if m.to == ["new.person@example.org"]] == [
        "Check your email address for Ginnel"
    ]
