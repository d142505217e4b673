"""A first visit: the welcome screens, the email check, applications, the chooser, passwords."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ginnel.communities.models import Community, Membership, MembershipStatus, SignupMode
from ginnel.communities.permissions import access_for
from ginnel.communities.selectors import people_search
from ginnel.people.email_check import check_token
from ginnel.people.models import User
from ginnel.timebank.models import Listing
from ginnel.timebank.services import categories_seed

pytestmark = pytest.mark.django_db

PASSWORD = "a long test password 42"
NEW_PASSWORD = "another long password 7"


def join(client: Client, community: Community, email: str = "priya@example.org"):
    """Sign up, then log in: the join page asks a newcomer to check their email first."""
    response = client.post(
        reverse("communities:join", args=[community.slug]),
        {"display_name": "Priya", "email": email, "password": PASSWORD, "neighbourhood": ""},
    )
    assert "Check your email to continue" in response.content.decode()
    client.post(reverse("web:login"), {"username": email, "password": PASSWORD})
    return response


def link_in(message: mail.EmailMessage) -> str:
    found = re.search(r"https?://\S+", message.body)
    assert found is not None, message.body
    return found.group(0).removeprefix("http://testserver")


# The welcome screens ---------------------------------------------------------------------------


def test_a_newcomer_is_shown_how_the_timebank_works_in_three_screens_then_what_to_do_first(
    client: Client, community
):
    join(client, community)
    screens = [client.get(reverse("web:welcome", args=[community.slug]))]
    for step in (2, 3, 4):
        screens.append(client.get(reverse("web:welcome_step", args=[community.slug, step])))

    pages = [s.content.decode() for s in screens]
    assert [s.status_code for s in screens] == [200, 200, 200, 200]
    assert "How it works, 1 of 3" in pages[0]
    assert "How it works, 3 of 3" in pages[2]
    assert "What to do first" in pages[3]
    assert reverse("people:strengths", args=[community.slug]) in pages[3]
    # Every screen can be skipped, with a plain link (no JavaScript needed).
    home = reverse("web:community_home", args=[community.slug])
    assert all(f'href="{home}"' in page for page in pages)


def test_there_is_no_fifth_welcome_screen(client_for, member, community):
    response = client_for(member).get(reverse("web:welcome_step", args=[community.slug, 5]))

    assert response.status_code == 404


def test_the_welcome_screens_are_for_members_of_the_community(client_for, community, outsider):
    url = reverse("web:welcome", args=[community.slug])

    assert client_for(outsider).get(url).status_code == 403
    assert client_for(None).get(url).status_code == 302


def test_the_home_page_offers_the_welcome_screens_again_for_a_month_after_joining(
    client_for, community, member, make_member
):
    Membership.objects.filter(pk=member.membership_id).update(
        created_at=timezone.now() - timedelta(days=31)
    )
    newcomer = make_member(community, name="Nell Newcomer")
    welcome = f'href="{reverse("web:welcome", args=[community.slug])}"'

    def home(person) -> str:
        url = reverse("web:community_home", args=[community.slug])
        return client_for(person).get(url).content.decode()

    assert welcome in home(newcomer)
    assert welcome not in home(member)


# The email check -------------------------------------------------------------------------------


def test_signing_up_emails_a_link_and_the_person_is_unchecked_until_they_open_it(
    client: Client, community, coordinator, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        join(client, community)
    user = User.objects.get(email="priya@example.org")

    assert not user.email_verified
    assert [m.to for m in mail.outbox] == [["priya@example.org"]]
    members = client_for(coordinator).get(reverse("communities:members", args=[community.slug]))
    assert "email not checked yet" in members.content.decode()
    home = client.get(reverse("web:community_home", args=[community.slug])).content.decode()
    assert "Check your email address" in home

    opened = client.get(link_in(mail.outbox[0]))

    user.refresh_from_db()
    assert opened.status_code == 200
    assert user.email_verified
    members = client_for(coordinator).get(reverse("communities:members", args=[community.slug]))
    assert "email not checked yet" not in members.content.decode()


def test_a_forged_link_checks_nothing(client: Client, community):
    join(client, community)
    user = User.objects.get(email="priya@example.org")

    response = client.get(reverse("web:email_check", args=[check_token(user) + "x"]))

    user.refresh_from_db()
    assert response.status_code == 400
    assert not user.email_verified


def test_a_link_made_for_an_earlier_address_checks_nothing(client: Client, community):
    join(client, community)
    user = User.objects.get(email="priya@example.org")
    token = check_token(user)
    User.objects.filter(pk=user.pk).update(email="priya.new@example.org")

    response = client.get(reverse("web:email_check", args=[token]))

    user.refresh_from_db()
    assert response.status_code == 400
    assert not user.email_verified


def test_the_link_can_be_sent_again_by_the_person_only(
    client: Client, community, django_capture_on_commit_callbacks
):
    join(client, community)
    url = reverse("web:email_check_send")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)

    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["priya@example.org"]]
    assert client.get(url).status_code == 405
    assert Client().post(url).status_code == 302  # anonymous: sent to log in
    assert len(mail.outbox) == 1


def test_people_who_existed_before_the_check_and_people_recorded_by_a_coordinator_are_not_held_back(
    client_for, community, member, coordinator
):
    client_for(coordinator).post(
        reverse("communities:member_new", args=[community.slug]),
        {"display_name": "Dot Offline", "contact_method": "phone", "phone": "01422 000000"},
    )

    members = client_for(coordinator).get(reverse("communities:members", args=[community.slug]))

    assert member.membership.user.email_verified
    assert "Dot Offline" in members.content.decode()
    assert "email not checked yet" not in members.content.decode()


def test_members_are_not_offered_someone_whose_email_is_not_checked_but_coordinators_are(
    community, member, coordinator, make_member
):
    unchecked = make_member(community, name="Una Unchecked")
    User.objects.filter(pk=unchecked.membership.user_id).update(email_verified=False)
    make_member(community, name="Una Checked")

    def offered_to(person) -> list[str]:
        access = access_for(person.membership.user, community)
        return sorted(m.person.display_name for m in people_search(access=access, text="Una"))

    assert offered_to(member) == ["Una Checked"]
    assert offered_to(coordinator) == ["Una Checked", "Una Unchecked"]


def test_someone_whose_email_is_not_checked_is_suggested_to_no_one_but_gets_suggestions(
    client_for, community, member, make_member
):
    gardening = next(c for c in categories_seed(community=community) if c.name == "Gardening")
    hana = make_member(community, name="Hana Helper")
    for owner, kind, title in (
        (member, "request", "Help with my overgrown garden"),
        (hana, "offer", "Weeding and lawn mowing"),
    ):
        listing = Listing.objects.create(
            community=community, owner=owner, kind=kind, title=title, in_public=True
        )
        listing.categories.set([gardening])
    User.objects.filter(pk=hana.membership.user_id).update(email_verified=False)

    def home(person) -> str:
        url = reverse("web:community_home", args=[community.slug])
        return client_for(person).get(url).content.decode()

    assert "Weeding and lawn mowing" not in home(member)
    assert "Help with my overgrown garden" in home(hana)

    User.objects.filter(pk=hana.membership.user_id).update(email_verified=True)

    assert "Weeding and lawn mowing" in home(member)


# Applications and the community chooser -------------------------------------------------------


def test_the_chooser_never_offers_to_join_a_community_you_are_in_or_applied_to(
    client: Client, community, other_community
):
    third = Community.objects.create(
        name="Ashgrove Network", slug="ashgrove", kind="network", signup_mode=SignupMode.APPLICATION
    )
    join(client, third)  # an application
    join_other = client.post(
        reverse("communities:join", args=[other_community.slug]),
        {"display_name": "Priya", "neighbourhood": ""},
    )
    assert join_other.status_code == 302
    Membership.objects.filter(community=other_community).update(status=MembershipStatus.LEFT)

    page = client.get(reverse("web:home")).content.decode()

    assert reverse("communities:join", args=[third.slug]) not in page
    assert reverse("communities:join", args=[other_community.slug]) not in page
    assert reverse("communities:join", args=[community.slug]) in page
    assert "Ashgrove Network: your application is waiting for a coordinator" in page


# Forgotten passwords ---------------------------------------------------------------------------


def test_the_login_page_offers_a_way_to_reset_a_forgotten_password(client: Client):
    page = client.get(reverse("web:login")).content.decode()

    assert f'href="{reverse("web:password_reset")}"' in page


def test_a_known_and_an_unknown_address_get_the_same_answer_and_only_the_known_one_an_email(
    client: Client, member
):
    url = reverse("web:password_reset")

    known = client.post(url, {"email": "member@example.org"})
    unknown = client.post(url, {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("web:password_reset_done")
    assert [m.to for m in mail.outbox] == [["member@example.org"]]


def test_a_reset_request_without_a_proper_address_is_shown_again_with_the_error(client: Client):
    response = client.post(reverse("web:password_reset"), {"email": "not an address"})

    page = response.content.decode()
    assert response.status_code == 400
    error = re.search(r'<p id="id_email_error" class="error-message">(.*?)</p>', page, re.S)
    assert error is not None
    assert "Enter an email address in the correct format" in error.group(1)
    assert 'value="not an address"' in page
    assert mail.outbox == []


def test_the_emailed_link_sets_a_new_password_that_logs_in(client: Client, member):
    client.post(reverse("web:password_reset"), {"email": "member@example.org"})
    form_url = client.get(link_in(mail.outbox[0]))["Location"]

    mismatch = client.post(
        form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "!"}
    )
    still_old = User.objects.get(email="member@example.org").check_password(PASSWORD)
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert mismatch.status_code == 400
    assert "The two passwords are not the same" in mismatch.content.decode()
    assert still_old  # nothing was changed by the refused form
    assert done["Location"] == reverse("web:password_reset_complete")
    assert Client().login(username="member@example.org", password=NEW_PASSWORD)
