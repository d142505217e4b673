from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ginnel.communities.permissions import Access, access_for
from ginnel.people.models import Person
from ginnel.timebank import services


@pytest.fixture
def categories(community):
    return {c.name: c for c in services.categories_seed(community=community)}


@pytest.fixture
def as_():
    """access_for a person, in their own community."""

    def make(person: Person) -> Access:
        return access_for(person.membership.user, person.community)

    return make


@pytest.fixture
def yesterday():
    return timezone.localdate() - timedelta(days=1)


@pytest.fixture
def neighbour(community, make_member):
    return make_member(community, name="Nia Neighbour", email="nia@example.org")


@pytest.fixture
def record(as_, yesterday):
    """``giver`` helped ``receiver`` yesterday; with ``confirm``, the receiver confirms it."""

    def make(
        giver: Person,
        receiver: Person,
        *,
        minutes: int = 60,
        description: str = "Help",
        confirm: bool = False,
    ):
        exchange = services.exchange_record(
            access=as_(giver),
            other_id=receiver.pk,
            i_gave=True,
            minutes=minutes,
            happened_on=yesterday,
            description=description,
        )
        if confirm:
            exchange = services.exchange_confirm(access=as_(receiver), exchange=exchange)
        return exchange

    return make
