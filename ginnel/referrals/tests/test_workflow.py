"""Every step of a referral, each refusal, and the log each step leaves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ginnel.communities.models import Role
from ginnel.errors import GinnelError, PermissionRefused
from ginnel.referrals import services
from ginnel.referrals.models import (
    AppendOnly,
    CloseOutcome,
    ConnectionOutcome,
    EventKind,
    FollowUp,
    Referral,
    ReferralEvent,
    ReferralState,
    ReferrerKind,
)


def kinds(referral):
    return list(referral.events.order_by("at", "id").values_list("kind", flat=True))


def reload(referral):
    return Referral.objects.get(pk=referral.pk)


# Receiving ------------------------------------------------------------------------------------


def test_a_referral_arrives_received_with_its_reasons_and_the_referrer_named(
    refer, reasons, link_worker, client_person
):
    referral = refer(by=link_worker, reasons=[reasons["loneliness"], reasons["bereavement"]])
    assert referral.state == ReferralState.RECEIVED
    assert {r.code for r in referral.reasons.all()} == {"loneliness", "bereavement"}
    assert referral.referrer.kind == ReferrerKind.ON_BEHALF
    assert referral.referrer.membership == link_worker.membership
    event = referral.events.get()
    assert (event.kind, event.state_to, event.actor) == (
        EventKind.RECEIVED,
        ReferralState.RECEIVED,
        link_worker.membership,
    )


def test_a_member_can_refer_themselves(refer, client_person):
    referral = refer(person=client_person, by=client_person)
    assert referral.referrer.kind == ReferrerKind.SELF


def test_a_referral_without_the_persons_agreement_is_refused_and_nothing_is_written(refer):
    with pytest.raises(GinnelError) as error:
        refer(consent_statement="  ")
    assert error.value.field == "consent_statement"
    assert not Referral.objects.exists()
    assert not ReferralEvent.objects.exists()


def test_a_referral_needs_a_reason(refer):
    with pytest.raises(GinnelError) as error:
        refer(reasons=[])
    assert error.value.field == "reasons"


def test_agreement_cannot_be_dated_in_the_future(refer):
    with pytest.raises(GinnelError) as error:
        refer(consent_given_on=timezone.localdate() + timedelta(days=1))
    assert error.value.field == "consent_given_on"


def test_contact_by_phone_needs_a_phone_number(refer):
    with pytest.raises(GinnelError) as error:
        refer(contact_by="phone", phone="")
    assert error.value.field == "phone"


def test_contact_through_a_carer_needs_the_carers_name_and_number(refer):
    with pytest.raises(GinnelError) as error:
        refer(contact_by="carer", carer_name="Sam", carer_phone="")
    assert error.value.field == "carer_name"
    referral = refer(contact_by="carer", carer_name="Sam", carer_phone="07700 900456")
    assert referral.carer_name == "Sam"


def test_a_retired_reason_cannot_be_chosen_for_a_new_referral(refer, reasons, as_, coordinator):
    services.reason_retire(access=as_(coordinator), reason=reasons["housing"])
    with pytest.raises(GinnelError):
        refer(reasons=[reasons["housing"]])


def test_a_person_of_another_community_cannot_be_referred_here(refer, outsider):
    with pytest.raises(GinnelError):
        refer(person=outsider)


def test_a_member_of_another_community_cannot_refer_here(as_, outsider, client_person, reasons):
    from ginnel.communities.permissions import access_for

    access = access_for(outsider.membership.user, client_person.community)
    with pytest.raises(PermissionRefused):
        services.referral_create(
            access=access,
            person=client_person,
            reasons=[reasons["loneliness"]],
            details=services.ReferralDetails(
                consent_statement="Yes",
                consent_given_on=timezone.localdate(),
                phone="07700 900123",
            ),
        )


# Accepting, declining, redirecting ------------------------------------------------------------


def test_a_coordinator_accepts_a_referral_and_gives_it_to_a_link_worker(
    refer, as_, coordinator, link_worker
):
    referral = services.referral_accept(
        access=as_(coordinator), referral=refer(), link_worker=link_worker.membership
    )
    referral = reload(referral)
    assert referral.state == ReferralState.ACCEPTED
    assert referral.link_worker == link_worker.membership
    assert referral.accepted_at is not None
    assert kinds(referral) == [EventKind.RECEIVED, EventKind.ACCEPTED]


def test_a_link_worker_cannot_allocate_referrals(refer, as_, link_worker):
    with pytest.raises(PermissionRefused):
        services.referral_accept(
            access=as_(link_worker), referral=refer(), link_worker=link_worker.membership
        )


def test_a_referral_can_only_be_given_to_someone_with_the_link_worker_role(
    refer, as_, coordinator, member
):
    with pytest.raises(GinnelError) as error:
        services.referral_accept(
            access=as_(coordinator), referral=refer(), link_worker=member.membership
        )
    assert error.value.field == "link_worker"


def test_accepting_twice_is_refused(accepted, as_, coordinator, link_worker):
    referral = accepted()
    with pytest.raises(GinnelError, match="already been accepted"):
        services.referral_accept(
            access=as_(coordinator), referral=referral, link_worker=link_worker.membership
        )


def test_declining_without_a_reason_is_refused_and_changes_nothing(refer, as_, coordinator):
    referral = refer()
    with pytest.raises(GinnelError) as error:
        services.referral_decline(access=as_(coordinator), referral=referral, reason="   ")
    assert error.value.field == "reason"
    assert reload(referral).state == ReferralState.RECEIVED
    assert kinds(referral) == [EventKind.RECEIVED]


def test_a_declined_referral_keeps_its_reason_in_the_log(refer, as_, coordinator):
    referral = services.referral_decline(
        access=as_(coordinator), referral=refer(), reason="Needs urgent mental health support."
    )
    assert reload(referral).state == ReferralState.DECLINED
    event = referral.events.get(kind=EventKind.DECLINED)
    assert event.text == "Needs urgent mental health support."
    assert (event.state_from, event.state_to) == (ReferralState.RECEIVED, ReferralState.DECLINED)


def test_a_referral_passed_to_another_service_says_which(refer, as_, coordinator):
    referral = services.referral_redirect(
        access=as_(coordinator), referral=refer(), to_service="Citizens Advice Calder"
    )
    assert reload(referral).state == ReferralState.REDIRECTED
    assert referral.events.get(kind=EventKind.REDIRECTED).detail["to_service"] == (
        "Citizens Advice Calder"
    )


def test_passing_on_needs_the_service_named(refer, as_, coordinator):
    with pytest.raises(GinnelError) as error:
        services.referral_redirect(access=as_(coordinator), referral=refer(), to_service="")
    assert error.value.field == "to_service"


def test_a_declined_referral_cannot_then_be_accepted(refer, as_, coordinator, link_worker):
    referral = services.referral_decline(access=as_(coordinator), referral=refer(), reason="No")
    with pytest.raises(GinnelError, match="declined"):
        services.referral_accept(
            access=as_(coordinator), referral=referral, link_worker=link_worker.membership
        )


def test_the_link_worker_may_decline_their_own_case_before_the_first_conversation(
    accepted, as_, link_worker
):
    referral = services.referral_decline(
        access=as_(link_worker), referral=accepted(), reason="Already has a support worker."
    )
    assert reload(referral).state == ReferralState.DECLINED


def test_a_coordinator_rebalances_by_giving_an_open_case_to_another_link_worker(
    accepted, as_, coordinator, other_link_worker, link_worker
):
    referral = services.referral_reassign(
        access=as_(coordinator), referral=accepted(), link_worker=other_link_worker.membership
    )
    assert reload(referral).link_worker == other_link_worker.membership
    event = referral.events.get(kind=EventKind.REASSIGNED)
    assert event.detail["previous"] == link_worker.membership.pk
    assert event.state_to == ""


# Contact --------------------------------------------------------------------------------------


def test_reaching_the_person_moves_the_referral_to_contacted(accepted, as_, link_worker, yesterday):
    referral = accepted()
    services.contact_attempt_log(
        access=as_(link_worker),
        referral=referral,
        happened_on=yesterday,
        channel="phone",
        outcome="reached",
    )
    referral = reload(referral)
    assert referral.state == ReferralState.CONTACTED
    assert referral.first_contact_at is not None
    event = referral.events.get(kind=EventKind.CONTACT_ATTEMPT)
    assert event.happened_on == yesterday
    assert event.detail == {"channel": "phone", "outcome": "reached"}


def test_after_the_communitys_number_of_failed_attempts_it_closes_as_could_not_contact(
    accepted, as_, link_worker, coordinator, yesterday
):
    services.settings_update(access=as_(coordinator), failed_contacts_before_closing=2)
    referral = accepted()
    for outcome in ("no_answer", "left_message"):
        services.contact_attempt_log(
            access=as_(link_worker),
            referral=referral,
            happened_on=yesterday,
            channel="phone",
            outcome=outcome,
        )
    referral = reload(referral)
    assert referral.state == ReferralState.CLOSED
    assert referral.outcome == CloseOutcome.COULD_NOT_CONTACT
    assert kinds(referral)[-3:] == [
        EventKind.CONTACT_ATTEMPT,
        EventKind.CONTACT_ATTEMPT,
        EventKind.CLOSED,
    ]
    assert referral.events.get(kind=EventKind.CLOSED).detail["tell_referrer"] is True


def test_one_failed_attempt_short_of_the_limit_keeps_the_referral_open(
    accepted, as_, link_worker, yesterday
):
    referral = accepted()
    for _ in range(2):  # the default is 3
        services.contact_attempt_log(
            access=as_(link_worker),
            referral=referral,
            happened_on=yesterday,
            channel="text",
            outcome="no_answer",
        )
    referral = reload(referral)
    assert referral.state == ReferralState.ACCEPTED
    assert referral.failed_contacts == 2


def test_a_contact_attempt_cannot_be_dated_tomorrow(accepted, as_, link_worker):
    with pytest.raises(GinnelError) as error:
        services.contact_attempt_log(
            access=as_(link_worker),
            referral=accepted(),
            happened_on=timezone.localdate() + timedelta(days=1),
            channel="phone",
            outcome="reached",
        )
    assert error.value.field == "happened_on"


def test_a_link_worker_cannot_act_on_another_link_workers_case(
    accepted, as_, other_link_worker, yesterday
):
    referral = accepted()
    with pytest.raises(PermissionRefused, match="not on your caseload"):
        services.contact_attempt_log(
            access=as_(other_link_worker),
            referral=referral,
            happened_on=yesterday,
            channel="phone",
            outcome="reached",
        )
    assert kinds(referral) == [EventKind.RECEIVED, EventKind.ACCEPTED]


def test_a_plain_member_cannot_act_on_a_case(accepted, as_, member, yesterday):
    with pytest.raises(PermissionRefused):
        services.first_conversation_record(
            access=as_(member), referral=accepted(), happened_on=yesterday
        )


def test_an_administrator_of_another_community_cannot_act_on_a_case(accepted, outsider, yesterday):
    from ginnel.communities.permissions import access_for

    referral = accepted()
    access = access_for(outsider.membership.user, outsider.community)
    with pytest.raises(GinnelError, match="no such referral"):
        services.referral_close(access=access, referral=referral, outcome="connected")


# First conversation, follow-ups, connections --------------------------------------------------


def test_the_first_conversation_engages_the_person(accepted, as_, link_worker, yesterday):
    referral = services.first_conversation_record(
        access=as_(link_worker), referral=accepted(), happened_on=yesterday, notes="Loves birds."
    )
    referral = reload(referral)
    assert referral.state == ReferralState.ENGAGED
    assert referral.first_conversation_at is not None
    assert referral.first_contact_at is not None  # a walk-in counts as the first contact


def test_the_first_conversation_is_recorded_once(engaged, as_, link_worker, yesterday):
    with pytest.raises(GinnelError, match="already been recorded"):
        services.first_conversation_record(
            access=as_(link_worker), referral=engaged(), happened_on=yesterday
        )


def test_a_follow_up_sets_the_next_date_and_completing_it_clears_it(engaged, as_, link_worker):
    referral = engaged()
    soon = timezone.localdate() + timedelta(days=7)
    later = timezone.localdate() + timedelta(days=28)
    first = services.follow_up_schedule(
        access=as_(link_worker), referral=referral, due_on=soon, purpose="How was the walk?"
    )
    services.follow_up_schedule(access=as_(link_worker), referral=referral, due_on=later)
    assert reload(referral).next_follow_up_on == soon
    services.follow_up_complete(access=as_(link_worker), follow_up=first, notes="Went twice.")
    assert reload(referral).next_follow_up_on == later
    assert kinds(referral)[-3:] == [
        EventKind.FOLLOW_UP_SCHEDULED,
        EventKind.FOLLOW_UP_SCHEDULED,
        EventKind.FOLLOW_UP_DONE,
    ]


def test_a_follow_up_cannot_be_done_twice_or_due_in_the_past(engaged, as_, link_worker):
    referral = engaged()
    with pytest.raises(GinnelError) as error:
        services.follow_up_schedule(
            access=as_(link_worker),
            referral=referral,
            due_on=timezone.localdate() - timedelta(days=1),
        )
    assert error.value.field == "due_on"
    follow_up = services.follow_up_schedule(
        access=as_(link_worker), referral=referral, due_on=timezone.localdate()
    )
    services.follow_up_complete(access=as_(link_worker), follow_up=follow_up)
    with pytest.raises(GinnelError, match="already done"):
        services.follow_up_complete(
            access=as_(link_worker), follow_up=FollowUp.objects.get(pk=follow_up.pk)
        )


def test_a_connection_to_a_timebank_member_is_recorded_then_marked_went(
    engaged, as_, link_worker, member
):
    referral = engaged()
    connection = services.connection_record(
        access=as_(link_worker),
        referral=referral,
        kind="timebank_member",
        target_id=member.pk,
        target_label=member.display_name,
        suggested_because="Both keep allotments in Hebble End.",
    )
    assert connection.outcome == ConnectionOutcome.PENDING
    services.connection_outcome_record(access=as_(link_worker), connection=connection, went=True)
    connection.refresh_from_db()
    assert connection.outcome == ConnectionOutcome.WENT
    assert kinds(referral)[-2:] == [EventKind.CONNECTION_MADE, EventKind.CONNECTION_OUTCOME]
    with pytest.raises(GinnelError, match="already recorded"):
        services.connection_outcome_record(
            access=as_(link_worker), connection=connection, went=False
        )


def test_connections_wait_for_the_first_conversation(accepted, as_, link_worker):
    with pytest.raises(GinnelError, match="first conversation"):
        services.connection_record(
            access=as_(link_worker), referral=accepted(), kind="group", target_label="Walkers"
        )


def test_a_connection_to_a_member_must_name_someone_in_this_community(
    engaged, as_, link_worker, outsider
):
    with pytest.raises(GinnelError) as error:
        services.connection_record(
            access=as_(link_worker),
            referral=engaged(),
            kind="peer",
            target_id=outsider.pk,
            target_label="Otto",
        )
    assert error.value.field == "target_id"


# Closing and corrections ----------------------------------------------------------------------


def test_closing_records_the_outcome(engaged, as_, link_worker):
    referral = services.referral_close(
        access=as_(link_worker), referral=engaged(), outcome="goals_met", note="Back gardening."
    )
    referral = reload(referral)
    assert (referral.state, referral.outcome) == (ReferralState.CLOSED, CloseOutcome.GOALS_MET)
    assert referral.finished_at is not None


def test_closing_twice_is_refused(engaged, as_, link_worker):
    referral = services.referral_close(
        access=as_(link_worker), referral=engaged(), outcome="connected"
    )
    with pytest.raises(GinnelError, match="already closed"):
        services.referral_close(access=as_(link_worker), referral=referral, outcome="other")
    assert kinds(referral).count(EventKind.CLOSED) == 1


def test_closing_needs_an_outcome_from_the_list(engaged, as_, link_worker):
    with pytest.raises(GinnelError) as error:
        services.referral_close(access=as_(link_worker), referral=engaged(), outcome="")
    assert error.value.field == "outcome"


def test_a_new_referral_cannot_be_closed_before_it_is_accepted(refer, as_, coordinator):
    with pytest.raises(GinnelError, match="not been accepted"):
        services.referral_close(access=as_(coordinator), referral=refer(), outcome="other")


def test_a_mistake_is_corrected_by_a_new_entry_and_the_old_one_stays(
    accepted, as_, link_worker, yesterday
):
    referral = accepted()
    wrong = services.contact_attempt_log(
        access=as_(link_worker),
        referral=referral,
        happened_on=yesterday,
        channel="phone",
        outcome="no_answer",
    )
    fix = services.event_correct(
        access=as_(link_worker), event=wrong, correction="It was a text, not a call."
    )
    assert fix.corrects == wrong
    wrong.refresh_from_db()
    assert wrong.detail["channel"] == "phone"


def test_the_log_refuses_to_be_changed_or_deleted(refer):
    event = refer().events.get()
    event.text = "changed"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    with pytest.raises(AppendOnly):
        ReferralEvent.objects.filter(pk=event.pk).update(text="changed")
    with pytest.raises(AppendOnly):
        ReferralEvent.objects.all().delete()


# Questionnaires -------------------------------------------------------------------------------


def test_the_link_worker_records_ucla3_with_the_person_at_the_start(
    engaged, as_, link_worker, questionnaires
):
    referral = engaged()
    administration = services.questionnaire_answer(
        access=as_(link_worker),
        referral=referral,
        questionnaire=questionnaires["ucla3"],
        occasion="start",
        answers={"lack_companionship": 3, "left_out": 2, "isolated": 3},
    )
    assert administration.answered_by == "with_link_worker"
    assert administration.scores["total"] == 3 + 2 + 3
    assert {a.item: a.value for a in administration.answers.all()} == {
        "lack_companionship": 3,
        "left_out": 2,
        "isolated": 3,
    }
    assert kinds(referral)[-1] == EventKind.QUESTIONNAIRE


def test_the_person_answers_ons4_on_their_own(engaged, as_, client_person, questionnaires):
    administration = services.questionnaire_answer(
        access=as_(client_person),
        referral=engaged(),
        questionnaire=questionnaires["ons4"],
        occasion="start",
        answers={"life_satisfaction": 4, "worthwhile": 5, "happiness": 3, "anxiety": 7},
    )
    assert administration.answered_by == "person"
    assert administration.scores["items"]["anxiety"] == 7


def test_a_questionnaire_is_answered_once_at_the_start(engaged, as_, link_worker, questionnaires):
    referral = engaged()
    answers = {"lack_companionship": 1, "left_out": 1, "isolated": 1}
    for occasion in ("start", "follow_up", "follow_up"):
        services.questionnaire_answer(
            access=as_(link_worker),
            referral=referral,
            questionnaire=questionnaires["ucla3"],
            occasion=occasion,
            answers=answers,
        )
    with pytest.raises(GinnelError, match="already been answered"):
        services.questionnaire_answer(
            access=as_(link_worker),
            referral=referral,
            questionnaire=questionnaires["ucla3"],
            occasion="start",
            answers=answers,
        )


def test_a_missing_answer_is_refused_by_the_question_and_nothing_is_written(
    engaged, as_, link_worker, questionnaires
):
    referral = engaged()
    with pytest.raises(GinnelError) as error:
        services.questionnaire_answer(
            access=as_(link_worker),
            referral=referral,
            questionnaire=questionnaires["ons4"],
            occasion="start",
            answers={"life_satisfaction": 4, "worthwhile": 5, "happiness": 11},
        )
    assert error.value.field == "happiness"
    assert not referral.administrations.exists()


def test_swemwbs_cannot_be_used_until_the_deployer_switches_it_on(
    engaged, as_, link_worker, questionnaires
):
    codes = [i["code"] for i in questionnaires["swemwbs"].definition["items"]]
    with pytest.raises(GinnelError, match="not in use"):
        services.questionnaire_answer(
            access=as_(link_worker),
            referral=engaged(),
            questionnaire=questionnaires["swemwbs"],
            occasion="start",
            answers=dict.fromkeys(codes, 3),
        )


def test_another_member_cannot_answer_for_the_person(engaged, as_, member, questionnaires):
    with pytest.raises(PermissionRefused):
        services.questionnaire_answer(
            access=as_(member),
            referral=engaged(),
            questionnaire=questionnaires["ucla3"],
            occasion="start",
            answers={"lack_companionship": 1, "left_out": 1, "isolated": 1},
        )


def test_an_analyst_cannot_work_a_referral(accepted, as_, make_member, community, yesterday):
    analyst = make_member(community, roles=[Role.ANALYST])
    with pytest.raises(PermissionRefused):
        services.first_conversation_record(
            access=as_(analyst), referral=accepted(), happened_on=yesterday
        )


@pytest.mark.parametrize(
    ("field", "limit"),
    [("phone", 32), ("language", 60), ("carer_relationship", 80), ("what_matters", 4000)],
)
def test_text_longer_than_its_column_is_refused_by_its_field(refer, field, limit):
    before = Referral.objects.count()
    with pytest.raises(GinnelError) as refused:
        refer(**{field: "x" * (limit + 1)})
    assert refused.value.field == field
    assert f"at most {limit} characters" in refused.value.message
    assert Referral.objects.count() == before
    # Exactly at the limit is fine.
    assert refer(**{field: "1" * limit}).pk
