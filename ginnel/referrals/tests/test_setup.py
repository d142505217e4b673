"""What a new community starts with, and how it changes its own list of reasons."""

from __future__ import annotations

import pytest

from ginnel.communities.services import community_create
from ginnel.errors import GinnelError, PermissionRefused
from ginnel.referrals import services
from ginnel.referrals.models import Questionnaire, ReferralReason, ReferralSettings


def test_a_new_community_gets_the_ten_reasons_the_questionnaires_and_settings(db):
    community = community_create(
        name="Ouseburn Connects",
        slug="ouseburn",
        kind="place",
        admin_email="founder@example.org",
        admin_password="a long test password 42",
        admin_name="Founder",
    )
    codes = set(ReferralReason.objects.filter(community=community).values_list("code", flat=True))
    assert {"loneliness", "low_mood", "carer", "bereavement", "digital_skills"} <= codes
    assert len(codes) == 10
    enabled = dict(
        Questionnaire.objects.filter(community=community).values_list("code", "is_enabled")
    )
    assert enabled == {"ons4": True, "ucla3": True, "swemwbs": False}
    assert ReferralSettings.objects.get(community=community).failed_contacts_before_closing == 3


def test_seeding_twice_adds_nothing(seeded):
    services.referrals_seed(community=seeded)
    assert ReferralReason.objects.filter(community=seeded).count() == 10
    assert Questionnaire.objects.filter(community=seeded).count() == 3


def test_a_coordinator_adds_a_reason_and_retires_one(seeded, as_, coordinator):
    added = services.reason_add(access=as_(coordinator), code="food", label="Food and cooking")
    assert added.is_active
    retired = services.reason_retire(access=as_(coordinator), reason=added)
    assert not retired.is_active
    assert ReferralReason.objects.filter(pk=added.pk).exists()  # kept, never deleted
    with pytest.raises(GinnelError, match="already retired"):
        services.reason_retire(access=as_(coordinator), reason=retired)


def test_a_reason_needs_words_and_a_code_of_its_own(seeded, as_, coordinator):
    with pytest.raises(GinnelError) as error:
        services.reason_add(access=as_(coordinator), code="food", label=" ")
    assert error.value.field == "label"
    with pytest.raises(GinnelError) as error:
        services.reason_add(access=as_(coordinator), code="carer", label="Carers")
    assert error.value.field == "code"


def test_a_link_worker_cannot_change_the_list_of_reasons_or_the_settings(seeded, as_, link_worker):
    with pytest.raises(PermissionRefused):
        services.reason_add(access=as_(link_worker), code="food", label="Food")
    with pytest.raises(PermissionRefused):
        services.settings_update(access=as_(link_worker), failed_contacts_before_closing=5)


def test_the_number_of_failed_attempts_must_be_sensible(seeded, as_, coordinator):
    for bad in (0, 11):
        with pytest.raises(GinnelError) as error:
            services.settings_update(access=as_(coordinator), failed_contacts_before_closing=bad)
        assert error.value.field == "failed_contacts_before_closing"
