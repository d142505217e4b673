"""One referral's page: what staff read there, each step as a form, and who is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ginnel.referrals import services
from ginnel.referrals.models import (
    EventKind,
    FollowUp,
    Referral,
    ReferralEvent,
    ReferralRead,
    ReferralSettings,
    ReferralState,
)
from ginnel.referrals.tests.conftest import split


def url(referral: Referral, name: str = "case", *more: int) -> str:
    return reverse(f"referrals:{name}", args=[referral.community.slug, referral.pk, *more])


def events(referral: Referral) -> int:
    return ReferralEvent.objects.filter(referral=referral).count()


def state(referral: Referral) -> str:
    return Referral.objects.get(pk=referral.pk).state


def text(response) -> str:
    return response.content.decode()


def today() -> str:
    return timezone.localdate().isoformat()


def contact(outcome: str = "reached", **extra: str) -> dict[str, str]:
    return {
        "contact-happened_on": today(),
        "contact-channel": "phone",
        "contact-outcome": outcome,
        "contact-note": "",
        **extra,
    }


# Reading the page -----------------------------------------------------------------------------


def test_the_link_worker_reads_the_whole_referral_with_the_risks_first(
    accepted, client_for, link_worker
):
    referral = accepted(
        risks="Her son can be aggressive on home visits.",
        accessibility_needs="Hard of hearing: face her when speaking.",
        language="Polish",
        interpreter_needed=True,
    )

    page = client_for(link_worker).get(url(referral))

    assert page.status_code == 200
    body = text(page)
    assert body.index("Her son can be aggressive") < body.index("Why they were referred")
    for words in (
        "Referral of Rhoda Referred",
        "Loneliness and isolation",
        "Getting out of the house and back to the allotment.",
        "07700 900123",
        "Phone call",
        "Hard of hearing",
        "Polish",
        "needs an interpreter",
        "Agreed at her appointment on the phone with Dr Shah.",
        "Lin Linkworker",
        "Accepted, waiting for first contact",
    ):
        assert words in body
    assert f'href="{url(referral)}"' in body  # the case's navigation, this part current


def test_the_history_names_an_outside_referrer_and_their_practice(
    seeded, reasons, as_, coordinator, client_for
):
    practice = services.organisation_add(
        access=as_(coordinator), kind="gp_practice", name="Hebble End Surgery"
    )
    gp = services.referrer_add(
        access=as_(coordinator), organisation=practice, name="Dr Asha Shah", job_title="GP"
    )
    referral = services.referral_receive(
        referrer=gp,
        **split(
            {
                "display_name": "Harold Pike",
                "reasons": [reasons["bereavement"]],
                "consent_statement": "Agreed in consultation.",
                "consent_given_on": timezone.localdate(),
                "contact_by": "letter",
                "address": "4 Mill Lane, Hebble End",
            }
        ),
    )

    body = text(client_for(coordinator).get(url(referral)))

    assert "Dr Asha Shah at Hebble End Surgery" in body
    assert "Dr Asha Shah, GP" in body
    assert "Bereavement" in body
    assert "4 Mill Lane, Hebble End" in body


def test_each_look_at_the_page_by_staff_records_exactly_one_read(
    accepted, client_for, link_worker, coordinator
):
    referral = accepted()
    for reader in (link_worker, coordinator):
        before = ReferralRead.objects.filter(referral=referral).count()
        assert client_for(reader).get(url(referral)).status_code == 200
        reads = ReferralRead.objects.filter(referral=referral)
        assert reads.count() == before + 1
        assert reads.first().reader == reader.membership


@pytest.mark.parametrize("who", ["member", "analyst", "client_person", "other_link_worker"])
def test_anyone_but_the_link_worker_and_coordinators_finds_no_such_page(
    who, request, accepted, client_for
):
    referral = accepted()
    person = request.getfixturevalue(who)

    page = client_for(person).get(url(referral))

    assert page.status_code == 404
    assert "Rhoda" not in text(page)
    assert not ReferralRead.objects.filter(referral=referral).exists()


def test_a_missing_referral_and_a_forbidden_one_look_the_same(accepted, client_for, member):
    referral = accepted()
    missing = reverse("referrals:case", args=[referral.community.slug, referral.pk + 1000])
    assert client_for(member).get(missing).status_code == 404
    assert client_for(member).get(url(referral)).status_code == 404


def test_a_member_of_another_community_is_refused(accepted, client_for, outsider):
    referral = accepted()
    assert client_for(outsider).get(url(referral)).status_code == 403
    # Through their own community's address the referral is not there at all.
    theirs = reverse("referrals:case", args=[outsider.community.slug, referral.pk])
    assert client_for(outsider).get(theirs).status_code == 404
    assert (
        client_for(outsider)
        .post(
            reverse("referrals:case_close", args=[outsider.community.slug, referral.pk]),
            {"close-outcome": "other"},
        )
        .status_code
        == 404
    )
    assert state(referral) == ReferralState.ACCEPTED


def test_someone_not_logged_in_is_sent_to_log_in(accepted, client_for):
    referral = accepted()
    page = client_for(None).get(url(referral))
    assert page.status_code == 302
    assert "login" in page["Location"]


# The workflow through its forms ---------------------------------------------------------------


def test_a_referral_goes_from_received_to_closed_through_the_forms(
    refer, client_for, coordinator, link_worker, other_link_worker, member
):
    referral = refer()
    boss = client_for(coordinator)

    page = boss.get(url(referral))
    assert "Lou Otherworker" in text(page)  # offered: link workers
    assert "Mo Member" not in text(page)  # not offered: a plain member
    done = boss.post(
        url(referral, "case_accept"), {"accept-link_worker": link_worker.membership.pk}, follow=True
    )
    assert "The referral is accepted and given to Lin Linkworker." in text(done)
    found = Referral.objects.get(pk=referral.pk)
    assert (found.state, found.link_worker) == (ReferralState.ACCEPTED, link_worker.membership)

    worker = client_for(link_worker)
    answer = worker.post(url(referral, "case_contact"), contact("reached"))
    assert answer.status_code == 302
    assert answer["Location"] == url(referral)
    assert state(referral) == ReferralState.CONTACTED

    done = worker.post(
        url(referral, "case_conversation"),
        {"conversation-happened_on": today(), "conversation-notes": "Talked about the allotment."},
        follow=True,
    )
    assert "The first conversation with Rhoda Referred is recorded." in text(done)
    assert state(referral) == ReferralState.ENGAGED
    strengths = reverse(
        "people:person_strengths", args=[referral.community.slug, referral.person_id]
    )
    assert f'href="{strengths}"' in text(done)
    assert "Go through the strengths conversation with Rhoda Referred" in text(done)
    assert worker.get(strengths).status_code in (200, 302)  # the link worker may open it
    goals = reverse("people:person_goals", args=[referral.community.slug, referral.person_id])
    assert f'href="{goals}"' in text(done)
    assert worker.get(goals).status_code == 200  # the plan: the person's goals

    done = worker.post(url(referral, "case_close"), {"close-outcome": "goals_met"}, follow=True)
    assert "The referral of Rhoda Referred is closed." in text(done)
    found = Referral.objects.get(pk=referral.pk)
    assert (found.state, found.outcome) == (ReferralState.CLOSED, "goals_met")
    assert "Connected and goals met" in text(done)
    kinds = list(ReferralEvent.objects.filter(referral=referral).values_list("kind", flat=True))
    assert kinds == [
        EventKind.RECEIVED,
        EventKind.ACCEPTED,
        EventKind.CONTACT_ATTEMPT,
        EventKind.FIRST_CONVERSATION,
        EventKind.CLOSED,
    ]


def test_a_coordinator_declines_a_new_referral_with_a_reason(refer, client_for, coordinator):
    referral = refer()
    done = client_for(coordinator).post(
        url(referral, "case_decline"),
        {"decline-reason": "Needs a mental health crisis team today."},
        follow=True,
    )
    assert "The referral of Rhoda Referred is declined." in text(done)
    assert state(referral) == ReferralState.DECLINED
    assert "Needs a mental health crisis team today." in text(done)


def test_declining_without_a_reason_says_so_by_the_field_and_writes_nothing(
    refer, client_for, coordinator
):
    referral = refer()
    before = events(referral)

    page = client_for(coordinator).post(url(referral, "case_decline"), {"decline-reason": "  "})

    assert page.status_code == 400
    body = text(page)
    assert "There is a problem" in body
    assert 'href="#id_decline-reason"' in body
    assert 'id="id_decline-reason_error"' in body
    assert "Say why the referral is declined" in body
    assert events(referral) == before
    assert state(referral) == ReferralState.RECEIVED


def test_the_link_worker_passes_a_referral_to_another_service(accepted, client_for, link_worker):
    referral = accepted()
    done = client_for(link_worker).post(
        url(referral, "case_redirect"),
        {"redirect-to_service": "Calder Debt Advice", "redirect-reason": "Debt first."},
        follow=True,
    )
    assert "The referral of Rhoda Referred is passed to Calder Debt Advice." in text(done)
    assert state(referral) == ReferralState.REDIRECTED
    assert "Passed to" in text(done)


def test_redirecting_needs_the_service(accepted, client_for, link_worker):
    referral = accepted()
    before = events(referral)
    page = client_for(link_worker).post(url(referral, "case_redirect"), {"redirect-reason": "x"})
    assert page.status_code == 400
    assert "Say which service the referral is passed to" in text(page)
    assert events(referral) == before


def test_failed_attempts_count_up_and_close_it_as_could_not_contact(
    accepted, client_for, link_worker
):
    referral = accepted()
    worker = client_for(link_worker)
    assert "0 failed attempts of 3 before it closes" in text(worker.get(url(referral)))

    page = worker.post(url(referral, "case_contact"), contact("no_answer"), follow=True)
    assert "1 failed attempt of 3 before it closes as could not contact." in text(page)
    worker.post(url(referral, "case_contact"), contact("wrong_number"))
    page = worker.post(url(referral, "case_contact"), contact("left_message"), follow=True)

    assert (
        "The attempt is recorded. After 3 failed attempts the referral is closed as could not "
        "contact." in text(page)
    )
    found = Referral.objects.get(pk=referral.pk)
    assert (found.state, found.outcome, found.failed_contacts) == (
        ReferralState.CLOSED,
        "could_not_contact",
        3,
    )


def test_the_page_counts_against_the_communitys_own_number_of_attempts(
    accepted, client_for, link_worker, community
):
    ReferralSettings.objects.filter(community=community).update(failed_contacts_before_closing=5)
    referral = accepted()
    assert "0 failed attempts of 5 before it closes" in text(
        client_for(link_worker).get(url(referral))
    )


def test_the_contact_form_starts_at_today_and_the_way_they_asked_for(
    accepted, client_for, link_worker
):
    referral = accepted(contact_by="email", email="rhoda@example.org")
    body = text(client_for(link_worker).get(url(referral)))
    assert f'name="contact-happened_on" value="{today()}"' in body
    assert 'name="contact-channel" value="email" id="id_contact-channel_3" required checked' in body


def test_a_contact_attempt_cannot_be_dated_in_the_future(accepted, client_for, link_worker):
    referral = accepted()
    before = events(referral)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    page = client_for(link_worker).post(
        url(referral, "case_contact"), contact("reached", **{"contact-happened_on": tomorrow})
    )

    assert page.status_code == 400
    assert 'id="id_contact-happened_on_error"' in text(page)
    assert "The date cannot be in the future." in text(page)
    assert events(referral) == before
    assert state(referral) == ReferralState.ACCEPTED


def test_a_contact_attempt_needs_how_and_what_happened(accepted, client_for, link_worker):
    referral = accepted()
    before = events(referral)
    page = client_for(link_worker).post(
        url(referral, "case_contact"), {"contact-happened_on": today()}
    )
    assert page.status_code == 400
    assert "Choose how you tried to make contact" in text(page)
    assert "Choose what happened" in text(page)
    assert events(referral) == before


def test_a_follow_up_is_arranged_then_marked_done(engaged, client_for, link_worker):
    referral = engaged()
    worker = client_for(link_worker)
    due = timezone.localdate() + timedelta(days=7)

    page = worker.post(
        url(referral, "case_follow_up"),
        {"follow_up-due_on": due.isoformat(), "follow_up-purpose": "See how the group went"},
        follow=True,
    )
    assert "A follow-up is arranged for" in text(page)
    follow_up = FollowUp.objects.get(referral=referral)
    assert Referral.objects.get(pk=referral.pk).next_follow_up_on == due
    assert "See how the group went" in text(page)

    page = worker.post(
        url(referral, "case_follow_up_done", follow_up.pk),
        {f"done-{follow_up.pk}-notes": "She went twice."},
        follow=True,
    )
    assert "is done." in text(page)
    follow_up.refresh_from_db()
    assert follow_up.done_by == link_worker.membership
    assert Referral.objects.get(pk=referral.pk).next_follow_up_on is None
    assert "Follow-up done" in text(page)


def test_a_follow_up_cannot_be_due_in_the_past(engaged, client_for, link_worker):
    referral = engaged()
    before = events(referral)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    page = client_for(link_worker).post(
        url(referral, "case_follow_up"), {"follow_up-due_on": yesterday}
    )
    assert page.status_code == 400
    assert 'id="id_follow_up-due_on_error"' in text(page)
    assert events(referral) == before
    assert not FollowUp.objects.filter(referral=referral).exists()


def test_a_follow_up_done_twice_is_refused_with_its_message(engaged, as_, client_for, link_worker):
    referral = engaged()
    follow_up = services.follow_up_schedule(
        access=as_(link_worker), referral=referral, due_on=timezone.localdate()
    )
    services.follow_up_complete(access=as_(link_worker), follow_up=follow_up)
    before = events(referral)

    page = client_for(link_worker).post(url(referral, "case_follow_up_done", follow_up.pk), {})

    assert page.status_code == 400
    assert "This follow-up is already done." in text(page)
    assert events(referral) == before


def test_closing_needs_an_outcome(engaged, client_for, link_worker):
    referral = engaged()
    before = events(referral)
    page = client_for(link_worker).post(url(referral, "case_close"), {"close-note": "x"})
    assert page.status_code == 400
    assert 'id="id_close-outcome_error"' in text(page)
    assert "Choose the outcome the referral closes with" in text(page)
    assert events(referral) == before


def test_closing_twice_is_refused_with_its_message(engaged, client_for, link_worker):
    referral = engaged()
    worker = client_for(link_worker)
    worker.post(url(referral, "case_close"), {"close-outcome": "connected"})
    before = events(referral)

    page = worker.post(url(referral, "case_close"), {"close-outcome": "other"})

    assert page.status_code == 400
    assert "This referral is already closed." in text(page)
    assert events(referral) == before
    assert Referral.objects.get(pk=referral.pk).outcome == "connected"


def test_a_coordinator_gives_an_open_case_to_another_link_worker(
    accepted, client_for, coordinator, other_link_worker
):
    referral = accepted()
    page = client_for(coordinator).post(
        url(referral, "case_reassign"),
        {"reassign-link_worker": other_link_worker.membership.pk},
        follow=True,
    )
    assert "The referral is now with Lou Otherworker." in text(page)
    assert Referral.objects.get(pk=referral.pk).link_worker == other_link_worker.membership
    assert "Link worker before" in text(page)  # the history keeps who had it


def test_only_a_link_worker_can_be_given_a_referral(refer, client_for, coordinator, member):
    referral = refer()
    before = events(referral)
    page = client_for(coordinator).post(
        url(referral, "case_accept"), {"accept-link_worker": member.membership.pk}
    )
    assert page.status_code == 400
    assert "Choose a link worker from the list" in text(page)
    assert events(referral) == before
    assert state(referral) == ReferralState.RECEIVED


def test_a_link_worker_cannot_give_their_case_away(
    accepted, client_for, link_worker, other_link_worker
):
    referral = accepted()
    before = events(referral)
    page = client_for(link_worker).post(
        url(referral, "case_reassign"), {"reassign-link_worker": other_link_worker.membership.pk}
    )
    assert page.status_code == 403
    assert "You do not have a role in this community that allows this." in text(page)
    assert events(referral) == before


def test_a_correction_is_shown_against_the_entry_it_corrects(
    accepted, as_, client_for, link_worker
):
    referral = accepted()
    attempt = services.contact_attempt_log(
        access=as_(link_worker),
        referral=referral,
        happened_on=timezone.localdate(),
        channel="phone",
        outcome="no_answer",
    )
    before = events(referral)

    page = client_for(link_worker).post(
        url(referral, "case_correct", attempt.pk),
        {f"correct-{attempt.pk}-correction": "It was a text, not a call."},
        follow=True,
    )

    assert "Your correction is added to the history." in text(page)
    assert events(referral) == before + 1
    correction = ReferralEvent.objects.get(referral=referral, kind=EventKind.CORRECTION)
    assert correction.corrects_id == attempt.pk
    body = text(page)
    entry = body.index(f'id="entry-{attempt.pk}"')
    assert (
        entry
        < body.index("It was a text, not a call.")
        < body.index(f'id="entry-{correction.pk}"', entry) + 200
    )


def test_a_correction_needs_its_words(accepted, client_for, link_worker):
    referral = accepted()
    received = ReferralEvent.objects.get(referral=referral, kind=EventKind.RECEIVED)
    before = events(referral)
    page = client_for(link_worker).post(url(referral, "case_correct", received.pk), {})
    assert page.status_code == 400
    assert f'id="id_correct-{received.pk}-correction_error"' in text(page)
    assert "Say what was wrong and what is right" in text(page)
    assert events(referral) == before


# Refusals on posting --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "data"),
    [
        ("case_contact", contact("reached")),
        ("case_close", {"close-outcome": "other"}),
        ("case_decline", {"decline-reason": "Not mine"}),
        ("case_follow_up", {"follow_up-due_on": "2099-01-01"}),
    ],
)
def test_another_link_worker_cannot_post_to_a_case_that_is_not_theirs(
    step, data, accepted, client_for, other_link_worker
):
    referral = accepted()
    before = events(referral)
    answer = client_for(other_link_worker).post(url(referral, step), data)
    assert answer.status_code == 404
    assert events(referral) == before
    assert state(referral) == ReferralState.ACCEPTED


@pytest.mark.parametrize("who", ["member", "analyst", "client_person"])
def test_members_without_the_case_cannot_post_steps(who, request, accepted, client_for):
    referral = accepted()
    before = events(referral)
    answer = client_for(request.getfixturevalue(who)).post(
        url(referral, "case_close"), {"close-outcome": "other"}
    )
    assert answer.status_code == 404
    assert events(referral) == before


def test_a_step_cannot_be_fetched_with_get(accepted, client_for, link_worker):
    referral = accepted()
    assert client_for(link_worker).get(url(referral, "case_close")).status_code == 405


def test_a_correction_of_another_referrals_entry_is_not_found(accepted, client_for, link_worker):
    mine, other = accepted(), accepted()
    theirs = ReferralEvent.objects.get(referral=other, kind=EventKind.RECEIVED)
    answer = client_for(link_worker).post(
        url(mine, "case_correct", theirs.pk), {f"correct-{theirs.pk}-correction": "x"}
    )
    assert answer.status_code == 404
    assert not ReferralEvent.objects.filter(kind=EventKind.CORRECTION).exists()


# Queries --------------------------------------------------------------------------------------


def test_the_page_reads_as_many_queries_for_ten_entries_as_for_one(
    refer,
    accepted,
    as_,
    client_for,
    coordinator,
    link_worker,
    other_link_worker,
    django_assert_max_num_queries,
):
    one = refer()
    boss = client_for(coordinator)
    boss.get(url(one))  # the session and the like, settled
    with CaptureQueriesContext(connection) as baseline:
        assert boss.get(url(one)).status_code == 200
    counted = len(baseline.captured_queries)  # the log is emptied when the next request starts
    assert counted <= 20

    ten = accepted()
    worker = as_(link_worker)
    for _ in range(2):
        services.contact_attempt_log(
            access=worker,
            referral=ten,
            happened_on=timezone.localdate(),
            channel="phone",
            outcome="no_answer",
        )
    services.first_conversation_record(
        access=worker, referral=ten, happened_on=timezone.localdate()
    )
    for days in (1, 2):
        services.follow_up_schedule(
            access=worker, referral=ten, due_on=timezone.localdate() + timedelta(days=days)
        )
    received = ReferralEvent.objects.get(referral=ten, kind=EventKind.RECEIVED)
    services.event_correct(access=worker, event=received, correction="Her name is Rhoda.")
    services.referral_reassign(
        access=as_(coordinator), referral=ten, link_worker=other_link_worker.membership
    )
    services.referral_reassign(
        access=as_(coordinator), referral=ten, link_worker=link_worker.membership
    )
    assert events(ten) == 10
    boss.get(url(ten))  # as for the first, a look before the one counted

    # One more than a new referral's page, whatever the log holds: the names of the link
    # workers it was given to (a referral nobody has yet names none and asks for none).
    with django_assert_max_num_queries(counted + 1):
        assert boss.get(url(ten)).status_code == 200


# Properties -----------------------------------------------------------------------------------


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    limit=st.integers(min_value=1, max_value=4),
    outcomes=st.lists(
        st.sampled_from(["no_answer", "left_message", "wrong_number"]), min_size=1, max_size=5
    ),
)
def test_failed_attempts_posted_close_the_referral_exactly_at_the_communitys_number(
    limit, outcomes, accepted, client_for, link_worker, community
):
    ReferralSettings.objects.filter(community=community).update(
        failed_contacts_before_closing=limit
    )
    referral = accepted()
    worker = client_for(link_worker)
    for n, outcome in enumerate(outcomes, start=1):
        answer = worker.post(url(referral, "case_contact"), contact(outcome))
        if n <= limit:
            assert answer.status_code == 302
        else:  # already closed: refused with the service's words, nothing written
            assert answer.status_code == 400
            assert "This referral is closed." in text(answer)
        if n < limit:
            page = text(worker.get(url(referral)))
            assert f"{n} failed attempt" in page
            assert f"of {limit} before it closes as could not contact." in page

    counted = min(len(outcomes), limit)
    found = Referral.objects.get(pk=referral.pk)
    assert found.failed_contacts == counted
    closed = len(outcomes) >= limit
    assert (found.state == ReferralState.CLOSED) == closed
    # Received, accepted, one entry an attempt counted, and the closing when it closed.
    assert events(referral) == 2 + counted + (1 if closed else 0)
