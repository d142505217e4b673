"""The dispatcher: each delivery sent once, retried with backoff, recovered when cut off."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from ginnel.communities.models import MembershipStatus
from ginnel.notifications import dispatch, queue
from ginnel.notifications.channels import notify as notify_channel
from ginnel.notifications.models import ContactSettings, Delivery, DeliveryStatus, Notification
from ginnel.notifications.tests.sending import (
    SENSITIVE,
    SITE,
    reachable,
    tell,
    use_notify,
    use_test_templates,
)
from ginnel.testing.fake_notify import FakeNotify

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def templates(settings):
    use_test_templates(settings)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.GINNEL_NOTIFY_API_KEY = ""
    settings.TIME_ZONE = "Europe/London"


@pytest.fixture
def fake(settings):
    with FakeNotify() as notify:
        use_notify(settings, notify)
        yield notify


def fresh(delivery: Delivery) -> Delivery:
    return Delivery.objects.get(pk=delivery.pk)


def a_text(community, member):
    """A text message waiting to go (the notification's email and letter taken away)."""
    reachable(community, member)
    sms = tell(community, member)["sms"]
    Delivery.objects.exclude(pk=sms.pk).delete()
    return sms


def due_before(moment):
    Delivery.objects.update(next_attempt_at=moment - timedelta(hours=3))


# Sending --------------------------------------------------------------------------------------


def test_a_text_goes_to_notify_once_with_its_reference(community, member, fake):
    sms = a_text(community, member)
    assert dispatch.send_deliveries([sms.pk]) == 1
    [sent] = fake.sent
    assert sent["reference"] == sms.idempotency_key
    assert sent["phone_number"] == "07700 900123"
    assert sent["personalisation"]["body"] == (
        f"Ironing & folding is waiting: {SITE}/c/calder-vale/things/1/"
    )
    sms = fresh(sms)
    assert sms.status == DeliveryStatus.SENT
    assert sms.provider_reference == sent["id"]
    assert sms.attempts == 1
    assert sms.sent_at is not None
    # Sending the same id again sends nothing.
    assert dispatch.send_deliveries([sms.pk]) == 0
    assert len(fake.sent) == 1


def test_every_channel_of_a_notification_goes_by_its_own_way(community, member, fake):
    reachable(community, member)
    deliveries = tell(community, member)
    assert dispatch.send_deliveries([d.pk for d in deliveries.values()]) == 3
    assert sorted(n["type"] for n in fake.sent) == ["letter", "sms"]
    [email] = mail.outbox
    assert email.to == ["Mo Member <member@example.org>"]
    [letter] = [n for n in fake.sent if n["type"] == "letter"]
    assert letter["personalisation"]["address_line_1"] == "Sam Carer"
    assert letter["personalisation"]["address_line_4"] == "HX7 8AA"


def test_an_email_sent_carries_its_one_click_unsubscribe(community, member):
    email = tell(community, member)["email"]
    dispatch.send_deliveries([email.pk])
    [sent] = mail.outbox
    link = sent.extra_headers["List-Unsubscribe"]
    assert link.startswith(f"<{SITE}/notifications/unsubscribe/")
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_email_by_notify_when_chosen(settings, community, member, fake):
    settings.GINNEL_NOTIFY_EMAIL_CHANNEL = "notify"
    email = tell(community, member)["email"]
    dispatch.send_deliveries([email.pk])
    assert mail.outbox == []
    [sent] = fake.sent
    assert sent["email_address"] == "member@example.org"
    assert sent["personalisation"]["subject"] == "Ironing & folding needs you"
    assert sent["one_click_unsubscribe_url"].startswith(f"{SITE}/notifications/unsubscribe/")


def test_a_sensitive_kind_sends_notify_nothing_of_its_context(community, member, fake):
    reachable(community, member)
    deliveries = tell(community, member, kind=SENSITIVE, context={"condition": "Bereavement"})
    dispatch.send_deliveries([d.pk for d in deliveries.values()])
    assert len(fake.sent) == 2
    for sent in fake.sent:
        assert "Bereavement" not in str(sent["personalisation"])
    assert "Bereavement" not in f"{mail.outbox[0].subject} {mail.outbox[0].body}"
    # The inbox keeps the whole of it.
    assert Notification.objects.get(recipient=member).context == {"condition": "Bereavement"}


# Retries and backoff --------------------------------------------------------------------------


def test_notify_failing_once_is_retried_after_a_minute_and_delivered_once(community, member, fake):
    sms = a_text(community, member)
    fake.fail_next(1, status=500)
    now = timezone.now()
    assert dispatch.send_deliveries([sms.pk], now=now) == 0
    waiting = fresh(sms)
    assert waiting.status == DeliveryStatus.PENDING
    assert waiting.attempts == 1
    assert waiting.next_attempt_at == now + timedelta(minutes=1)
    assert "500" in waiting.last_error
    # Not due yet: the sweep leaves it.
    assert dispatch.send_due(now=now + timedelta(seconds=59)) == 0
    assert dispatch.send_due(now=now + timedelta(minutes=1)) == 1
    assert fresh(sms).status == DeliveryStatus.SENT
    assert fresh(sms).attempts == 2
    assert len(fake.sent) == 1


def test_notify_refusing_fails_at_once_without_retrying(community, member, fake):
    sms = a_text(community, member)
    fake.fail_next(1, status=400)
    dispatch.send_deliveries([sms.pk])
    failed = fresh(sms)
    assert failed.status == DeliveryStatus.FAILED
    assert failed.attempts == 1
    assert "400" in failed.last_error
    assert dispatch.send_due(now=timezone.now() + timedelta(days=1)) == 0
    assert fake.sent == []


def test_the_waits_double_from_a_minute_until_the_sixth_try_fails(community, member, fake):
    sms = a_text(community, member)
    fake.fail_next(100, status=503)
    now = timezone.now()
    waits = []
    for _ in range(6):
        dispatch.send_due(now=now)
        row = fresh(sms)
        if row.status == DeliveryStatus.FAILED:
            break
        waits.append(row.next_attempt_at - now)
        now = row.next_attempt_at
    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16)]
    assert fresh(sms).status == DeliveryStatus.FAILED
    assert fresh(sms).attempts == dispatch.MAX_ATTEMPTS == 6


def test_the_wait_is_never_longer_than_an_hour():
    assert dispatch.backoff(7) == timedelta(minutes=60)
    assert dispatch.backoff(50) == timedelta(hours=1)


# Once and once only ---------------------------------------------------------------------------


def test_two_workers_holding_the_same_delivery_send_it_once(community, member, fake):
    sms = a_text(community, member)
    # Both read it while it was pending, before either claimed it.
    first = dispatch._load([sms.pk])
    second = dispatch._load([sms.pk])
    now = timezone.now()
    sent = [
        dispatch._send_one(delivery, contact, dispatch._Senders(), now)
        for delivery, contact in (*first, *second)
    ]
    assert sent == [True, False]
    assert len(fake.sent) == 1
    assert fresh(sms).attempts == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_delivery_at_once_send_it_once(
    monkeypatch, community, member, fake
):
    monkeypatch.setattr(queue, "_sender", [lambda ids: None])  # no inline send on commit
    sms = a_text(community, member)
    fake.hold(0.5)  # the first send is still in flight while the second worker tries
    start = threading.Barrier(2)
    counts = []

    def worker():
        try:
            start.wait()
            counts.append(dispatch.send_deliveries([sms.pk]))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(counts) == [0, 1]
    assert len(fake.sent) == 1
    assert fresh(sms).status == DeliveryStatus.SENT
    assert fresh(sms).attempts == 1


def test_a_send_cut_off_after_notify_took_it_is_marked_sent_not_sent_again(community, member, fake):
    sms = a_text(community, member)
    now = timezone.now()
    # A worker claimed it, Notify accepted it, and the worker died before writing so.
    Delivery.objects.filter(pk=sms.pk).update(
        status=DeliveryStatus.SENDING, claimed_at=now - timedelta(minutes=6), attempts=1
    )
    accepted = notify_channel.NotifySms.from_settings().send(dispatch.render(sms))
    assert dispatch.send_due(now=now) == 1
    row = fresh(sms)
    assert row.status == DeliveryStatus.SENT
    assert row.provider_reference == accepted
    assert len(fake.sent) == 1


def test_a_send_cut_off_before_notify_took_it_is_sent_by_the_sweep(community, member, fake):
    sms = a_text(community, member)
    now = timezone.now()
    Delivery.objects.filter(pk=sms.pk).update(
        status=DeliveryStatus.SENDING, claimed_at=now - timedelta(minutes=6), attempts=1
    )
    assert dispatch.send_due(now=now) == 1
    assert fresh(sms).status == DeliveryStatus.SENT
    assert fresh(sms).attempts == 2
    assert len(fake.sent) == 1


def test_a_send_still_within_its_lease_is_left_to_its_worker(community, member, fake):
    sms = a_text(community, member)
    now = timezone.now()
    Delivery.objects.filter(pk=sms.pk).update(
        status=DeliveryStatus.SENDING, claimed_at=now - timedelta(minutes=4), attempts=1
    )
    assert dispatch.send_due(now=now) == 0
    assert fresh(sms).status == DeliveryStatus.SENDING
    # A shorter lease (as a test of a killed worker would use) takes it back.
    assert dispatch.send_due(now=now, lease=timedelta(minutes=3)) == 1
    assert len(fake.sent) == 1


def test_a_timed_out_send_that_notify_took_is_not_sent_again(monkeypatch, community, member, fake):
    monkeypatch.setattr(notify_channel, "TIMEOUT", 0.3)
    sms = a_text(community, member)
    fake.hold(1)
    now = timezone.now()
    dispatch.send_deliveries([sms.pk], now=now)
    assert fresh(sms).status == DeliveryStatus.PENDING  # a timeout may pass: try again
    fake.hold(0)
    assert dispatch.send_due(now=now + timedelta(minutes=1)) == 1
    assert fresh(sms).status == DeliveryStatus.SENT
    assert len(fake.sent) == 1  # the retry asked Notify first, and Notify had it


def test_email_over_smtp_cut_off_is_sent_again_at_least_once(community, member):
    email = tell(community, member)["email"]
    now = timezone.now()
    Delivery.objects.filter(pk=email.pk).update(
        status=DeliveryStatus.SENDING, claimed_at=now - timedelta(minutes=6), attempts=1
    )
    assert dispatch.send_due(now=now) == 1
    assert len(mail.outbox) == 1
    assert fresh(email).status == DeliveryStatus.SENT


# Who and when ---------------------------------------------------------------------------------


def test_someone_who_has_left_is_not_sent_it(community, member):
    email = tell(community, member)["email"]
    member.membership.status = MembershipStatus.LEFT
    member.membership.save()
    dispatch.send_deliveries([email.pk])
    assert mail.outbox == []
    assert fresh(email).status == DeliveryStatus.CANCELLED
    assert fresh(email).last_error == "They are no longer a member."


def test_a_text_to_a_number_taken_away_since_is_cancelled_not_failed(community, member, fake):
    sms = a_text(community, member)
    member.phone = ""
    member.save()
    dispatch.send_deliveries([sms.pk])
    assert fresh(sms).status == DeliveryStatus.CANCELLED
    assert fresh(sms).last_error == "There is no address to send it to any more."
    assert fake.sent == []


def test_without_notify_texts_are_cancelled_with_the_reason_and_email_still_goes(community, member):
    reachable(community, member)
    deliveries = tell(community, member)
    dispatch.send_deliveries([d.pk for d in deliveries.values()])
    assert fresh(deliveries["sms"]).status == DeliveryStatus.CANCELLED
    assert "GOV.UK Notify" in fresh(deliveries["sms"]).last_error
    assert fresh(deliveries["email"]).status == DeliveryStatus.SENT
    assert len(mail.outbox) == 1


def test_a_letter_to_an_unusable_address_fails_with_a_clear_reason(community, member, fake):
    reachable(community, member, address="1 Mill Row\nHebble End")
    letter = tell(community, member)["letter"]
    dispatch.send_deliveries([letter.pk])
    failed = fresh(letter)
    assert failed.status == DeliveryStatus.FAILED
    assert "postcode" in failed.last_error
    assert fake.sent == []


def quiet(member, start, end):
    ContactSettings.objects.update_or_create(
        person=member,
        community=member.community,
        defaults={"quiet_from": start, "quiet_until": end},
    )


def test_quiet_hours_hold_email_and_texts_till_morning_but_not_letters(community, member, fake):
    reachable(community, member)
    quiet(member, time(22, 0), time(7, 0))
    deliveries = tell(community, member)
    night = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)  # 23:30 in London in winter
    due_before(night)
    dispatch.send_deliveries([d.pk for d in deliveries.values()], now=night)
    assert [n["type"] for n in fake.sent] == ["letter"]
    assert mail.outbox == []
    morning = datetime(2026, 12, 3, 7, 0, tzinfo=UTC)
    for channel in ("email", "sms"):
        assert fresh(deliveries[channel]).status == DeliveryStatus.PENDING
        assert fresh(deliveries[channel]).next_attempt_at == morning
        assert fresh(deliveries[channel]).attempts == 0
    assert dispatch.send_due(now=morning) == 2
    assert len(mail.outbox) == 1


def test_quiet_hours_are_kept_in_the_communitys_summer_time(community, member):
    quiet(member, time(22, 0), time(7, 0))
    email = tell(community, member)["email"]
    night = datetime(2026, 7, 1, 22, 30, tzinfo=UTC)  # 23:30 British Summer Time
    due_before(night)
    dispatch.send_deliveries([email.pk], now=night)
    assert fresh(email).next_attempt_at == datetime(2026, 7, 2, 6, 0, tzinfo=UTC)  # 07:00 BST
    # Outside them (21:30 BST), it goes.
    Delivery.objects.filter(pk=email.pk).update(next_attempt_at=night - timedelta(hours=2))
    dispatch.send_deliveries([email.pk], now=night - timedelta(hours=2))
    assert len(mail.outbox) == 1


def test_quiet_hours_within_a_day(community, member):
    quiet(member, time(13, 0), time(14, 30))
    email = tell(community, member)["email"]
    lunch = datetime(2026, 12, 2, 13, 15, tzinfo=UTC)
    due_before(lunch)
    dispatch.send_deliveries([email.pk], now=lunch)
    assert fresh(email).next_attempt_at == datetime(2026, 12, 2, 14, 30, tzinfo=UTC)


times = st.times().map(lambda t: t.replace(microsecond=0))


@given(
    start=times,
    end=times,
    now=st.datetimes(
        # Hypothesis takes naive bounds and adds the zone itself.
        min_value=datetime(2026, 1, 1),  # noqa: DTZ001
        max_value=datetime(2027, 12, 31),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
)
def test_a_quiet_period_ends_within_a_day_at_its_end_time_and_only_inside_it(start, end, now):
    until = dispatch.quiet_end(start, end, now, LONDON)
    moment = now.astimezone(LONDON).time().replace(tzinfo=None)
    inside = start != end and (
        (start <= moment < end) if start < end else (moment >= start or moment < end)
    )
    assert (until is not None) == inside
    if until is not None:
        assert now < until <= now + timedelta(hours=25)  # a day, and an hour when clocks change
        local_end = until.astimezone(LONDON).time()
        # Where the clocks jump past the end time, the period ends an hour after it.
        assert local_end.minute == end.minute
        assert local_end.hour in (end.hour, (end.hour + 1) % 24)
