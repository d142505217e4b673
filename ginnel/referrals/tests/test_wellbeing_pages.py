"""The wellbeing page: a referral's questionnaires for its link worker and coordinators."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ginnel.referrals import services
from ginnel.referrals.models import (
    Administration,
    Answer,
    AnsweredBy,
    Occasion,
    ReferralRead,
)

ONS4_START = {"life_satisfaction": "6", "worthwhile": "7", "happiness": "5", "anxiety": "8"}
UCLA_START = {"lack_companionship": "2", "left_out": "3", "isolated": "2"}


def page(referral):
    return reverse("referrals:wellbeing", args=[referral.community.slug, referral.pk])


def record(referral, code):
    return reverse("referrals:wellbeing_record", args=[referral.community.slug, referral.pk, code])


def rows():
    return Administration.objects.count(), Answer.objects.count()


@pytest.fixture
def case(engaged):
    return engaged()


def test_a_link_worker_records_ons4_with_the_person_and_sees_each_band(
    case, client_for, link_worker
):
    client = client_for(link_worker)
    response = client.post(record(case, "ons4"), {"occasion": "start", **ONS4_START})
    assert response.status_code == 302

    administration = Administration.objects.get(referral=case)
    assert administration.occasion == Occasion.START
    assert administration.answered_by == AnsweredBy.WITH_LINK_WORKER
    assert administration.recorded_by == link_worker.membership
    assert {a.item: a.value for a in administration.answers.all()} == {
        "life_satisfaction": 6,
        "worthwhile": 7,
        "happiness": 5,
        "anxiety": 8,
    }
    body = client.get(page(case)).content.decode()
    # ONS's bands, worked by hand: 6 medium, 7 high, 5 medium; anxiety 8 is high anxiety.
    assert "6 out of 10</strong> · Medium" in body
    assert "7 out of 10</strong> · High" in body
    assert "5 out of 10</strong> · Medium" in body
    assert "8 out of 10</strong> · High anxiety" in body
    assert "For anxiety, higher is worse" in body
    # Never added up: no total, and 6 + 7 + 5 + 8 = 26 is not shown.
    assert "<dt>Total</dt>" not in body
    assert ">26<" not in body
    assert " 26," not in body


def test_ucla3_shows_its_total_from_3_to_9_higher_is_lonelier(case, client_for, link_worker):
    client = client_for(link_worker)
    client.post(record(case, "ucla3"), {"occasion": "start", **UCLA_START})
    body = client.get(page(case)).content.decode()
    # 2 + 3 + 2 = 7.
    assert "7, on a scale from 3 to 9" in body
    assert "Higher means lonelier" in body
    assert "Some of the time" in body
    assert "Often" in body


def test_before_and_after_are_compared_item_by_item(case, client_for, link_worker):
    client = client_for(link_worker)
    client.post(record(case, "ons4"), {"occasion": "start", **ONS4_START})
    later = {"life_satisfaction": "8", "worthwhile": "7", "happiness": "4", "anxiety": "3"}
    client.post(record(case, "ons4"), {"occasion": "close", **later})
    client.post(record(case, "ucla3"), {"occasion": "start", **UCLA_START})
    ucla_later = {"lack_companionship": "1", "left_out": "2", "isolated": "1"}
    client.post(record(case, "ucla3"), {"occasion": "follow_up", **ucla_later})

    body = client.get(page(case)).content.decode()
    assert "From the start to the end." in body
    assert "6 → 8: Up 2 points: better" in body
    assert "7 → 7: No change" in body
    assert "5 → 4: Down 1 point: worse" in body
    # Anxiety falling from 8 to 3 is better.
    assert "8 → 3: Down 5 points: better" in body
    # Loneliness 7 → 4 (1 + 2 + 1): lonely less.
    assert "From the start to the latest follow-up." in body
    assert "7 → 4: Down 3 points: better" in body


def test_the_form_offers_each_answer_in_words_as_radio_buttons(case, client_for, link_worker):
    body = client_for(link_worker).get(record(case, "ons4")).content.decode()
    assert body.count('type="radio"') == 3 + 4 * 11
    assert "0: Not at all" in body
    assert "10: Completely anxious" in body
    assert "<fieldset" in body
    assert "<legend" in body
    ucla = client_for(link_worker).get(record(case, "ucla3")).content.decode()
    assert "Hardly ever" in ucla
    assert "Some of the time" in ucla
    assert "Often" in ucla


def test_swemwbs_is_not_offered_while_switched_off(case, client_for, link_worker):
    client = client_for(link_worker)
    body = client.get(page(case)).content.decode()
    assert "SWEMWBS" not in body
    assert client.get(record(case, "swemwbs")).status_code == 404
    answers = dict.fromkeys(("optimistic", "useful", "relaxed"), "3")
    assert client.post(record(case, "swemwbs"), {"occasion": "start", **answers}).status_code == 404
    assert rows() == (0, 0)


def test_swemwbs_is_offered_once_switched_on(case, client_for, link_worker, as_, administrator):
    from ginnel.referrals.models import Questionnaire

    swemwbs = Questionnaire.objects.get(community=case.community, code="swemwbs")
    services.questionnaire_switch(
        access=as_(administrator), questionnaire=swemwbs, on=True, licence_registered=True
    )
    body = client_for(link_worker).get(page(case)).content.decode()
    assert "Mental wellbeing (SWEMWBS)" in body
    assert "register with the University of Warwick" in body


@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [
        (
            {"occasion": "start", **{k: v for k, v in ONS4_START.items() if k != "happiness"}},
            "happiness",
            "Answer question 3",
        ),
        (
            {"occasion": "start", **ONS4_START, "anxiety": "11"},
            "anxiety",
            "Choose one of the answers offered for question 4",
        ),
        ({**ONS4_START}, "occasion", "Choose when it is being asked"),
        ({"occasion": "someday", **ONS4_START}, "occasion", "Choose one of the times offered"),
    ],
)
def test_bad_answers_are_shown_by_the_question_and_nothing_is_written(
    posted, field, message, case, client_for, link_worker
):
    response = client_for(link_worker).post(record(case, "ons4"), posted)
    assert response.status_code == 400
    body = response.content.decode()
    assert f'id="id_{field}_error"' in body
    assert message in body
    assert "There is a problem" in body
    assert rows() == (0, 0)


def test_the_start_cannot_be_recorded_twice(case, client_for, link_worker):
    client = client_for(link_worker)
    client.post(record(case, "ons4"), {"occasion": "start", **ONS4_START})
    before = rows()
    assert before == (1, 4)
    form = client.get(record(case, "ons4")).content.decode()
    assert 'value="start"' not in form  # no longer offered
    response = client.post(record(case, "ons4"), {"occasion": "start", **ONS4_START})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_occasion_error"' in body
    assert "This questionnaire has already been answered at this point." in body
    assert rows() == before


def test_follow_ups_may_be_recorded_again_and_again(case, client_for, link_worker):
    client = client_for(link_worker)
    for _ in range(2):
        response = client.post(record(case, "ucla3"), {"occasion": "follow_up", **UCLA_START})
        assert response.status_code == 302
    assert rows() == (2, 6)


def test_each_look_at_the_page_by_staff_is_recorded(case, client_for, link_worker, coordinator):
    client_for(link_worker).get(page(case))
    client_for(coordinator).get(page(case))
    reads = list(ReferralRead.objects.order_by("at", "id"))
    assert [(r.reader, r.person, r.what) for r in reads] == [
        (link_worker.membership, case.person, "questionnaires"),
        (coordinator.membership, case.person, "questionnaires"),
    ]


def test_the_page_shows_the_case_navigation(case, client_for, link_worker):
    body = client_for(link_worker).get(page(case)).content.decode()
    assert 'aria-current="page">Wellbeing' in body


def test_the_person_is_sent_to_their_own_record_and_no_read_is_written(
    case, client_for, client_person
):
    response = client_for(client_person).get(page(case))
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:mine", args=[case.community.slug])
    assert not ReferralRead.objects.exists()


@pytest.mark.parametrize("who", ["other_link_worker", "analyst", "member", "outsider"])
def test_people_who_may_not_read_it_find_no_such_page(
    who, case, client_for, other_link_worker, analyst, member, outsider
):
    person = {
        "other_link_worker": other_link_worker,
        "analyst": analyst,
        "member": member,
        "outsider": outsider,
    }[who]
    client = client_for(person)
    expected = 403 if who == "outsider" else 404
    assert client.get(page(case)).status_code == expected
    response = client.post(record(case, "ons4"), {"occasion": "start", **ONS4_START})
    assert response.status_code == expected
    assert rows() == (0, 0)
    assert not ReferralRead.objects.exists()


def test_an_anonymous_visitor_is_sent_to_log_in(case, client_for):
    response = client_for(None).get(page(case))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_closed_referral_shows_its_answers_but_takes_no_more(case, client_for, link_worker, as_):
    client = client_for(link_worker)
    client.post(record(case, "ons4"), {"occasion": "start", **ONS4_START})
    services.referral_close(access=as_(link_worker), referral=case, outcome="connected")
    body = client.get(page(case)).content.decode()
    assert "6 out of 10" in body
    assert "Record answers" not in body
    response = client.post(record(case, "ons4"), {"occasion": "close", **ONS4_START})
    assert response.status_code == 400
    assert "This referral is closed." in response.content.decode()
    assert rows() == (1, 4)


def test_the_page_reads_as_many_queries_for_three_answers_as_for_one(case, client_for, link_worker):
    client = client_for(link_worker)
    client.post(record(case, "ucla3"), {"occasion": "start", **UCLA_START})
    client.get(page(case))  # shows the "saved" message once
    with CaptureQueriesContext(connection) as one:
        client.get(page(case))
    client.post(record(case, "ucla3"), {"occasion": "follow_up", **UCLA_START})
    client.post(record(case, "ons4"), {"occasion": "start", **ONS4_START})
    client.get(page(case))
    with CaptureQueriesContext(connection) as three:
        response = client.get(page(case))
    assert response.content.decode().count("recorded by Lin Linkworker") == 3
    assert len(three) == len(one)
