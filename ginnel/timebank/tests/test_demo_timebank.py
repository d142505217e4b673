"""The demo's timebank looks like a real one and keeps the ledger's rules."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db.models import F

from ginnel.demo.generator import delete_demo, generate_community
from ginnel.timebank import ledger
from ginnel.timebank.models import Account, Exchange, ExchangeState, Listing, ListingKind

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        result = generate_community(people=300, seed=11, slug="tbdemo")
        yield result
        delete_demo(slug="tbdemo")


def test_the_demo_ledger_sums_to_zero_and_balances_match_entries(demo):
    community = demo.community

    assert ledger.community_total(community) == 0
    for account in Account.objects.filter(community=community):
        assert account.balance == ledger.balance_from_entries(account)
    limits = ledger.settings_read(community)
    assert all(
        -limits.debit_limit <= a.balance <= limits.credit_limit
        for a in Account.objects.filter(community=community, kind="member")
    )


def test_the_demo_has_offers_requests_and_a_year_of_exchanges(demo):
    community = demo.community
    kinds = Counter(Listing.objects.filter(community=community).values_list("kind", flat=True))
    confirmed = Exchange.objects.filter(community=community, state=ExchangeState.CONFIRMED)
    dates = sorted(d for d in confirmed.values_list("happened_on", flat=True) if d)

    assert kinds[ListingKind.OFFER] > 50
    assert kinds[ListingKind.REQUEST] > 20
    assert confirmed.count() > 300
    assert (dates[-1] - dates[0]).days > 300
    assert Exchange.objects.filter(community=community, state=ExchangeState.COMPLETED).exists()


def test_most_members_are_active_a_little_and_a_few_very_active(demo):
    confirmed = Exchange.objects.filter(community=demo.community, state=ExchangeState.CONFIRMED)
    given: Counter[int] = Counter()
    involved: set[int] = set()
    for giver, receiver, minutes in confirmed.values_list("giver_id", "receiver_id", "minutes"):
        given[giver] += minutes or 0
        involved.update((giver, receiver))
    top_tenth = sum(m for _, m in given.most_common(len(demo.community.people.all()) // 10))

    assert len(involved) > 0.5 * demo.community.people.count()
    assert top_tenth > 0.3 * sum(given.values())


def test_exchanges_mostly_stay_within_a_neighbourhood_and_some_cross(demo):
    confirmed = Exchange.objects.filter(community=demo.community, state=ExchangeState.CONFIRMED)
    same = confirmed.filter(giver__neighbourhood=F("receiver__neighbourhood")).count()

    assert same > 0.6 * confirmed.count()
    assert confirmed.count() - same > 0.05 * confirmed.count()
