"""Referring organisations, their referrers, referrals they send, and questionnaires switched on."""

from __future__ import annotations

import pytest
from django.utils import timezone

from ginnel.errors import GinnelError, PermissionRefused
from ginnel.people.models import Person
from ginnel.referrals import services
from ginnel.referrals.models import EventKind, Referral, ReferralState, ReferrerKind
from ginnel.referrals.tests.conftest import split


@pytest.fixture
def practice(seeded, as_, coordinator):
    return services.organisation_add(
        access=as_(coordinator), kind="gp_practice", name="Hebble End Surgery", ods_code="b86001"
    )


@pytest.fixture
def gp(practice, as_, coordinator):
    return services.referrer_add(
        access=as_(coordinator), organisation=practice, name="Dr Asha Shah", job_title="GP"
    )


def send(gp, reasons, **extra):
    fields = {
        "display_name": "Harold Pike",
        "reasons": [reasons["loneliness"], reasons["bereavement"]],
        "consent_statement": "Agreed in consultation.",
        "consent_given_on": timezone.localdate(),
        "contact_by": "letter",
        "address": "4 Mill Lane, Hebble End",
        **extra,
    }
    return services.referral_receive(referrer=gp, **split(fields))


def test_a_coordinator_adds_a_practice_with_its_ods_code(practice):
    assert (practice.name, practice.kind, practice.ods_code) == (
        "Hebble End Surgery",
        "gp_practice",
        "B86001",
    )


def test_an_organisation_needs_a_kind_and_a_name_of_its_own(practice, as_, coordinator):
    with pytest.raises(GinnelError) as error:
        services.organisation_add(access=as_(coordinator), kind="pub", name="The Fleece")
    assert error.value.field == "kind"
    with pytest.raises(GinnelError) as error:
        services.organisation_add(
            access=as_(coordinator), kind="gp_practice", name="Hebble End Surgery"
        )
    assert error.value.field == "name"


def test_a_link_worker_cannot_add_organisations_or_referrers(practice, as_, link_worker):
    with pytest.raises(PermissionRefused):
        services.organisation_add(access=as_(link_worker), kind="housing", name="Calder Homes")
    with pytest.raises(PermissionRefused):
        services.referrer_add(access=as_(link_worker), organisation=practice, name="Dr Who")


def test_a_gp_refers_someone_new_who_is_recorded_without_a_login(gp, reasons):
    referral = send(gp, reasons)
    assert referral.state == ReferralState.RECEIVED
    assert referral.organisation == gp.organisation
    person = Person.objects.get(pk=referral.person_id)
    assert person.display_name == "Harold Pike"
    assert person.membership.user is None
    event = referral.events.get()
    assert (event.kind, event.actor, event.actor_referrer) == (EventKind.RECEIVED, None, gp)


def test_a_referral_from_a_practice_with_a_missing_address_writes_nothing(gp, reasons):
    with pytest.raises(GinnelError) as error:
        send(gp, reasons, address="")
    assert error.value.field == "address"
    assert not Referral.objects.exists()
    assert not Person.objects.filter(display_name="Harold Pike").exists()


def test_the_same_referral_from_a_referring_system_is_received_once(gp, reasons):
    send(gp, reasons, external_system="https://fhir.example.nhs.uk", external_id="sr-1")
    with pytest.raises(GinnelError, match="already been received"):
        send(gp, reasons, external_system="https://fhir.example.nhs.uk", external_id="sr-1")


def test_only_referrers_at_an_active_organisation_send_referrals_this_way(
    gp, reasons, refer, link_worker
):
    own = refer(by=link_worker).referrer
    assert own.kind == ReferrerKind.ON_BEHALF
    with pytest.raises(PermissionRefused):
        send(own, reasons)
    gp.organisation.is_active = False
    gp.organisation.save()
    with pytest.raises(PermissionRefused):
        send(gp, reasons)


def test_staff_write_down_a_referral_phoned_in_by_a_gp(gp, refer, link_worker, member):
    referral = refer(by=link_worker, referrer=gp)
    assert referral.referrer == gp
    assert referral.organisation == gp.organisation
    with pytest.raises(PermissionRefused):
        refer(by=member, referrer=gp)


def test_swemwbs_is_switched_on_only_with_the_licence_registration_confirmed(
    questionnaires, as_, administrator, coordinator
):
    swemwbs = questionnaires["swemwbs"]
    with pytest.raises(PermissionRefused):
        services.questionnaire_switch(access=as_(coordinator), questionnaire=swemwbs, on=True)
    with pytest.raises(GinnelError) as error:
        services.questionnaire_switch(access=as_(administrator), questionnaire=swemwbs, on=True)
    assert error.value.field == "licence_registered"
    switched = services.questionnaire_switch(
        access=as_(administrator), questionnaire=swemwbs, on=True, licence_registered=True
    )
    assert switched.is_enabled


def test_a_questionnaire_switched_off_is_no_longer_asked(
    engaged, questionnaires, as_, administrator, link_worker
):
    services.questionnaire_switch(
        access=as_(administrator), questionnaire=questionnaires["ucla3"], on=False
    )
    with pytest.raises(GinnelError, match="not in use"):
        services.questionnaire_answer(
            access=as_(link_worker),
            referral=engaged(),
            questionnaire=questionnaires["ucla3"],
            occasion="start",
            answers={"lack_companionship": 1, "left_out": 1, "isolated": 1},
        )
