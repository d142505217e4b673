from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from ginnel.communities.permissions import Access, access_for
from ginnel.people.models import Person
from ginnel.referrals import services as referral_services
from ginnel.referrals.models import Referral, ReferralReason


@pytest.fixture
def as_() -> Callable[[Person], Access]:
    def make(person: Person) -> Access:
        return access_for(person.membership.user, person.community)

    return make


@pytest.fixture
def refer(community, coordinator, as_) -> Callable[..., Referral]:
    """A referral of ``person`` written down by the coordinator, saying ``what_matters``."""
    referral_services.referrals_seed(community=community)
    reason = ReferralReason.objects.filter(community=community).order_by("pk")[0]

    def make(person: Person, *, what_matters: str, phone: str = "07700 900123") -> Referral:
        return referral_services.referral_create(
            access=as_(coordinator),
            person=person,
            reasons=[reason],
            details=referral_services.ReferralDetails(
                consent_statement="Agreed on the phone.",
                consent_given_on=timezone.localdate() - timedelta(days=1),
                contact_by="phone",
                phone=phone,
                what_matters=what_matters,
            ),
        )

    return make
