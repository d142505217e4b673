"""The person's own record: their referrals, what happened, their answers, what to answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ginnel.errors import GinnelError
from ginnel.referrals import selectors_person, services
from ginnel.referrals.models import (
    Administration,
    Answer,
    AnsweredBy,
    Occasion,
    ReferralRead,
)
from ginnel.referrals.waiting import referrals_waiting

ONS4 = {"life_satisfaction": "6", "worthwhile": "7", "happiness": "5", "anxiety": "8"}
UCLA = {"lack_companionship": "2", "left_out": "3", "isolated": "2"}


def mine(community):
    return reverse("referrals:mine", args=[community.slug])


def answer(referral, code):
    return reverse("referrals:mine_answer", args=[referral.community.slug, referral.pk, code])


def rows():
    return Administration.objects.count(), Answer.objects.count()


def test_the_person_sees_their_referral_in_plain_words(
    engaged, client_for, client_person, community
):
    engaged(
        contact_by="phone",
        phone="07700 900123",
        contact_notes="Mornings are best.",
        what_matters="Getting back to the allotment.",
    )
    body = client_for(client_person).get(mine(community)).content.decode()
    assert "You are working with your link worker." in body
    assert "Lin Linkworker" in body
    assert "Getting back to the allotment." in body
    assert "Loneliness and isolation" in body
    assert "Phone call" in body
    assert "07700 900123" in body
    assert "Mornings are best." in body
    # What happened, oldest first.
    assert body.index("Referral received") < body.index("Accepted and given to a link worker")
    assert body.index("Accepted and given to a link worker") < body.index("First conversation")


def test_safeguarding_notes_and_working_notes_are_left_out(
    accepted, as_, link_worker, client_for, client_person, community, yesterday
):
    referral = accepted(risks="Lives alone; son not to be told of contact.")
    services.first_conversation_record(
        access=as_(link_worker),
        referral=referral,
        happened_on=yesterday,
        notes="Seemed low; check in with GP about medication.",
    )
    body = client_for(client_person).get(mine(community)).content.decode()
    assert "son not to be told" not in body
    assert "check in with GP" not in body
    assert "ask for a copy of everything we hold about you" in body


def test_reading_ones_own_record_writes_no_read(engaged, client_for, client_person, community):
    engaged()
    assert client_for(client_person).get(mine(community)).status_code == 200
    assert not ReferralRead.objects.exists()


def test_another_member_only_ever_sees_their_own(engaged, client_for, member, community):
    referral = engaged(what_matters="Getting back to the allotment.")
    client = client_for(member)
    body = client.get(mine(community)).content.decode()
    assert "Getting back to the allotment." not in body
    assert "Rhoda Referred" not in body
    assert "You have not been referred to a link worker here." in body
    assert client.get(answer(referral, "ons4")).status_code == 404
    assert client.post(answer(referral, "ons4"), ONS4).status_code == 404
    assert rows() == (0, 0)


def test_the_link_worker_cannot_answer_as_the_person(engaged, client_for, link_worker):
    referral = engaged()
    assert client_for(link_worker).post(answer(referral, "ons4"), ONS4).status_code == 404
    assert rows() == (0, 0)


def test_an_anonymous_visitor_is_sent_to_log_in(client_for, community):
    response = client_for(None).get(mine(community))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_member_of_another_community_is_refused(client_for, outsider, community):
    assert client_for(outsider).get(mine(community)).status_code == 403


def test_once_accepted_the_person_answers_the_start_on_their_own(
    accepted, client_for, client_person, community
):
    referral = accepted()
    client = client_for(client_person)
    body = client.get(mine(community)).content.decode()
    assert answer(referral, "ons4") in body
    assert answer(referral, "ucla3") in body
    form = client.get(answer(referral, "ons4"))
    assert form.status_code == 200
    assert 'name="occasion"' not in form.content.decode()

    response = client.post(answer(referral, "ons4"), ONS4)
    assert response.status_code == 302
    administration = Administration.objects.get()
    assert administration.occasion == Occasion.START
    assert administration.answered_by == AnsweredBy.PERSON
    assert administration.recorded_by == client_person.membership

    body = client.get(mine(community)).content.decode()
    assert "6 out of 10</strong> · Medium" in body
    assert "8 out of 10</strong> · High anxiety" in body
    assert answer(referral, "ons4") not in body  # answered
    assert answer(referral, "ucla3") in body  # still to answer
    assert not ReferralRead.objects.exists()


def test_nothing_is_asked_before_the_referral_is_accepted(
    refer, client_for, client_person, community
):
    referral = refer()
    client = client_for(client_person)
    assert answer(referral, "ons4") not in client.get(mine(community)).content.decode()
    response = client.post(answer(referral, "ons4"), ONS4)
    assert response.status_code == 302
    assert rows() == (0, 0)


def test_answering_the_start_twice_writes_it_once(accepted, client_for, client_person):
    referral = accepted()
    client = client_for(client_person)
    client.post(answer(referral, "ucla3"), UCLA)
    assert rows() == (1, 3)
    again = client.post(answer(referral, "ucla3"), UCLA, follow=True)
    assert "There is nothing for you to answer on this questionnaire now." in again.content.decode()
    assert rows() == (1, 3)


@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [
        ({k: v for k, v in UCLA.items() if k != "left_out"}, "left_out", "Answer question 2"),
        (
            {**UCLA, "isolated": "4"},
            "isolated",
            "Choose one of the answers offered for question 3",
        ),
        ({**UCLA, "isolated": "often"}, "isolated", "Choose one of the answers offered"),
    ],
)
def test_bad_answers_are_shown_by_the_question_and_nothing_is_written(
    posted, field, message, accepted, client_for, client_person
):
    referral = accepted()
    response = client_for(client_person).post(answer(referral, "ucla3"), posted)
    assert response.status_code == 400
    body = response.content.decode()
    assert f'id="id_{field}_error"' in body
    assert message in body
    assert rows() == (0, 0)


def test_a_follow_up_the_link_worker_arranged_is_asked_when_it_comes_due(
    engaged, as_, link_worker, client_for, client_person, community
):
    referral = engaged()
    client = client_for(client_person)
    client.post(answer(referral, "ucla3"), UCLA)
    assert answer(referral, "ucla3") not in client.get(mine(community)).content.decode()

    services.follow_up_schedule(
        access=as_(link_worker), referral=referral, due_on=timezone.localdate()
    )
    assert answer(referral, "ucla3") in client.get(mine(community)).content.decode()
    later = {"lack_companionship": "1", "left_out": "2", "isolated": "1"}
    assert client.post(answer(referral, "ucla3"), later).status_code == 302
    assert list(Administration.objects.values_list("occasion", flat=True)) == [
        Occasion.START,
        Occasion.FOLLOW_UP,
    ]
    body = client.get(mine(community)).content.decode()
    assert answer(referral, "ucla3") not in body
    # 2 + 3 + 2 = 7 at the start, 1 + 2 + 1 = 4 at the follow-up.
    assert "7 → 4: Down 3 points: better" in body


def test_a_follow_up_not_yet_due_asks_nothing(engaged, as_, link_worker, client_person):
    referral = engaged()
    access = as_(client_person)
    for code, answers in (("ons4", ONS4), ("ucla3", UCLA)):
        services.questionnaire_answer(
            access=access,
            referral=referral,
            questionnaire=selectors_person.in_use_by_code(referral.community_id, code),
            occasion=Occasion.START,
            answers={k: int(v) for k, v in answers.items()},
        )
    services.follow_up_schedule(
        access=as_(link_worker),
        referral=referral,
        due_on=timezone.localdate() + timedelta(days=7),
    )
    assert selectors_person.questionnaires_due_count(access=access) == 0
    assert selectors_person.my_record(access=access).referrals[0].due == []


def test_home_page_tells_the_person_a_questionnaire_is_waiting(
    accepted, as_, client_person, django_assert_num_queries
):
    accepted()
    access = as_(client_person)
    with django_assert_num_queries(1):
        items = referrals_waiting(access=access)
    assert [i.text for i in items] == ["A wellbeing questionnaire to answer"]
    assert items[0].url == reverse("referrals:mine", args=[access.community.slug])


def test_home_page_tells_a_link_worker_of_new_referrals(
    accepted, as_, link_worker, django_assert_num_queries
):
    accepted()
    accepted()
    access = as_(link_worker)
    with django_assert_num_queries(2):  # their own questionnaires, then their new cases
        items = referrals_waiting(access=access)
    assert [i.text for i in items] == ["2 new referrals given to you"]
    assert items[0].url.startswith(reverse("referrals:caseload", args=[access.community.slug]))


def test_nothing_waits_once_everything_is_answered(accepted, client_for, client_person, as_):
    referral = accepted()
    client = client_for(client_person)
    client.post(answer(referral, "ons4"), ONS4)
    assert selectors_person.questionnaires_due_count(access=as_(client_person)) == 1
    client.post(answer(referral, "ucla3"), UCLA)
    assert referrals_waiting(access=as_(client_person)) == []


def test_the_own_record_reads_as_many_queries_for_three_referrals_as_for_one(
    engaged, client_for, client_person, community
):
    client = client_for(client_person)
    first = engaged()
    client.post(answer(first, "ons4"), ONS4)
    client.get(mine(community))  # warm the session
    with CaptureQueriesContext(connection) as one:
        client.get(mine(community))
    for _ in range(2):
        later = engaged()
        client.post(answer(later, "ucla3"), UCLA)
    client.get(mine(community))  # shows the "saved" message once
    with CaptureQueriesContext(connection) as three:
        response = client.get(mine(community))
    assert response.content.decode().count("Lin Linkworker") == 3
    assert len(three) == len(one)


STEPS = st.lists(
    st.sampled_from(
        [
            "refer",
            "accept",
            "ons4_start",
            "ucla3_start",
            "ucla3_follow_up",
            "follow_up_today",
            "follow_up_next_week",
            "follow_up_done",
            "close",
        ]
    ),
    max_size=12,
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS)
def test_the_home_page_count_agrees_with_what_the_record_asks(
    steps, refer, accepted, as_, link_worker, client_person, coordinator
):
    """Whatever happens, the one-query count and the page's rule name the same referrals."""
    person = as_(client_person)
    worker = as_(link_worker)
    referrals = [accepted()]
    for step in steps:
        current = referrals[-1]
        current.refresh_from_db()
        try:
            if step == "refer":
                referrals.append(refer())
            elif step == "accept":
                services.referral_accept(
                    access=as_(coordinator), referral=current, link_worker=link_worker.membership
                )
            elif step in ("ons4_start", "ucla3_start", "ucla3_follow_up"):
                code, occasion = step.split("_", 1)
                answers = ONS4 if code == "ons4" else UCLA
                services.questionnaire_answer(
                    access=person,
                    referral=current,
                    questionnaire=selectors_person.in_use_by_code(current.community_id, code),
                    occasion=occasion,
                    answers={k: int(v) for k, v in answers.items()},
                )
            elif step.startswith("follow_up_") and step != "follow_up_done":
                days = 0 if step == "follow_up_today" else 7
                services.follow_up_schedule(
                    access=worker,
                    referral=current,
                    due_on=timezone.localdate() + timedelta(days=days),
                )
            elif step == "follow_up_done":
                open_one = current.follow_ups.filter(done_at__isnull=True).first()
                if open_one is not None:
                    services.follow_up_complete(access=worker, follow_up=open_one)
            elif step == "close":
                services.referral_close(access=worker, referral=current, outcome="connected")
        except GinnelError:
            pass  # a step refused where the referral is: nothing changes
        with_something_due, number = 0, 1
        while True:  # every page of the record: examples add to the same database
            record = selectors_person.my_record(access=person, page=number)
            with_something_due += sum(1 for r in record.referrals if r.due)
            if not record.page.has_next():
                break
            number += 1
        assert selectors_person.questionnaires_due_count(access=person) == with_something_due
