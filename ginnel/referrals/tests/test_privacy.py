"""Who may read referral content, and the record kept of every read."""

from __future__ import annotations

import pytest

from ginnel.communities.permissions import access_for
from ginnel.errors import GinnelError, PermissionRefused
from ginnel.referrals import selectors
from ginnel.referrals.models import ReferralRead, ReferralState


def test_the_assigned_link_worker_reads_the_referral_and_the_read_is_recorded(
    accepted, as_, link_worker, client_person
):
    referral = accepted()
    found = selectors.referral_read(access=as_(link_worker), referral_id=referral.pk)
    assert found.what_matters == referral.what_matters
    read = ReferralRead.objects.get()
    assert (read.reader, read.person, read.referral, read.what) == (
        link_worker.membership,
        client_person,
        referral,
        "referral",
    )


def test_a_coordinator_reads_any_referral_and_that_is_recorded_too(refer, as_, coordinator):
    referral = refer()
    selectors.referral_history(access=as_(coordinator), referral=referral)
    assert ReferralRead.objects.filter(reader=coordinator.membership, what="history").count() == 1


def test_the_person_reads_their_own_referral_without_a_read_being_recorded(
    accepted, as_, client_person
):
    referral = accepted()
    selectors.referral_read(access=as_(client_person), referral_id=referral.pk)
    assert list(selectors.my_referrals(access=as_(client_person))) == [referral]
    assert not ReferralRead.objects.exists()


def test_another_link_worker_cannot_read_a_case_that_is_not_theirs(
    accepted, as_, other_link_worker
):
    referral = accepted()
    with pytest.raises(PermissionRefused):
        selectors.referral_read(access=as_(other_link_worker), referral_id=referral.pk)
    with pytest.raises(PermissionRefused):
        selectors.referral_history(access=as_(other_link_worker), referral=referral)
    assert not ReferralRead.objects.exists()


def test_an_analyst_sees_counts_and_never_the_content(refer, accepted, as_, analyst):
    referral = refer()
    accepted()
    with pytest.raises(PermissionRefused):
        selectors.referral_read(access=as_(analyst), referral_id=referral.pk)
    with pytest.raises(PermissionRefused):
        selectors.referral_answers(access=as_(analyst), referral=referral)
    counts = selectors.counts_by_state(access=as_(analyst))
    assert counts[ReferralState.RECEIVED] == 1
    assert counts[ReferralState.ACCEPTED] == 1
    assert counts[ReferralState.CLOSED] == 0


def test_a_plain_member_sees_neither_content_nor_counts(refer, as_, member):
    referral = refer()
    with pytest.raises(PermissionRefused):
        selectors.referral_read(access=as_(member), referral_id=referral.pk)
    with pytest.raises(PermissionRefused):
        selectors.counts_by_state(access=as_(member))


def test_a_member_of_another_community_finds_no_such_referral(refer, outsider):
    referral = refer()
    access = access_for(outsider.membership.user, outsider.community)
    with pytest.raises(GinnelError, match="no such referral"):
        selectors.referral_read(access=access, referral_id=referral.pk)
    # Even pointed at this community, they are no member of it.
    here = access_for(outsider.membership.user, referral.community)
    with pytest.raises(PermissionRefused):
        selectors.referral_read(access=here, referral_id=referral.pk)
