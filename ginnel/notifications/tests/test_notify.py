"""notify(): who is told, by which channel, how often — decided when the change is written."""

from __future__ import annotations

import pytest

from ginnel.communities.models import MembershipStatus
from ginnel.notifications import filters, kinds, services
from ginnel.notifications.kinds import Channel, Frequency, Kind
from ginnel.notifications.models import (
    CommunityChannels,
    ContactSettings,
    Delivery,
    DeliveryStatus,
    Notification,
    Preference,
)

pytestmark = pytest.mark.django_db

TRIED = kinds.register(
    Kind(
        code="tests.tried",
        label="Something was tried",
        audience="Whoever the test names",
        templates="notifications/tests/tried",
        defaults={Channel.EMAIL: Frequency.IMMEDIATELY, Channel.SMS: Frequency.IMMEDIATELY},
    )
)


def tell(community, *people, actor=None, **extra):
    return services.notify(
        community=community, kind=TRIED.code, recipients=people, actor=actor, **extra
    )


def channels_of(person) -> dict[str, str]:
    return dict(
        Delivery.objects.filter(notification__recipient=person).values_list("channel", "status")
    )


def test_each_recipient_gets_an_inbox_entry_and_an_email_by_default(community, member, coordinator):
    made = tell(community, member, coordinator, url="/c/x/", context={"title": "Ironing"})
    assert {n.recipient for n in made} == {member, coordinator}
    assert channels_of(member) == {"email": DeliveryStatus.PENDING}
    assert Notification.objects.get(recipient=member).context == {"title": "Ironing"}


def test_the_actor_is_never_told_of_their_own_doing(community, member, coordinator):
    tell(community, member, coordinator, actor=coordinator)
    assert list(Notification.objects.values_list("recipient", flat=True)) == [member.pk]


def test_never_across_communities(community, member, outsider):
    tell(community, member, outsider)
    assert list(Notification.objects.values_list("recipient", flat=True)) == [member.pk]


def test_not_someone_who_has_left(community, member):
    member.membership.status = MembershipStatus.LEFT
    member.membership.save()
    assert tell(community, member) == []
    assert not Notification.objects.exists()


def test_a_registered_filter_leaves_people_out(community, member, coordinator):
    def leave_out_member(*, community_id, actor_id, recipient_ids):
        return [member.pk] if actor_id == coordinator.pk else []

    filters.exclude_recipients(leave_out_member)
    try:
        tell(community, member, actor=coordinator)
        assert not Notification.objects.exists()
    finally:
        filters._filters.remove(leave_out_member)


def test_preferences_choose_digest_or_nothing(community, member, coordinator):
    Preference.objects.create(
        community=community, person=member, kind=TRIED.code, channel="email", frequency="daily"
    )
    Preference.objects.create(
        community=community, person=coordinator, kind=TRIED.code, channel="email", frequency="off"
    )
    tell(community, member, coordinator)
    assert channels_of(member) == {"email": DeliveryStatus.HELD}
    assert channels_of(coordinator) == {}
    # The inbox has it whatever the channels.
    assert Notification.objects.filter(recipient=coordinator).exists()


def test_texts_only_where_the_community_pays_for_them_and_there_is_a_number(
    community, member, coordinator
):
    member.phone = "07700 900123"
    member.save()
    tell(community, member)
    assert "sms" not in channels_of(member)
    CommunityChannels.objects.create(community=community, texts_enabled=True)
    tell(community, member, coordinator, dedupe_key="second")
    assert channels_of(member)["sms"] == DeliveryStatus.PENDING
    assert "sms" not in channels_of(coordinator)  # no number


def test_letters_go_to_the_address_a_coordinator_set(community, member):
    CommunityChannels.objects.create(community=community, letters_enabled=True)
    Preference.objects.create(
        community=community, person=member, kind=TRIED.code, channel="letter", frequency="weekly"
    )
    tell(community, member, dedupe_key="one")
    assert "letter" not in channels_of(member)
    ContactSettings.objects.create(
        community=community, person=member, letter_name="Sam (carer)", letter_address="1 Mill Row"
    )
    tell(community, member, dedupe_key="two")
    assert channels_of(member)["letter"] == DeliveryStatus.HELD


def test_a_dedupe_key_makes_a_reminder_once(community, member):
    tell(community, member, dedupe_key="due:2026-12-02")
    tell(community, member, dedupe_key="due:2026-12-02")
    assert Notification.objects.count() == 1
    assert Delivery.objects.count() == 1


def test_each_delivery_has_its_own_idempotency_key(community, member, coordinator):
    tell(community, member, coordinator)
    keys = list(Delivery.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == len(set(keys)) == 2


def test_inside_inbox_only_nothing_is_sent(community, member):
    with services.inbox_only():
        tell(community, member)
    assert Notification.objects.filter(recipient=member).exists()
    assert not Delivery.objects.exists()
