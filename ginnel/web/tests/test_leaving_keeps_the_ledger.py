"""Leaving a community closes the timebank account without touching the ledger, closes
offers and requests, and takes the person out of suggestions."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ginnel.communities import services as community_services
from ginnel.communities.models import Community, SignupMode
from ginnel.communities.permissions import access_for
from ginnel.people.models import StrengthsProfile
from ginnel.timebank import ledger
from ginnel.timebank.models import Account, Entry, Listing, ListingStatus, TransferKind
from ginnel.timebank.services import categories_seed

pytestmark = pytest.mark.django_db


def give(community, giver, receiver, minutes):
    """The receiver pays the giver: the giver's balance goes up by ``minutes``."""
    ledger.post(
        community=community,
        legs=[
            ledger.Leg(ledger.account_for(giver).pk, minutes),
            ledger.Leg(ledger.account_for(receiver).pk, -minutes),
        ],
        kind=TransferKind.EXCHANGE,
        description="Help",
        happened_on=date(2026, 11, 2),
        created_by=None,
    )


def leave(person):
    community_services.membership_leave(access=access_for(person.membership.user, person.community))


def test_a_member_with_a_balance_leaves_and_every_balance_and_the_sum_stay(
    community, member, make_member, client_for
):
    hana = make_member(community, name="Hana Helper")
    give(community, member, hana, 90)  # Mo helped Hana for an hour and a half
    give(community, hana, member, 30)  # Hana helped Mo for half an hour
    entries_before = Entry.objects.count()

    response = client_for(member).post(reverse("communities:leave", args=[community.slug]))

    assert response.status_code == 302
    account = Account.objects.get(person=member)
    assert account.closed_at is not None
    assert account.balance == 60
    assert ledger.balance_from_entries(account) == 60
    assert Account.objects.get(person=hana).balance == -60
    assert Account.objects.get(person=hana).closed_at is None
    assert Entry.objects.count() == entries_before
    assert ledger.community_total(community) == 0


def test_leaving_closes_the_members_live_offers_and_requests_only(community, member, make_member):
    hana = make_member(community, name="Hana Helper")
    mine = [
        Listing.objects.create(community=community, owner=member, kind=kind, title=title)
        for kind, title in (("offer", "Dog walking"), ("request", "Lift to the shops"))
    ]
    theirs = Listing.objects.create(community=community, owner=hana, kind="offer", title="Baking")

    leave(member)

    assert {listing.status for listing in Listing.objects.filter(pk__in=[m.pk for m in mine])} == {
        ListingStatus.CLOSED
    }
    theirs.refresh_from_db()
    assert theirs.status == ListingStatus.OPEN


def test_a_member_without_an_account_yet_can_leave(community, member):
    leave(member)

    assert not Account.objects.filter(person=member).exists()


def test_a_member_who_left_is_no_longer_suggested(community, member, make_member, client_for):
    cats = {c.name: c for c in categories_seed(community=community)}
    request = Listing.objects.create(
        community=community, owner=member, kind="request", title="Help with my garden"
    )
    request.categories.set([cats["Gardening"]])
    sam = make_member(community, name="Sam Skilful")
    StrengthsProfile.objects.create(community=community, person=sam).skills.set([cats["Gardening"]])
    home = reverse("web:community_home", args=[community.slug])
    assert "Sam Skilful" in client_for(member).get(home).content.decode()

    leave(sam)

    assert "Sam Skilful" not in client_for(member).get(home).content.decode()


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    moves=st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(1, 600)), max_size=8
    ),
    leavers=st.sets(st.integers(0, 3)),
)
def test_whoever_leaves_every_balance_stays_and_the_community_sums_to_zero(
    make_member, moves, leavers
):
    community = Community.objects.create(
        name="Property Vale",
        slug=f"prop-{Community.objects.count()}",
        kind="timebank",
        signup_mode=SignupMode.OPEN,
    )
    people = [make_member(community) for _ in range(4)]
    make_member(community, roles=["administrator"])  # so any of the four may leave
    for giver, receiver, minutes in moves:
        if giver != receiver:
            give(community, people[giver], people[receiver], minutes)
    before = {p.pk: ledger.balance_of(p) for p in people}

    for i in sorted(leavers):
        leave(people[i])

    assert {p.pk: ledger.balance_of(p) for p in people} == before
    assert ledger.community_total(community) == 0
    accounts = Account.objects.filter(person__in=people)
    closed = {a.person_id for a in accounts if a.closed_at is not None}
    assert closed == {
        a.person_id for a in accounts if a.person_id in {people[i].pk for i in leavers}
    }
