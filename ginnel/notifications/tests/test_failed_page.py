"""The failed sends page: coordinators see what could not be sent and try it again; no one else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ginnel.communities.models import Role
from ginnel.communities.permissions import ROLE_PERMISSIONS, Perm
from ginnel.notifications.models import Delivery, DeliveryStatus
from ginnel.notifications.tests.sending import SENSITIVE, tell, use_test_templates

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def templates(settings):
    use_test_templates(settings)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.GINNEL_NOTIFY_API_KEY = ""


def failed_email(community, person, *, kind=None, error="The mail server refused it.", key=""):
    extra = {"kind": kind} if kind else {}
    email = tell(community, person, key=key, **extra)["email"]
    Delivery.objects.filter(pk=email.pk).update(
        status=DeliveryStatus.FAILED, attempts=6, last_error=error, claimed_at=timezone.now()
    )
    return Delivery.objects.get(pk=email.pk)


def page_url(community):
    return reverse("notifications:failed", kwargs={"community": community.slug})


def retry_url(community, delivery):
    return reverse(
        "notifications:failed_retry",
        kwargs={"community": community.slug, "delivery_id": delivery.pk},
    )


def test_a_coordinator_sees_what_failed_to_whom_by_what_and_why(
    client_for, community, coordinator, member
):
    failed_email(community, member, error="The mail server refused the address.")
    answer = client_for(coordinator).get(page_url(community))
    assert answer.status_code == 200
    text = answer.content.decode()
    assert "A test notification" in text
    assert "Mo Member" in text
    assert "Email" in text
    assert "The mail server refused the address." in text
    assert ">6<" in text  # its tries
    assert "1 send failed." in text


def test_only_failed_sends_of_this_community_are_listed(
    client_for, community, other_community, coordinator, member, make_member
):
    failed_email(community, member)
    tell(community, member, key="sent-fine")  # pending: not failed
    neighbour = make_member(other_community, name="Nia Neighbour")
    failed_email(other_community, neighbour)
    text = client_for(coordinator).get(page_url(community)).content.decode()
    assert "1 send failed." in text
    assert "Nia Neighbour" not in text


def test_failed_sends_of_referral_kinds_show_to_coordinators_who_read_referrals(
    client_for, community, coordinator, member
):
    failed_email(community, member, kind=SENSITIVE)
    text = client_for(coordinator).get(page_url(community)).content.decode()
    assert "A test referral" in text


def test_failed_sends_of_referral_kinds_are_hidden_from_coordinators_who_may_not_read_referrals(
    monkeypatch, client_for, community, coordinator, member
):
    without = ROLE_PERMISSIONS[Role.COORDINATOR] - {Perm.ALLOCATE_REFERRALS}
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.COORDINATOR, without)
    hidden = failed_email(community, member, kind=SENSITIVE)
    asker = client_for(coordinator)
    text = asker.get(page_url(community)).content.decode()
    assert "A test referral" not in text
    assert "Nothing has failed to send." in text
    assert asker.post(retry_url(community, hidden)).status_code == 404
    assert Delivery.objects.get(pk=hidden.pk).status == DeliveryStatus.FAILED


@pytest.mark.parametrize("who", ["member", "link_worker", "analyst", "org_editor", "outsider"])
def test_people_who_do_not_coordinate_here_are_refused(client_for, community, member, who, request):
    delivery = failed_email(community, member)
    person = request.getfixturevalue(who)
    asker = client_for(person)
    assert asker.get(page_url(community)).status_code == 403
    assert asker.post(retry_url(community, delivery)).status_code == 403
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.FAILED


def test_anyone_not_signed_in_is_sent_to_sign_in(client_for, community, member):
    delivery = failed_email(community, member)
    for answer in (
        client_for(None).get(page_url(community)),
        client_for(None).post(retry_url(community, delivery)),
    ):
        assert answer.status_code == 302
        assert "login" in answer["Location"]
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.FAILED


def test_try_again_sends_it_once_more_with_its_tries_counted_afresh(
    client_for, community, coordinator, member, django_capture_on_commit_callbacks
):
    delivery = failed_email(community, member)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client_for(coordinator).post(retry_url(community, delivery))
    assert answer.status_code == 302
    assert answer["Location"] == page_url(community)
    sent = Delivery.objects.get(pk=delivery.pk)
    assert sent.status == DeliveryStatus.SENT
    assert sent.attempts == 1
    assert sent.last_error == ""
    [email] = mail.outbox
    assert email.to == ["Mo Member <member@example.org>"]
    page = client_for(coordinator).get(page_url(community)).content.decode()
    assert "Nothing has failed to send." in page


def test_try_again_only_by_post(client_for, community, coordinator, member):
    delivery = failed_email(community, member)
    assert client_for(coordinator).get(retry_url(community, delivery)).status_code == 405
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.FAILED


def test_try_again_on_another_communitys_send_is_not_found(
    client_for, community, other_community, coordinator, make_member
):
    neighbour = make_member(other_community, name="Nia Neighbour")
    theirs = failed_email(other_community, neighbour)
    assert client_for(coordinator).post(retry_url(community, theirs)).status_code == 404
    assert Delivery.objects.get(pk=theirs.pk).status == DeliveryStatus.FAILED


def test_try_again_on_a_send_that_did_not_fail_changes_nothing(
    client_for, community, coordinator, member
):
    sent = tell(community, member)["email"]
    Delivery.objects.filter(pk=sent.pk).update(status=DeliveryStatus.SENT, attempts=1)
    answer = client_for(coordinator).post(retry_url(community, sent), follow=True)
    assert "That send is no longer among the failed ones." in answer.content.decode()
    assert Delivery.objects.get(pk=sent.pk).status == DeliveryStatus.SENT
    assert mail.outbox == []


def test_the_list_is_paged_latest_first_and_its_queries_do_not_grow(
    client_for, community, coordinator, make_member
):
    people = [make_member(community, name=f"Person {n:02d}") for n in range(25)]
    now = timezone.now()
    for n, person in enumerate(people):
        delivery = failed_email(community, person)
        Delivery.objects.filter(pk=delivery.pk).update(claimed_at=now - timedelta(minutes=n))
    asker = client_for(coordinator)
    first = asker.get(page_url(community)).content.decode()
    second = asker.get(page_url(community) + "?page=2").content.decode()
    assert "Person 00" in first  # the latest try
    assert "Person 19" in first
    assert "Person 20" not in first
    assert "Person 20" in second
    assert "Person 24" in second
    assert "Page 2 of 2" in second

    with CaptureQueriesContext(connection) as full:
        asker.get(page_url(community))
    Delivery.objects.filter(notification__recipient__in=people[3:]).delete()
    with CaptureQueriesContext(connection) as short:
        asker.get(page_url(community))
    assert len(full) == len(short)


def test_the_home_page_tells_a_coordinator_and_no_member_of_failed_sends(
    client_for, community, coordinator, member
):
    home = reverse("web:community_home", args=[community.slug])
    assert "could not be sent" not in client_for(coordinator).get(home).content.decode()
    failed_email(community, member)
    text = client_for(coordinator).get(home).content.decode()
    assert "1 message could not be sent" in text
    assert page_url(community) in text
    assert "could not be sent" not in client_for(member).get(home).content.decode()
