"""Exchanges from proposal to confirmed hours, and the rules along the way."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ginnel.errors import GinnelError
from ginnel.notifications.models import Delivery, Notification
from ginnel.timebank import ledger, services
from ginnel.timebank.models import (
    ExchangeState,
    ListingKind,
    TimebankAction,
    Transfer,
    TransferKind,
    Where,
)

pytestmark = pytest.mark.django_db


def offer(as_, person, taxonomy, **kw):
    values = {
        "kind": ListingKind.OFFER,
        "title": "Help with your garden",
        "description": "Weeding, mowing",
        "categories": [taxonomy["Gardening"]],
        "where": [Where.YOUR_HOME, Where.PUBLIC],
        "availability": "Weekends",
        "expires_on": None,
    }
    values.update(kw)
    return services.listing_save(access=as_(person), **values)


def test_from_an_offer_through_agreement_to_confirmed_hours(
    as_, member, neighbour, categories, yesterday
):
    listing = offer(as_, member, categories)
    exchange = services.exchange_propose(
        access=as_(neighbour),
        listing=listing,
        message="Could you help on Saturday?",
        where=Where.PUBLIC,
    )
    assert (exchange.giver, exchange.receiver) == (member, neighbour)
    assert exchange.category == categories["Gardening"]

    services.exchange_agree(access=as_(member), exchange=exchange)
    services.exchange_complete(
        access=as_(member), exchange=exchange, minutes=120, happened_on=yesterday
    )
    services.exchange_confirm(access=as_(neighbour), exchange=exchange)

    exchange.refresh_from_db()
    assert exchange.state == ExchangeState.CONFIRMED
    assert ledger.account_for(member).balance == 120
    assert ledger.account_for(neighbour).balance == -120
    assert sorted(exchange.transfer.entries.values_list("minutes", flat=True)) == [-120, 120]


def test_a_member_cannot_confirm_their_own_claim(record, as_, member, neighbour, yesterday):
    exchange = record(member, neighbour, minutes=60, description="Lift to the surgery")

    with pytest.raises(GinnelError, match="recorded yourself"):
        services.exchange_confirm(access=as_(member), exchange=exchange)

    exchange.refresh_from_db()
    assert exchange.state == ExchangeState.COMPLETED
    assert not Transfer.objects.exists()


def test_the_proposer_cannot_agree_to_their_own_proposal(as_, member, neighbour):
    exchange = services.exchange_propose(
        access=as_(member),
        other_id=neighbour.pk,
        i_give=True,
        title="Shopping",
        where=Where.PUBLIC,
    )

    with pytest.raises(GinnelError):
        services.exchange_agree(access=as_(member), exchange=exchange)
    services.exchange_decline(access=as_(neighbour), exchange=exchange)

    exchange.refresh_from_db()
    assert exchange.state == ExchangeState.DECLINED


def test_a_coordinator_records_and_confirms_for_members_who_are_not_online(
    record, as_, coordinator, member, neighbour, yesterday
):
    exchange = services.exchange_record(
        access=as_(coordinator),
        on_behalf_of=member.pk,
        other_id=neighbour.pk,
        i_gave=True,
        minutes=90,
        happened_on=yesterday,
        description="Befriending visit",
    )
    services.exchange_confirm(access=as_(coordinator), exchange=exchange)

    assert ledger.account_for(member).balance == 90
    assert list(
        TimebankAction.objects.filter(exchange=exchange)
        .values_list("action", flat=True)
        .order_by("id")
    ) == ["recorded_on_behalf", "confirmed_on_behalf"]
    assert TimebankAction.objects.filter(actor=coordinator.membership).count() == 2


def test_only_a_coordinator_reverses_and_the_original_stays(
    record, as_, coordinator, member, neighbour, yesterday
):
    exchange = record(member, neighbour, minutes=60, description="Dog walking", confirm=True)

    with pytest.raises(GinnelError):
        services.exchange_reverse(access=as_(member), exchange=exchange, reason="Oops")
    with pytest.raises(GinnelError, match="reason"):
        services.exchange_reverse(access=as_(coordinator), exchange=exchange, reason=" ")
    services.exchange_reverse(access=as_(coordinator), exchange=exchange, reason="Recorded twice")

    exchange.refresh_from_db()
    assert exchange.state == ExchangeState.REVERSED
    original = exchange.transfer
    assert original.entries.count() == 2
    reversal = original.reversed_by
    assert reversal.kind == TransferKind.REVERSAL
    assert reversal.reason == "Recorded twice"
    assert ledger.account_for(member).balance == 0
    with pytest.raises(GinnelError):
        services.exchange_reverse(access=as_(coordinator), exchange=exchange, reason="Again")


def test_confirmation_is_refused_beyond_the_debit_limit_with_a_clear_message(
    record, as_, member, neighbour, yesterday, administrator
):
    services.limits_set(access=as_(administrator), credit_limit=10 * 60, debit_limit=60)
    exchange = record(member, neighbour, minutes=90, description="Decorating")

    with pytest.raises(GinnelError, match="below the limit of \u22121:00"):
        services.exchange_confirm(access=as_(neighbour), exchange=exchange)

    exchange.refresh_from_db()
    assert exchange.state == ExchangeState.COMPLETED
    assert ledger.account_for(neighbour).balance == 0


def test_home_visits_need_a_vetted_giver(as_, coordinator, member, neighbour):
    exchange = services.exchange_propose(
        access=as_(neighbour),
        other_id=member.pk,
        i_give=False,
        title="Help at home",
        where=Where.YOUR_HOME,
    )

    with pytest.raises(GinnelError, match="vetted"):
        services.exchange_agree(access=as_(member), exchange=exchange)
    services.safeguarding_set(
        access=as_(coordinator),
        person_id=member.pk,
        vetted_on=date(2026, 1, 5),
        checks="Enhanced DBS seen",
        needs_support=False,
    )
    services.exchange_agree(access=as_(member), exchange=exchange)

    exchange.refresh_from_db()
    assert exchange.state == ExchangeState.AGREED


def test_a_member_who_needs_support_is_only_helped_by_vetted_givers(
    as_, coordinator, member, neighbour
):
    services.safeguarding_set(
        access=as_(coordinator),
        person_id=neighbour.pk,
        vetted_on=None,
        checks="",
        needs_support=True,
    )
    exchange = services.exchange_propose(
        access=as_(neighbour),
        other_id=member.pk,
        i_give=False,
        title="Coffee",
        where=Where.PUBLIC,
    )

    with pytest.raises(GinnelError, match="extra support"):
        services.exchange_agree(access=as_(member), exchange=exchange)


def test_the_exchange_page_says_why_agreement_is_refused(
    as_, member, neighbour, client_for, community
):
    exchange = services.exchange_propose(
        access=as_(neighbour),
        other_id=member.pk,
        i_give=False,
        title="Help at home",
        where=Where.YOUR_HOME,
    )

    page = client_for(member).post(
        reverse("timebank:exchange_act", args=[community.slug, exchange.pk]),
        {"action": "agree"},
        follow=True,
    )

    assert "can only be agreed with a giver a coordinator has vetted" in page.content.decode()


def test_a_group_activity_moves_time_from_each_receiver_to_the_organiser(
    record, as_, coordinator, member, make_member, community, yesterday
):
    receivers = [make_member(community) for _ in range(3)]

    transfer = services.group_activity_record(
        access=as_(coordinator),
        organiser_id=member.pk,
        receiver_ids=[r.pk for r in receivers],
        minutes=60,
        happened_on=yesterday,
        description="Walking group",
    )

    assert transfer.entries.count() == 4
    assert ledger.account_for(member).balance == 180
    assert {ledger.account_for(r).balance for r in receivers} == {-60}


def test_a_member_donates_hours_to_the_pot_or_to_another_member(as_, member, neighbour, community):
    services.donation_make(access=as_(member), minutes=30)
    services.donation_make(access=as_(member), minutes=45, to_person_id=neighbour.pk)

    assert ledger.account_for(member).balance == -75
    assert ledger.pot_for(community).balance == 30
    assert ledger.account_for(neighbour).balance == 45
    assert ledger.community_total(community) == 0


def test_the_receiver_thanks_the_giver_who_chooses_whether_it_shows(
    record, as_, member, neighbour, yesterday, client_for, community
):
    exchange = record(member, neighbour, minutes=60, description="Fixed a shelf", confirm=True)

    with pytest.raises(GinnelError):
        services.thank_you_leave(access=as_(member), exchange=exchange, text="Thanks me")
    note = services.thank_you_leave(
        access=as_(neighbour), exchange=exchange, text="The shelf is perfect, thank you!"
    )
    mine = reverse("timebank:mine", args=[community.slug])
    assert "The shelf is perfect" not in client_for(member).get(mine).content.decode()
    services.thank_you_show(access=as_(member), thank_you=note, show=True)
    assert "The shelf is perfect" in client_for(member).get(mine).content.decode()


def test_expired_and_closed_listings_leave_the_listings(
    as_, member, neighbour, categories, client_for, community
):
    live = offer(as_, member, categories, title="Live offer")
    closed = offer(as_, member, categories, title="Closed offer")
    services.listing_close(access=as_(member), listing=closed)
    expired = offer(as_, member, categories, title="Expired offer")
    expired.expires_on = date(2020, 1, 1)
    expired.save()

    page = client_for(neighbour).get(reverse("timebank:listings", args=[community.slug]))

    titles = {listing.title for listing in page.context["page"]}
    assert titles == {live.title}


def test_listings_filter_by_text_category_where_and_neighbourhood(
    as_, member, neighbour, categories, client_for, community, make_member
):
    _hebble, mytholm = community.neighbourhoods.order_by("name")
    far = make_member(community, neighbourhood=mytholm)
    offer(as_, member, categories, title="Mowing lawns")
    offer(
        as_,
        far,
        categories,
        title="Piano lessons",
        categories=[categories["Music"]],
        where=[Where.ONLINE],
    )
    url = reverse("timebank:listings", args=[community.slug])
    client = client_for(neighbour)

    def titles(**query):
        return {listing.title for listing in client.get(url, query).context["page"]}

    assert titles(q="piano") == {"Piano lessons"}
    assert titles(category=categories["Music"].pk) == {"Piano lessons"}
    assert titles(where="online") == {"Piano lessons"}
    assert titles(neighbourhood=mytholm.pk) == {"Piano lessons"}
    assert titles(kind="request") == set()
    nearest = client.get(url, {"sort": "nearest"}).context["page"]
    assert next(listing.title for listing in nearest) == "Mowing lawns"  # same neighbourhood first


def test_a_coordinator_confirms_a_timesheet_of_exchanges_at_once(
    record, as_, coordinator, member, neighbour, make_member, community, yesterday
):
    third = make_member(community)
    recorded = [
        services.exchange_record(
            access=as_(giver),
            other_id=receiver.pk,
            i_gave=True,
            minutes=minutes,
            happened_on=yesterday,
            description=f"Line {i}",
        )
        for i, (giver, receiver, minutes) in enumerate(
            [(member, neighbour, 60), (neighbour, third, 30), (third, member, 45)]
        )
    ]

    services.exchanges_confirm_many(access=as_(coordinator), exchange_ids=[e.pk for e in recorded])

    # member +60 -45, neighbour -60 +30, third -30 +45
    balances = [ledger.account_for(p).balance for p in (member, neighbour, third)]
    assert balances == [15, -30, 15]
    assert ledger.community_total(community) == 0
    assert TimebankAction.objects.filter(action="confirmed_on_behalf").count() == 3


def test_a_timesheet_with_one_bad_line_confirms_nothing(
    record, as_, coordinator, member, neighbour, community, yesterday
):
    good = record(member, neighbour, minutes=60, description="Good line")
    own = record(coordinator, member, minutes=60, description="Coordinator's own claim")

    with pytest.raises(GinnelError, match="recorded by you"):
        services.exchanges_confirm_many(access=as_(coordinator), exchange_ids=[good.pk, own.pk])

    good.refresh_from_db()
    assert good.state == ExchangeState.COMPLETED
    assert not Transfer.objects.exists()


def test_a_member_cannot_confirm_a_timesheet(record, as_, member, neighbour, yesterday):
    exchange = record(neighbour, member, minutes=60, description="Line")

    with pytest.raises(GinnelError):
        services.exchanges_confirm_many(access=as_(member), exchange_ids=[exchange.pk])


def test_owners_are_reminded_once_when_their_listing_ends(as_, member, categories):
    soon = offer(as_, member, categories, title="Ends soon")
    soon.expires_on = timezone.localdate() + timedelta(days=2)
    soon.save()
    later = offer(as_, member, categories, title="Ends later")
    later.expires_on = timezone.localdate() + timedelta(days=30)
    later.save()

    first = services.listings_remind_expiring()
    second = services.listings_remind_expiring()

    assert (first, second) == (1, 0)
    # A notification (the email goes from its outbox row): see test_notifications.py.
    told = Notification.objects.get(kind="timebank.listing_expiring")
    assert (told.recipient, told.context["title"]) == (member, "Ends soon")
    assert list(Delivery.objects.values_list("notification", "channel")) == [(told.pk, "email")]


def test_a_coordinator_records_time_between_a_member_and_an_organisation(
    record, as_, coordinator, member, community, yesterday, client_for
):
    foodbank = services.organisation_account_add(access=as_(coordinator), name="Food bank")

    services.organisation_time_record(
        access=as_(coordinator),
        organisation_id=foodbank.pk,
        person_id=member.pk,
        member_gave=True,
        minutes=180,
        happened_on=yesterday,
        description="Sorting donations",
    )

    foodbank.refresh_from_db()
    assert (ledger.account_for(member).balance, foodbank.balance) == (180, -180)
    assert ledger.community_total(community) == 0
    with pytest.raises(GinnelError):
        services.organisation_time_record(
            access=as_(member),
            organisation_id=foodbank.pk,
            person_id=member.pk,
            member_gave=True,
            minutes=60,
            happened_on=yesterday,
            description="Self-service",
        )
    page = client_for(coordinator).get(reverse("timebank:coordinate", args=[community.slug]))
    assert "Food bank" in page.content.decode()


def test_thank_you_notes_the_giver_shows_appear_on_their_offers(
    record, as_, member, neighbour, categories, yesterday, client_for, community
):
    listing = offer(as_, member, categories)
    exchange = record(member, neighbour, minutes=60, description="Weeding", confirm=True)
    note = services.thank_you_leave(access=as_(neighbour), exchange=exchange, text="Lovely work!")
    url = reverse("timebank:listing", args=[community.slug, listing.pk])

    hidden = client_for(neighbour).get(url).content.decode()
    services.thank_you_show(access=as_(member), thank_you=note, show=True)
    shown = client_for(neighbour).get(url).content.decode()

    assert "Lovely work!" not in hidden
    assert "Lovely work!" in shown
