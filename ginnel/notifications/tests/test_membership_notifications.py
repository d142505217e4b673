"""Applications to join: coordinators of that community hear of one; the applicant of the answer."""

from __future__ import annotations

import pytest
from django.template import Context, Engine

from conftest import PASSWORD
from ginnel.communities import services as communities
from ginnel.communities.models import Membership, Role, SignupMode
from ginnel.communities.permissions import access_for
from ginnel.notifications.kinds import get
from ginnel.notifications.models import Delivery, DeliveryStatus, Notification

pytestmark = pytest.mark.django_db

RECEIVED = "communities.application_received"
APPROVED = "communities.application_approved"
DECLINED = "communities.application_declined"


def title_of(notification: Notification) -> str:
    """The inbox line, written as the dispatcher and the inbox write it."""
    context = {
        **notification.context,
        "recipient": notification.recipient.display_name,
        "community": notification.community.name,
        "url": notification.url,
    }
    template = Engine.get_default().get_template(f"{get(notification.kind).templates}/title.txt")
    return " ".join(template.render(Context(context, autoescape=False)).split())


@pytest.fixture
def by_application(community):
    community.signup_mode = SignupMode.APPLICATION
    community.save()
    return community


def apply(community, name="Priya Patel", email="priya@example.org", message=""):
    return communities.member_join(
        community=community,
        user=None,
        email=email,
        password=PASSWORD,
        display_name=name,
        neighbourhood=None,
        application_message=message,
    )


def told(kind):
    return set(Notification.objects.filter(kind=kind).values_list("recipient", flat=True))


def test_coordinators_of_the_community_hear_of_an_application_and_no_one_else(
    by_application,
    coordinator,
    administrator,
    member,
    link_worker,
    analyst,
    outsider,
    make_member,
    other_community,
):
    their_coordinator = make_member(other_community, roles=[Role.COORDINATOR], name="Oona Other")

    apply(by_application, message="I can help with gardening.")

    assert told(RECEIVED) == {coordinator.pk, administrator.pk}
    note = Notification.objects.get(kind=RECEIVED, recipient=coordinator)
    assert title_of(note) == "Priya Patel applied to join Calder Vale Timebank"
    assert note.url.startswith(f"/c/{by_application.slug}/applications/")
    assert note.context["message"] == "I can help with gardening."
    assert Delivery.objects.get(notification=note).status == DeliveryStatus.PENDING
    assert get(RECEIVED).staff
    assert their_coordinator.pk not in told(RECEIVED)


def test_joining_an_open_community_is_no_application_to_tell_of(community, coordinator):
    apply(community)

    assert not Notification.objects.exists()


def test_an_application_to_another_community_is_not_told_here(
    other_community, coordinator, make_member
):
    other_community.signup_mode = SignupMode.APPLICATION
    other_community.save()
    theirs = make_member(other_community, roles=[Role.COORDINATOR], name="Oona Other")

    apply(other_community)

    assert told(RECEIVED) == {theirs.pk}


def test_the_applicant_hears_they_were_approved_and_the_application_is_read_for_all(
    by_application, coordinator, administrator
):
    membership = apply(by_application)

    communities.application_decide(
        access=access_for(coordinator.membership.user, by_application),
        membership_id=membership.pk,
        approve=True,
    )

    applicant = Membership.objects.get(pk=membership.pk).person
    assert told(APPROVED) == {applicant.pk}
    note = Notification.objects.get(kind=APPROVED)
    assert title_of(note) == "Your application to join Calder Vale Timebank was approved"
    assert note.actor == coordinator
    assert note.url == f"/c/{by_application.slug}/"
    assert Delivery.objects.get(notification=note).channel == "email"
    # Decided: the application waits for no coordinator any more.
    assert not Notification.objects.filter(kind=RECEIVED, read_at__isnull=True).exists()


def test_a_declined_applicant_is_emailed_and_no_member_is_told(
    by_application, coordinator, administrator, mailoutbox, django_capture_on_commit_callbacks
):
    membership = apply(by_application)

    with django_capture_on_commit_callbacks(execute=True):
        communities.application_decide(
            access=access_for(administrator.membership.user, by_application),
            membership_id=membership.pk,
            approve=False,
        )

    assert [m.to for m in mailoutbox] == [["Priya Patel <priya@example.org>"]]
    assert mailoutbox[0].subject == "Your application to join Calder Vale Timebank was not accepted"
    assert "Hello Priya Patel," in mailoutbox[0].body
    assert f"/c/{by_application.slug}/join/" in mailoutbox[0].body
    # Through the outbox like any other kind, to the applicant alone.
    assert told(DECLINED) == {Membership.objects.get(pk=membership.pk).person.pk}
    assert told(APPROVED) == set()
    assert Delivery.objects.get(notification__kind=DECLINED).status == "sent"
    assert not Notification.objects.filter(kind=RECEIVED, read_at__isnull=True).exists()


def test_one_application_decided_leaves_another_unread(by_application, coordinator):
    first = apply(by_application)
    apply(by_application, name="Ravi Rao", email="ravi@example.org")

    communities.application_decide(
        access=access_for(coordinator.membership.user, by_application),
        membership_id=first.pk,
        approve=True,
    )

    unread = Notification.objects.filter(kind=RECEIVED, read_at__isnull=True)
    assert [title_of(n) for n in unread] == ["Ravi Rao applied to join Calder Vale Timebank"]
