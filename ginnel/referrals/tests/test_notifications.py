"""What referrals tell people: received, assigned, contact due, closed — and nothing special.

Who is told each time is worked out from the roles the test gives: coordinators
and administrators allocate; the link worker holds the case; the person hears
their referral closed only if they log in.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ginnel.communities.models import Membership
from ginnel.notifications.kinds import Channel, Frequency, get
from ginnel.notifications.models import Notification
from ginnel.people.models import Person
from ginnel.referrals import services
from ginnel.referrals.notifications import FIRST_CONTACT_WAIT_DAYS, referrals_remind

pytestmark = pytest.mark.django_db

RECEIVED = "referrals.received"
ASSIGNED = "referrals.assigned"
CONTACT_DUE = "referrals.contact_due"
CLOSED = "referrals.closed"
YOURS_CLOSED = "referrals.your_referral_closed"

WHAT_MATTERS = "Getting out of the house and back to the allotment."
RISKS = "Lives alone; fell in October; dog can be nervous"


def told(kind):
    return set(
        Notification.objects.filter(kind=kind).values_list("recipient__display_name", flat=True)
    )


@pytest.fixture
def everyone(coordinator, administrator, link_worker, other_link_worker, analyst, member, outsider):
    """Every role here, and an administrator of another community."""


def test_every_referral_kind_is_marked_sensitive():
    for code in (RECEIVED, ASSIGNED, CONTACT_DUE, CLOSED, YOURS_CLOSED):
        assert get(code).sensitive, code


def test_contact_due_is_emailed_at_once_as_a_digest_next_morning_would_say_today_too_late():
    assert get(CONTACT_DUE).default_for(Channel.EMAIL) == Frequency.IMMEDIATELY


def test_a_new_referral_tells_those_who_allocate_and_no_one_else(
    everyone, refer, link_worker, coordinator, administrator
):
    refer(by=link_worker)

    assert told(RECEIVED) == {coordinator.display_name, administrator.display_name}


def test_the_coordinator_who_wrote_it_down_is_not_told_of_it(
    everyone, refer, coordinator, administrator
):
    refer(by=coordinator)

    assert told(RECEIVED) == {administrator.display_name}


def test_a_self_referral_is_not_told_to_the_person_or_a_plain_member(
    everyone, refer, client_person, member, analyst, coordinator, administrator
):
    refer(person=client_person, by=client_person)

    heard = told(RECEIVED)
    assert heard == {coordinator.display_name, administrator.display_name}
    assert not heard & {client_person.display_name, member.display_name, analyst.display_name}


def test_accepting_tells_the_link_worker_given_it_not_the_coordinator(
    everyone, accepted, link_worker
):
    accepted()

    assert told(ASSIGNED) == {link_worker.display_name}


def test_moving_a_case_tells_the_link_worker_it_goes_to(
    everyone, accepted, as_, coordinator, other_link_worker
):
    referral = accepted()
    Notification.objects.all().delete()

    services.referral_reassign(
        access=as_(coordinator), referral=referral, link_worker=other_link_worker.membership
    )

    assert told(ASSIGNED) == {other_link_worker.display_name}


def test_closing_tells_the_person_with_a_login_not_the_link_worker_who_closed_it(
    everyone, engaged, as_, link_worker, client_person
):
    referral = engaged()

    services.referral_close(access=as_(link_worker), referral=referral, outcome="connected")

    assert told(CLOSED) == set()
    assert told(YOURS_CLOSED) == {client_person.display_name}


def test_a_coordinator_closing_a_case_tells_its_link_worker(
    everyone, engaged, as_, coordinator, link_worker
):
    referral = engaged()

    services.referral_close(access=as_(coordinator), referral=referral, outcome="connected")

    assert told(CLOSED) == {link_worker.display_name}


def test_a_person_without_a_login_is_not_told_their_referral_closed(
    everyone, community, refer, as_, coordinator, link_worker
):
    offline = Person.objects.create(
        community=community,
        membership=Membership.objects.create(community=community, user=None),
        display_name="Olive Offline",
    )
    referral = services.referral_accept(
        access=as_(coordinator), referral=refer(person=offline), link_worker=link_worker.membership
    )

    services.referral_close(access=as_(coordinator), referral=referral, outcome="person_ended")

    assert told(YOURS_CLOSED) == set()
    assert told(CLOSED) == {link_worker.display_name}


def test_closing_after_the_last_failed_try_tells_the_person(
    everyone, accepted, as_, link_worker, client_person, yesterday
):
    referral = accepted()
    for _ in range(3):  # the community's default number of tries
        services.contact_attempt_log(
            access=as_(link_worker),
            referral=referral,
            happened_on=yesterday,
            channel="phone",
            outcome="no_answer",
        )

    assert told(YOURS_CLOSED) == {client_person.display_name}


def test_no_referral_notification_carries_what_the_referral_says(
    everyone, reasons, engaged, as_, coordinator, link_worker
):
    referral = engaged(risks=RISKS, reasons=[reasons["bereavement"], reasons["low_mood"]])
    services.follow_up_schedule(
        access=as_(link_worker),
        referral=referral,
        due_on=timezone.localdate(),
        purpose="Check on the grief group",
    )
    referrals_remind()
    services.referral_close(access=as_(coordinator), referral=referral, outcome="connected")

    entries = Notification.objects.filter(kind__startswith="referrals.")
    assert {e.kind for e in entries} == {RECEIVED, ASSIGNED, CONTACT_DUE, CLOSED, YOURS_CLOSED}
    for entry in entries:
        text = str(entry.context).lower()
        for secret in (WHAT_MATTERS, RISKS, "bereavement", "low mood", "grief", "allotment"):
            assert secret.lower() not in text, (entry.kind, secret)


# The daily reminder ----------------------------------------------------------------------------


def test_a_follow_up_due_today_reminds_its_link_worker_once_however_often_the_job_runs(
    everyone, engaged, as_, link_worker
):
    referral = engaged()
    services.follow_up_schedule(
        access=as_(link_worker), referral=referral, due_on=timezone.localdate()
    )

    first = referrals_remind()
    again = referrals_remind()

    assert (first, again) == (1, 0)
    assert told(CONTACT_DUE) == {link_worker.display_name}
    entry = Notification.objects.get(kind=CONTACT_DUE)
    assert entry.context["follow_up"] is True
    assert entry.context["overdue"] is False


def test_an_overdue_follow_up_reminds_again_the_next_day(everyone, engaged, as_, link_worker):
    referral = engaged()
    services.follow_up_schedule(
        access=as_(link_worker), referral=referral, due_on=timezone.localdate()
    )
    tomorrow = timezone.now() + timedelta(days=1)

    assert referrals_remind() == 1
    assert referrals_remind(tomorrow) == 1
    assert referrals_remind(tomorrow) == 0
    assert Notification.objects.filter(kind=CONTACT_DUE).count() == 2


def test_first_contact_waiting_reminds_only_once_the_wait_is_long_enough(
    everyone, accepted, link_worker, other_link_worker
):
    accepted()
    now = timezone.now()

    assert referrals_remind(now + timedelta(days=FIRST_CONTACT_WAIT_DAYS - 1)) == 0
    assert referrals_remind(now + timedelta(days=FIRST_CONTACT_WAIT_DAYS, minutes=1)) == 1
    assert told(CONTACT_DUE) == {link_worker.display_name}
    entry = Notification.objects.get(kind=CONTACT_DUE)
    assert entry.context["days_waiting"] == FIRST_CONTACT_WAIT_DAYS
    assert entry.context["follow_up"] is False


def test_a_case_already_reached_or_closed_needs_no_first_contact_reminder(
    everyone, engaged, accepted, as_, coordinator
):
    engaged()
    closed = accepted()
    services.referral_close(access=as_(coordinator), referral=closed, outcome="connected")

    assert referrals_remind(timezone.now() + timedelta(days=30)) == 0


def test_a_follow_up_not_yet_due_reminds_no_one(everyone, engaged, as_, link_worker):
    referral = engaged()
    services.follow_up_schedule(
        access=as_(link_worker),
        referral=referral,
        due_on=timezone.localdate() + timedelta(days=2),
    )

    assert referrals_remind() == 0
