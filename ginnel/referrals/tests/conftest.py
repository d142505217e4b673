from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ginnel.communities.models import Role
from ginnel.communities.permissions import Access, access_for
from ginnel.people.models import Person
from ginnel.referrals import services
from ginnel.referrals.models import Questionnaire, Referral, ReferralReason


@pytest.fixture
def as_():
    """access_for a person, in their own community."""

    def make(person: Person) -> Access:
        return access_for(person.membership.user, person.community)

    return make


@pytest.fixture
def seeded(community):
    services.referrals_seed(community=community)
    return community


@pytest.fixture
def reasons(seeded):
    return {r.code: r for r in ReferralReason.objects.filter(community=seeded)}


@pytest.fixture
def questionnaires(seeded):
    return {q.code: q for q in Questionnaire.objects.filter(community=seeded)}


@pytest.fixture
def client_person(community, make_member):
    """The person referred: a member of the community with a login of their own."""
    return make_member(community, name="Rhoda Referred", email="rhoda@example.org")


@pytest.fixture
def other_link_worker(community, make_member):
    return make_member(
        community, roles=[Role.LINK_WORKER], name="Lou Otherworker", email="lou@example.org"
    )


@pytest.fixture
def yesterday():
    return timezone.localdate() - timedelta(days=1)


INTAKE_ARGUMENTS = ("reasons", "referrer", "display_name", "external_system", "external_id")


def split(fields: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for ``referral_create``/``referral_receive``: the details in one."""
    arguments = {k: fields.pop(k) for k in INTAKE_ARGUMENTS if k in fields}
    return {**arguments, "details": services.ReferralDetails(**fields)}


@pytest.fixture
def refer(as_, reasons, coordinator, client_person):
    """A referral of ``person`` (the client by default), written down by ``by``."""

    def make(person: Person | None = None, *, by: Person | None = None, **extra) -> Referral:
        fields = {
            "reasons": [reasons["loneliness"]],
            "consent_statement": "Agreed at her appointment on the phone with Dr Shah.",
            "consent_given_on": timezone.localdate(),
            "contact_by": "phone",
            "phone": "07700 900123",
            "what_matters": "Getting out of the house and back to the allotment.",
            **extra,
        }
        return services.referral_create(
            access=as_(by or coordinator), person=person or client_person, **split(fields)
        )

    return make


@pytest.fixture
def accepted(refer, as_, coordinator, link_worker):
    """A referral given to ``link_worker``."""

    def make(**extra) -> Referral:
        referral = refer(**extra)
        return services.referral_accept(
            access=as_(coordinator), referral=referral, link_worker=link_worker.membership
        )

    return make


@pytest.fixture
def engaged(accepted, as_, link_worker, yesterday):
    """A referral whose first conversation has happened."""

    def make(**extra) -> Referral:
        referral = accepted(**extra)
        return services.first_conversation_record(
            access=as_(link_worker), referral=referral, happened_on=yesterday
        )

    return make
