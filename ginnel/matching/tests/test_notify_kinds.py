"""What introductions tell people: who hears that one was asked for, and that one was made."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string

from ginnel.communities.models import Role
from ginnel.communities.permissions import access_for
from ginnel.matching import services
from ginnel.matching.models import Introduction
from ginnel.notifications.kinds import get
from ginnel.notifications.models import Notification
from ginnel.people.models import Consent, ConsentPurpose, StrengthsProfile

pytestmark = pytest.mark.django_db

REQUESTED = "matching.introduction_requested"
MADE = "matching.introduction_made"


def told(kind):
    return set(
        Notification.objects.filter(kind=kind).values_list("recipient__display_name", flat=True)
    )


def peer_of(person, topics):
    StrengthsProfile.objects.create(community=person.community, person=person, peer_topics=topics)
    Consent.objects.create(
        community=person.community, person=person, purpose=ConsentPurpose.PEER_SUPPORT
    )


@pytest.fixture
def james(community, member, make_member):
    """Mo and James both chose to connect about caring for a parent."""
    james = make_member(community, name="James W.")
    peer_of(member, "Caring for a parent")
    peer_of(james, "caring for a parent")
    return james


@pytest.fixture
def staff(community, coordinator, administrator, link_worker, org_editor, analyst, outsider):
    """Everyone with a role, here and in the other community."""
    return coordinator, administrator


def ask(person, other, *, by=None):
    return services.introduction_request(
        access=access_for((by or person).membership.user, person.community),
        person_id=None if by is None else person.pk,
        kind="peer",
        candidate=f"peers:{other.pk}",
        note="She would like someone to talk to about her mum",
    )


def test_asking_tells_the_coordinators_and_administrators_and_no_one_else(
    staff, member, james, coordinator, administrator
):
    ask(member, james)

    assert told(REQUESTED) == {coordinator.display_name, administrator.display_name}
    entry = Notification.objects.filter(kind=REQUESTED).first()
    assert entry.actor == member
    assert entry.context["asker"] == "Mo Member"
    assert entry.context["other"] == "James W."


def test_a_coordinator_asking_for_someone_is_not_told_of_their_own_request(
    staff, member, james, coordinator, administrator
):
    ask(member, james, by=coordinator)

    assert told(REQUESTED) == {administrator.display_name}


def test_the_request_carries_no_reason_or_note_the_page_keeps_behind_a_login(staff, member, james):
    ask(member, james)

    for entry in Notification.objects.filter(kind=REQUESTED):
        text = str(entry.context).lower()
        assert "caring for a parent" not in text
        assert "mum" not in text


def test_the_inbox_line_says_who_asked_for_whom(staff, member, james, coordinator):
    ask(member, james)
    entry = Notification.objects.get(kind=REQUESTED, recipient=coordinator)

    title = render_to_string(f"{get(REQUESTED).templates}/title.txt", entry.context).strip()

    assert title == "Mo Member asked to be introduced to James W."


@pytest.fixture
def introduction(community, member, james, link_worker):
    return Introduction.objects.create(
        community=community,
        person=member,
        other=james,
        kind="peer",
        candidate=f"person:{james.pk}",
        requested_by=link_worker.membership,
    )


def decide(introduction, by, *, made=True):
    return services.introduction_decide(
        access=access_for(by.membership.user, by.community),
        introduction_id=introduction.pk,
        made=made,
    )


def test_making_it_tells_both_people_and_the_link_worker_who_asked_not_the_coordinator(
    staff, introduction, member, james, link_worker, coordinator
):
    decide(introduction, coordinator)

    assert told(MADE) == {member.display_name, james.display_name, link_worker.display_name}
    mine = Notification.objects.get(kind=MADE, recipient=member)
    theirs = Notification.objects.get(kind=MADE, recipient=james)
    assert mine.context["other"] == "James W."
    assert theirs.context["other"] == "Mo Member"
    assert Notification.objects.get(kind=MADE, recipient=link_worker).context["for_someone"] == (
        "Mo Member"
    )


def test_not_making_it_tells_no_one(staff, introduction, coordinator):
    decide(introduction, coordinator, made=False)

    assert not Notification.objects.filter(kind=MADE).exists()


def test_a_member_who_has_left_is_not_told(staff, introduction, member, james, coordinator):
    james.membership.status = "left"
    james.membership.save()

    decide(introduction, coordinator)

    assert james.display_name not in told(MADE)
    assert member.display_name in told(MADE)


def test_a_plain_member_or_another_communitys_administrator_never_hears_of_requests(
    staff, member, james, make_member, community, outsider
):
    bystander = make_member(community, name="Bea Bystander")
    editor = make_member(community, roles=[Role.ORG_EDITOR], name="Ed Editor")
    ask(member, james)

    heard = told(REQUESTED)
    assert not heard & {bystander.display_name, editor.display_name, outsider.display_name}
    assert james.display_name not in heard  # the other person hears only once it is made
