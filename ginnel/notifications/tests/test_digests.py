"""Digests: one message per person and channel, grouped by kind, sent once per period."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from ginnel.communities.models import Community
from ginnel.notifications.digests import build_and_send_digests, group_lines
from ginnel.notifications.kinds import Channel
from ginnel.notifications.models import Delivery, DeliveryStatus, Notification, Preference
from ginnel.notifications.tests.sending import (
    BARE,
    PLAIN,
    SENSITIVE,
    SITE,
    reachable,
    tell,
    use_notify,
    use_test_templates,
)
from ginnel.people.models import Person
from ginnel.testing.fake_notify import FakeNotify

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
MORNING = datetime(2026, 12, 2, 7, 0, tzinfo=LONDON)  # a Wednesday


@pytest.fixture(autouse=True)
def templates(settings):
    use_test_templates(settings)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.GINNEL_NOTIFY_API_KEY = ""


def choose(person, kind, frequency, channel=Channel.EMAIL):
    Preference.objects.update_or_create(
        person=person,
        kind=kind.code,
        channel=channel.value,
        defaults={"community": person.community, "frequency": frequency},
    )


def held(person, kind, what, at, *, url="/c/calder-vale/things/1/", context=None):
    """One notification, held for a digest, made at ``at``."""
    deliveries = tell(
        person.community, person, kind=kind, context=context or {"what": what}, url=url
    )
    ids = [d.pk for d in deliveries.values()]
    Notification.objects.filter(deliveries__in=ids).update(created_at=at)
    Delivery.objects.filter(pk__in=ids).update(created_at=at)
    return deliveries


def statuses(person):
    return sorted(
        Delivery.objects.filter(notification__recipient=person).values_list(
            "channel", "frequency", "status"
        )
    )


def test_three_notifications_of_two_kinds_make_one_email_grouped_by_kind_in_time_order(
    member, coordinator
):
    for kind in (PLAIN, BARE):
        choose(member, kind, "daily")
        choose(coordinator, kind, "daily")
    evening = MORNING - timedelta(hours=12)
    held(member, PLAIN, "Ironing & folding", evening, url="/c/calder-vale/things/1/")
    held(member, BARE, "Gardening", evening + timedelta(hours=1), url="/c/calder-vale/things/2/")
    held(member, PLAIN, "Shopping", evening + timedelta(hours=2), url="/c/calder-vale/things/3/")
    held(coordinator, PLAIN, "The coordinator's own", evening)

    assert build_and_send_digests("daily", now=MORNING) == 2

    [mine] = [m for m in mail.outbox if "member@example.org" in m.to[0]]
    assert mine.subject == "Your daily digest from Calder Vale Timebank: 3 notifications"
    body = mine.body
    # Grouped by kind: the first kind's two lines together, in the order they came.
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    start = lines.index(str(PLAIN.label))
    assert lines[start : start + 7] == [
        str(PLAIN.label),
        "- Ironing & folding needs you (1 Dec, 19:00)",
        f"{SITE}/c/calder-vale/things/1/",
        "- Shopping needs you (1 Dec, 21:00)",
        f"{SITE}/c/calder-vale/things/3/",
        str(BARE.label),
        "- Gardening needs you (1 Dec, 20:00)",
    ]
    assert "The coordinator's own" not in body
    assert "/c/calder-vale/notifications/preferences/" in body
    # Each included delivery is sent, under one digest key.
    keys = set(
        Delivery.objects.filter(notification__recipient=member).values_list("status", "digest_key")
    )
    assert keys == {(DeliveryStatus.SENT, f"daily:2026-12-02:{member.pk}:email")}


def test_the_digest_email_carries_a_one_click_unsubscribe_for_that_digest(member):
    choose(member, PLAIN, "daily")
    choose(member, BARE, "weekly")
    held(member, PLAIN, "Ironing", MORNING - timedelta(hours=3))
    build_and_send_digests("daily", now=MORNING)
    [sent] = mail.outbox
    link = sent.extra_headers["List-Unsubscribe"].strip("<>")
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    page = Client().get(link.removeprefix(SITE)).content.decode()
    assert "Stop the daily digest emails" in page
    assert not Preference.objects.filter(frequency="off").exists()  # opening changes nothing

    response = Client().post(
        link.removeprefix(SITE),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    # What came daily by email is off; the weekly choice is untouched.
    chosen = dict(
        Preference.objects.filter(person=member, channel="email").values_list("kind", "frequency")
    )
    assert chosen[PLAIN.code] == "off"
    assert chosen[BARE.code] == "weekly"


def test_weekly_ones_wait_for_the_weekly_run(member):
    choose(member, PLAIN, "daily")
    choose(member, BARE, "weekly")
    held(member, PLAIN, "Ironing", MORNING - timedelta(hours=3))
    held(member, BARE, "Gardening", MORNING - timedelta(hours=2))

    assert build_and_send_digests("daily", now=MORNING) == 1
    assert "Gardening" not in mail.outbox[0].body
    assert ("email", "weekly", DeliveryStatus.HELD) in statuses(member)

    monday = datetime(2026, 12, 7, 7, 0, tzinfo=LONDON)
    assert build_and_send_digests("weekly", now=monday) == 1
    weekly = mail.outbox[1]
    assert weekly.subject == "Your weekly digest from Calder Vale Timebank: 1 notification"
    assert "Gardening needs you" in weekly.body
    assert "Ironing" not in weekly.body
    assert set(Delivery.objects.values_list("digest_key", flat=True)) == {
        f"daily:2026-12-02:{member.pk}:email",
        f"weekly:2026-W50:{member.pk}:email",
    }


def test_a_second_run_in_the_same_period_sends_nothing(member):
    choose(member, PLAIN, "daily")
    held(member, PLAIN, "Ironing", MORNING - timedelta(hours=3))
    assert build_and_send_digests("daily", now=MORNING) == 1
    assert build_and_send_digests("daily", now=MORNING + timedelta(minutes=5)) == 0
    assert len(mail.outbox) == 1

    # Something held after the day's digest went waits for tomorrow's, even if run again today.
    held(member, PLAIN, "Shopping", MORNING + timedelta(hours=1))
    assert build_and_send_digests("daily", now=MORNING + timedelta(hours=2)) == 0
    assert build_and_send_digests("daily", now=MORNING + timedelta(days=1)) == 1
    assert "Shopping" in mail.outbox[1].body
    assert "Ironing" not in mail.outbox[1].body


def test_nothing_held_sends_nothing(member):
    tell(member.community, member)  # straight away, not held
    assert build_and_send_digests("daily", now=MORNING) == 0
    assert build_and_send_digests("weekly", now=MORNING) == 0


def test_what_comes_after_the_run_waits_for_the_next(member):
    choose(member, PLAIN, "daily")
    held(member, PLAIN, "Later", MORNING + timedelta(minutes=1))
    assert build_and_send_digests("daily", now=MORNING) == 0
    assert statuses(member) == [("email", "daily", DeliveryStatus.HELD)]


def test_a_sensitive_kind_is_a_generic_line_that_names_nothing(member):
    choose(member, SENSITIVE, "daily")
    choose(member, PLAIN, "daily")
    held(
        member,
        SENSITIVE,
        "",
        MORNING - timedelta(hours=2),
        context={"condition": "Diabetes support"},
        url="/c/calder-vale/referrals/9/",
    )
    held(member, PLAIN, "Ironing", MORNING - timedelta(hours=1))
    build_and_send_digests("daily", now=MORNING)
    [sent] = mail.outbox
    assert "Diabetes" not in sent.body
    assert str(SENSITIVE.label) not in sent.body
    assert "Something is waiting for you in Ginnel" in sent.body
    assert f"{SITE}/c/calder-vale/referrals/9/" in sent.body
    assert "Ironing needs you" in sent.body


def test_a_failed_send_that_may_pass_is_kept_for_the_next_run(settings, member):
    choose(member, PLAIN, "daily")
    held(member, PLAIN, "Ironing", MORNING - timedelta(hours=3))
    with FakeNotify() as fake:
        use_notify(settings, fake, email="notify")
        fake.fail_next(1, 500)
        assert build_and_send_digests("daily", now=MORNING) == 0
        assert Delivery.objects.get().status == DeliveryStatus.HELD
        assert Delivery.objects.get().digest_key == ""
        assert build_and_send_digests("daily", now=MORNING + timedelta(minutes=10)) == 1
        [sent] = fake.sent
        assert sent["reference"] == f"daily:2026-12-02:{member.pk}:email"
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_a_run_cut_off_after_sending_is_not_sent_again_where_notify_can_be_asked(settings, member):
    choose(member, PLAIN, "daily")
    held(member, PLAIN, "Ironing", MORNING - timedelta(hours=3))
    with FakeNotify() as fake:
        use_notify(settings, fake, email="notify")
        assert build_and_send_digests("daily", now=MORNING) == 1
        # As if the run died after Notify accepted it but before marking it sent.
        Delivery.objects.update(status=DeliveryStatus.HELD, claimed_at=MORNING)
        later = MORNING + timedelta(hours=1)
        assert build_and_send_digests("daily", now=later) == 1  # found, not sent again
        assert len(fake.sent) == 1
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_a_weekly_letter_goes_to_the_carer_named_by_a_coordinator(settings, member):
    reachable(member.community, member)
    choose(member, PLAIN, "weekly", channel=Channel.LETTER)
    choose(member, PLAIN, "off")
    Preference.objects.filter(channel="sms").delete()
    choose(member, PLAIN, "off", channel=Channel.SMS)
    held(member, PLAIN, "Ironing", MORNING - timedelta(days=2))
    held(member, PLAIN, "Shopping", MORNING - timedelta(days=1))
    with FakeNotify() as fake:
        use_notify(settings, fake)
        assert build_and_send_digests("weekly", now=datetime(2026, 12, 7, 7, tzinfo=LONDON)) == 1
        [letter] = fake.sent
    assert letter["personalisation"]["address_line_1"] == "Sam Carer"
    assert "Ironing needs you" in letter["personalisation"]["body"]
    assert "Shopping needs you" in letter["personalisation"]["body"]


def test_texts_have_no_digest_and_one_held_is_sent_on_its_own(settings, member):
    reachable(member.community, member)
    choose(member, PLAIN, "off")
    choose(member, PLAIN, "off", channel=Channel.LETTER)
    choose(member, PLAIN, "daily", channel=Channel.SMS)
    held(member, PLAIN, "Ironing", MORNING - timedelta(hours=3))
    with FakeNotify() as fake:
        use_notify(settings, fake)
        assert build_and_send_digests("daily", now=MORNING) == 0  # no digest message
    assert statuses(member) == [("sms", "daily", DeliveryStatus.PENDING)]
    assert mail.outbox == []


def test_someone_who_has_left_gets_no_digest(member):
    choose(member, PLAIN, "daily")
    held(member, PLAIN, "Ironing", MORNING - timedelta(hours=3))
    member.membership.status = "left"
    member.membership.save()
    assert build_and_send_digests("daily", now=MORNING) == 0
    assert statuses(member) == [("email", "daily", DeliveryStatus.CANCELLED)]


def test_only_daily_or_weekly():
    with pytest.raises(ValueError, match="daily or weekly"):
        build_and_send_digests("hourly")


@given(
    made=st.lists(
        st.tuples(st.sampled_from([PLAIN, BARE, SENSITIVE]), st.integers(0, 24 * 60)),
        min_size=1,
        max_size=12,
    )
)
@hypothesis_settings(max_examples=40, deadline=None)
def test_grouping_keeps_every_line_once_each_kind_together_in_the_order_they_came(made):
    community = Community(name="Calder Vale Timebank", slug="calder-vale")
    person = Person(display_name="Mo Member")
    items = []
    for number, (kind, minutes) in enumerate(made, start=1):
        notification = Notification(
            pk=number,
            kind=kind.code,
            recipient=person,
            url=f"/c/calder-vale/things/{number}/",
            context={"what": f"Thing {number}", "condition": "secret"},
            created_at=MORNING - timedelta(minutes=minutes),
        )
        items.append(Delivery(community=community, notification=notification, channel="email"))

    groups = group_lines(items)  # the test kinds' templates: the autouse fixture

    lines = [line for group in groups for line in group.lines]
    assert sorted(line.url for line in lines) == sorted(
        f"{SITE}/c/calder-vale/things/{n}/" for n in range(1, len(made) + 1)
    )
    headings = [group.heading for group in groups]
    assert len(headings) == len(set(headings))  # each kind in one group
    for group in groups:
        times = [line.at for line in group.lines]
        assert times == sorted(times)
    firsts = [group.lines[0].at for group in groups]
    assert firsts == sorted(firsts)
    assert all("secret" not in line.title for line in lines)
