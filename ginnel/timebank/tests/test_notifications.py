"""What the timebank tells people: each kind reaches the right person, worded for them, and no one
else — not the one who acted, not someone outside the exchange, not another community, not
across a block."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.template import Context, Engine
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from ginnel.matching.models import Block
from ginnel.notifications.kinds import get
from ginnel.notifications.models import Delivery, DeliveryStatus, Notification
from ginnel.timebank import services
from ginnel.timebank.models import ListingKind, Where

pytestmark = pytest.mark.django_db

PROPOSED = "timebank.exchange_proposed"
AGREED = "timebank.exchange_agreed"
TO_CONFIRM = "timebank.hours_to_confirm"
CONFIRMED = "timebank.hours_confirmed"
DECLINED = "timebank.hours_declined"
REVERSED = "timebank.exchange_reversed"
THANKS = "timebank.thank_you"
EXPIRING = "timebank.listing_expiring"


def _render(notification: Notification, name: str) -> str:
    context = {
        **notification.context,
        "recipient": notification.recipient.display_name,
        "community": notification.community.name,
        "url": f"https://ginnel.example{notification.url}",
    }
    template = Engine.get_default().get_template(f"{get(notification.kind).templates}/{name}")
    return template.render(Context(context, autoescape=False))


def title_of(notification: Notification) -> str:
    return " ".join(_render(notification, "title.txt").split())


def told(kind: str) -> dict[int, Notification]:
    """Who was told of ``kind``: recipient id → their notification (once each)."""
    found = list(Notification.objects.filter(kind=kind))
    by_person = {n.recipient_id: n for n in found}
    assert len(by_person) == len(found), "someone was told twice"
    return by_person


def only(kind: str, *people) -> dict[int, Notification]:
    """``kind`` reached exactly ``people``, each with an email waiting to go."""
    by_person = told(kind)
    assert set(by_person) == {p.pk for p in people}
    for n in by_person.values():
        assert list(Delivery.objects.filter(notification=n).values_list("channel", "status")) == [
            ("email", DeliveryStatus.PENDING)
        ]
    return by_person


def page_of(exchange) -> str:
    return f"/c/calder-vale/timebank/exchanges/{exchange.pk}/"


@pytest.fixture
def bystander(community, make_member):
    """A member of the community who is in none of these exchanges."""
    return make_member(community, name="Pat Bystander", email="pat@example.org")


@pytest.fixture
def carole(community, make_member):
    return make_member(community, name="Carole Client", email="carole@example.org")


@pytest.fixture
def garden_offer(as_, member, categories):
    return services.listing_save(
        access=as_(member),
        kind=ListingKind.OFFER,
        title="Help with your garden",
        description="",
        categories=[categories["Gardening"]],
        where=[Where.PUBLIC],
        availability="",
        expires_on=None,
    )


@pytest.fixture
def everyone(member, neighbour, coordinator, link_worker, bystander, outsider, carole):
    """Everyone there is, so each test's "only" also says who was not told."""


def propose(as_, person, listing, **extra):
    return services.exchange_propose(
        access=as_(person), listing=listing, message="Saturday?", where=Where.PUBLIC, **extra
    )


# Proposed ------------------------------------------------------------------------------------


def test_the_owner_of_an_offer_hears_of_a_proposal(as_, everyone, garden_offer, member, neighbour):
    exchange = propose(as_, neighbour, garden_offer)

    note = only(PROPOSED, member)[member.pk]
    assert title_of(note) == "Nia Neighbour proposed an exchange with you: “Help with your garden”"
    assert note.url == page_of(exchange)
    assert note.actor == neighbour
    email = _render(note, "email.txt")
    assert "Hello Mo Member," in email
    assert "The message with it: Saturday?" in email
    assert f"https://ginnel.example{page_of(exchange)}" in email


def test_a_proposal_made_for_someone_says_who_made_it_to_both(
    as_, everyone, garden_offer, member, link_worker, carole
):
    propose(as_, link_worker, garden_offer, for_person_id=carole.pk)

    told_ = only(PROPOSED, member, carole)
    assert title_of(told_[member.pk]) == (
        "Lin Linkworker proposed an exchange with you for Carole Client: “Help with your garden”"
    )
    hers = told_[carole.pk]
    assert title_of(hers) == (
        "Lin Linkworker proposed an exchange with Mo Member for you: “Help with your garden”"
    )
    # Never "you proposed": she did not.
    for name in ("title.txt", "email.txt", "sms.txt", "letter.txt"):
        assert "you proposed" not in _render(hers, name).lower()
    assert "Mo Member will agree or decline." in _render(hers, "email.txt")


def test_a_suggested_exchange_is_told_to_both_people(as_, everyone, coordinator, member, neighbour):
    services.exchange_broker(
        access=as_(coordinator),
        giver_id=member.pk,
        receiver_id=neighbour.pk,
        description="Shopping",
        where=Where.PUBLIC,
    )

    told_ = only(PROPOSED, member, neighbour)
    assert title_of(told_[member.pk]) == (
        "Cath Coordinator suggested an exchange between you and Nia Neighbour: “Shopping”"
    )
    assert title_of(told_[neighbour.pk]) == (
        "Cath Coordinator suggested an exchange between you and Mo Member: “Shopping”"
    )


# Agreed --------------------------------------------------------------------------------------


def test_the_proposer_hears_it_was_agreed_and_the_proposal_is_read(
    as_, everyone, garden_offer, member, neighbour
):
    exchange = propose(as_, neighbour, garden_offer)

    services.exchange_agree(access=as_(member), exchange=exchange)

    note = only(AGREED, neighbour)[neighbour.pk]
    assert title_of(note) == "Mo Member agreed to “Help with your garden”"
    assert note.url == page_of(exchange)
    assert Notification.objects.get(kind=PROPOSED, recipient=member).read_at is not None


def test_a_coordinator_agreeing_for_the_person_asked_tells_both(
    as_, everyone, garden_offer, member, neighbour, coordinator
):
    exchange = propose(as_, neighbour, garden_offer)

    services.exchange_agree(access=as_(coordinator), exchange=exchange)

    told_ = only(AGREED, neighbour, member)
    assert title_of(told_[neighbour.pk]) == (
        "Cath Coordinator agreed to “Help with your garden” for Mo Member"
    )
    assert title_of(told_[member.pk]) == (
        "Cath Coordinator agreed to “Help with your garden” with Nia Neighbour for you"
    )


def test_declining_a_proposal_marks_it_read_and_tells_no_one(
    as_, everyone, garden_offer, member, neighbour
):
    exchange = propose(as_, neighbour, garden_offer)

    services.exchange_decline(access=as_(member), exchange=exchange)

    assert Notification.objects.get(kind=PROPOSED, recipient=member).read_at is not None
    assert Notification.objects.count() == 1


# Hours to confirm, confirmed, declined ------------------------------------------------------


def test_the_other_person_is_asked_to_confirm_recorded_hours(record, everyone, member, neighbour):
    exchange = record(member, neighbour, minutes=90, description="Fixing a shelf")

    note = only(TO_CONFIRM, neighbour)[neighbour.pk]
    assert title_of(note) == (
        "Mo Member recorded 1:30 hours on “Fixing a shelf”: please confirm them"
    )
    assert note.url == page_of(exchange)


def test_hours_recorded_after_an_agreement_ask_the_other_person(
    as_, everyone, garden_offer, member, neighbour, yesterday
):
    exchange = propose(as_, neighbour, garden_offer)
    services.exchange_agree(access=as_(member), exchange=exchange)

    services.exchange_complete(
        access=as_(member), exchange=exchange, minutes=120, happened_on=yesterday
    )

    note = only(TO_CONFIRM, neighbour)[neighbour.pk]
    assert title_of(note) == (
        "Mo Member recorded 2:00 hours on “Help with your garden”: please confirm them"
    )


def test_hours_recorded_by_a_coordinator_say_for_whom(
    as_, everyone, coordinator, member, neighbour, yesterday
):
    services.exchange_record(
        access=as_(coordinator),
        other_id=neighbour.pk,
        i_gave=True,
        minutes=60,
        happened_on=yesterday,
        description="Ironing",
        on_behalf_of=member.pk,
    )

    note = only(TO_CONFIRM, neighbour)[neighbour.pk]
    assert title_of(note) == (
        "Cath Coordinator recorded 1:00 hours for Mo Member on “Ironing”: please confirm them"
    )


def test_the_claimant_hears_their_hours_were_confirmed(as_, record, everyone, member, neighbour):
    exchange = record(member, neighbour, minutes=90, description="Fixing a shelf")

    services.exchange_confirm(access=as_(neighbour), exchange=exchange)

    note = only(CONFIRMED, member)[member.pk]
    assert title_of(note) == "Nia Neighbour confirmed your 1:30 hours on “Fixing a shelf”"
    assert note.url == page_of(exchange)
    # Confirming is acting on "hours to confirm": it is read.
    assert Notification.objects.get(kind=TO_CONFIRM).read_at is not None


def test_a_coordinator_confirming_for_someone_tells_both_and_says_who(
    as_, record, everyone, coordinator, member, neighbour
):
    record(member, neighbour, minutes=60, description="Help")
    exchange = record(member, neighbour, minutes=30, description="More help")

    services.exchanges_confirm_many(access=as_(coordinator), exchange_ids=[exchange.pk])

    told_ = only(CONFIRMED, member, neighbour)
    assert title_of(told_[member.pk]) == (
        "Cath Coordinator confirmed your 0:30 hours on “More help” for Nia Neighbour"
    )
    assert title_of(told_[neighbour.pk]) == (
        "Cath Coordinator confirmed 0:30 hours on “More help” with Mo Member for you"
    )
    unread = Notification.objects.filter(kind=TO_CONFIRM, read_at__isnull=True)
    assert [n.context["title"] for n in unread] == ["Help"]


def test_declined_hours_tell_the_claimant_why(as_, record, everyone, member, neighbour):
    exchange = record(member, neighbour, minutes=90, description="Fixing a shelf")

    services.claim_decline(access=as_(neighbour), exchange=exchange, reason="It was an hour.")

    note = only(DECLINED, member)[member.pk]
    assert title_of(note) == "Nia Neighbour declined your 1:30 hours on “Fixing a shelf”"
    assert "The reason given: It was an hour." in _render(note, "email.txt")
    assert Notification.objects.get(kind=TO_CONFIRM).read_at is not None


def test_declined_without_a_reason_says_none(as_, record, everyone, member, neighbour):
    exchange = record(member, neighbour, minutes=60)

    services.claim_decline(access=as_(neighbour), exchange=exchange)

    note = only(DECLINED, member)[member.pk]
    assert "reason" not in _render(note, "email.txt")


def test_hours_rejected_by_a_coordinator_tell_the_claimant(
    as_, record, everyone, coordinator, member, neighbour
):
    exchange = record(member, neighbour, minutes=45, description="Lift to the shops")

    services.claim_reject(access=as_(coordinator), exchange=exchange, reason="Recorded twice.")

    note = only(DECLINED, member)[member.pk]
    assert title_of(note) == (
        "Cath Coordinator, a coordinator, turned down your 0:45 hours on “Lift to the shops”"
    )
    assert "The reason given: Recorded twice." in _render(note, "letter.txt")


def test_withdrawn_hours_need_no_confirming(as_, record, everyone, member, neighbour):
    exchange = record(member, neighbour)

    services.claim_withdraw(access=as_(member), exchange=exchange)

    assert Notification.objects.get(kind=TO_CONFIRM).read_at is not None


# Reversed, thanks ----------------------------------------------------------------------------


def test_both_people_hear_a_coordinator_reversed_their_hours(
    as_, record, everyone, coordinator, member, neighbour
):
    exchange = record(member, neighbour, minutes=60, description="Help", confirm=True)

    services.exchange_reverse(access=as_(coordinator), exchange=exchange, reason="Entered twice")

    told_ = only(REVERSED, member, neighbour)
    assert title_of(told_[member.pk]) == (
        "Cath Coordinator, a coordinator, reversed the 1:00 hours on “Help” with Nia Neighbour"
    )
    assert title_of(told_[neighbour.pk]) == (
        "Cath Coordinator, a coordinator, reversed the 1:00 hours on “Help” with Mo Member"
    )
    assert "The reason given: Entered twice" in _render(told_[member.pk], "email.txt")


def test_the_giver_hears_of_a_thank_you(as_, record, everyone, member, neighbour):
    exchange = record(member, neighbour, description="Help", confirm=True)

    services.thank_you_leave(access=as_(neighbour), exchange=exchange, text="You were brilliant")

    note = only(THANKS, member)[member.pk]
    assert title_of(note) == "Nia Neighbour thanked you for “Help”"
    assert "Their note: You were brilliant" in _render(note, "email.txt")


# Blocking ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who_blocked", ["recipient", "actor"])
def test_no_one_is_told_across_a_block(community, record, everyone, member, neighbour, who_blocked):
    if who_blocked == "recipient":
        Block.objects.create(community=community, person=neighbour, blocked=member)
    else:
        Block.objects.create(community=community, person=member, blocked=neighbour)

    record(member, neighbour)

    assert told(TO_CONFIRM) == {}


def test_a_block_leaves_out_only_the_two_people_in_it(
    as_, community, everyone, coordinator, member, neighbour, record
):
    exchange = record(member, neighbour, confirm=True)
    Block.objects.create(community=community, person=member, blocked=coordinator)

    services.exchange_reverse(access=as_(coordinator), exchange=exchange, reason="Mistake")

    assert set(told(REVERSED)) == {neighbour.pk}


# Listing ending ------------------------------------------------------------------------------


def _listing(as_, person, categories, *, kind, title, ends_in_days):
    return services.listing_save(
        access=as_(person),
        kind=kind,
        title=title,
        description="",
        categories=[categories["Gardening"]],
        where=[Where.PUBLIC],
        availability="",
        expires_on=timezone.localdate() + timedelta(days=ends_in_days),
    )


def test_an_owner_is_told_once_their_offer_ends_soon(as_, everyone, categories, member, neighbour):
    listing = _listing(
        as_, member, categories, kind=ListingKind.OFFER, title="Ironing", ends_in_days=2
    )
    _listing(as_, neighbour, categories, kind=ListingKind.OFFER, title="Later", ends_in_days=30)
    day = listing.expires_on

    assert services.listings_remind_expiring() == 1
    assert services.listings_remind_expiring() == 0

    note = only(EXPIRING, member)[member.pk]
    assert title_of(note) == f"Your offer “Ironing” ends on {day:%A} {day.day} {day:%B} {day.year}"
    assert note.url == f"/c/calder-vale/timebank/listings/{listing.pk}/"
    assert note.actor is None


def test_an_ended_request_is_told_as_ended(as_, everyone, categories, neighbour):
    listing = _listing(
        as_, neighbour, categories, kind=ListingKind.REQUEST, title="A lift", ends_in_days=0
    )
    type(listing).objects.filter(pk=listing.pk).update(
        expires_on=timezone.localdate() - timedelta(days=1)
    )

    out = io.StringIO()
    call_command("remind_listings", stdout=out)

    assert out.getvalue().strip() == "Sent 1 reminder."
    note = only(EXPIRING, neighbour)[neighbour.pk]
    assert title_of(note) == "Your request “A lift” has ended"


def test_saving_a_listing_again_is_not_told_again_but_a_new_date_is(
    as_, everyone, categories, member
):
    listing = _listing(
        as_, member, categories, kind=ListingKind.OFFER, title="Ironing", ends_in_days=1
    )
    services.listings_remind_expiring()

    def save(days):
        return services.listing_save(
            access=as_(member),
            listing=listing,
            kind=listing.kind,
            title="Ironing shirts",
            description="",
            categories=list(listing.categories.all()),
            where=[Where.PUBLIC],
            availability="",
            expires_on=timezone.localdate() + timedelta(days=days),
        )

    save(1)  # the title changed, the date did not: already told of this date
    assert services.listings_remind_expiring() == 0
    save(2)
    assert services.listings_remind_expiring() == 1
    # One for each end date.
    assert list(Notification.objects.filter(kind=EXPIRING).values_list("recipient", flat=True)) == [
        member.pk,
        member.pk,
    ]


# As sent -------------------------------------------------------------------------------------


def test_every_kind_is_written_out_by_the_dispatcher_in_every_channel(
    as_, record, community, categories, garden_offer, coordinator, member, neighbour, yesterday
):
    from ginnel.notifications.models import ContactSettings
    from ginnel.notifications.rendering import render

    exchange = propose(as_, neighbour, garden_offer)
    services.exchange_agree(access=as_(member), exchange=exchange)
    services.exchange_complete(
        access=as_(member), exchange=exchange, minutes=60, happened_on=yesterday
    )
    services.exchange_confirm(access=as_(neighbour), exchange=exchange)
    services.thank_you_leave(access=as_(neighbour), exchange=exchange, text="Thank you!")
    services.exchange_reverse(access=as_(coordinator), exchange=exchange, reason="Mistake")
    declined = record(neighbour, member, minutes=30, description="Shelf")
    services.claim_decline(access=as_(member), exchange=declined, reason="Too long")
    _listing(as_, member, categories, kind=ListingKind.REQUEST, title="A lift", ends_in_days=1)
    services.listings_remind_expiring()
    assert {n.kind for n in Notification.objects.all()} == {
        PROPOSED,
        AGREED,
        TO_CONFIRM,
        CONFIRMED,
        DECLINED,
        REVERSED,
        THANKS,
        EXPIRING,
    }

    for note in Notification.objects.select_related("recipient__membership__user", "community"):
        contact = ContactSettings(
            community=community,
            person=note.recipient,
            phone="07700 900123",
            letter_address="1 Mill Row\nHebble End\nHX7 8AA",
        )
        for channel in ("email", "sms", "letter"):
            message = render(
                Delivery(notification=note, community=community, channel=channel),
                contact=contact,
            )
            assert message.subject == title_of(note)
            assert "{" not in message.subject + message.body
            assert note.url in message.body
            assert note.recipient.display_name in message.body or channel == "sms"


class _Undo(Exception):
    """Rolls one example's writes back, so the next starts from the same people."""


def test_whoever_records_and_confirms_the_other_person_and_then_the_claimant_are_told(
    as_, member, neighbour, coordinator, bystander, yesterday
):
    """A property over who records, which way the time went, how long, and who confirms."""

    @given(
        # Up to the default limit of 20 hours owed, so the confirmation always posts.
        minutes=st.integers(min_value=1, max_value=20 * 60),
        claimant_gave=st.booleans(),
        recorded_by_coordinator=st.booleans(),
        confirmed_by_coordinator=st.booleans(),
    )
    @settings(max_examples=25, deadline=None)
    def run(
        minutes: int,
        claimant_gave: bool,
        recorded_by_coordinator: bool,
        confirmed_by_coordinator: bool,
    ) -> None:
        hours = f"{minutes // 60}:{minutes % 60:02d}"
        try:
            with transaction.atomic():
                recorder = coordinator if recorded_by_coordinator else member
                exchange = services.exchange_record(
                    access=as_(recorder),
                    other_id=neighbour.pk,
                    i_gave=claimant_gave,
                    minutes=minutes,
                    happened_on=yesterday,
                    description="Help",
                    on_behalf_of=member.pk if recorded_by_coordinator else None,
                )
                asked = told(TO_CONFIRM)
                assert set(asked) == {neighbour.pk}
                assert f" {hours} hours " in title_of(asked[neighbour.pk])
                assert (" for Mo Member " in title_of(asked[neighbour.pk])) == (
                    recorded_by_coordinator
                )

                confirmer = coordinator if confirmed_by_coordinator else neighbour
                services.exchange_confirm(access=as_(confirmer), exchange=exchange)
                confirmed = told(CONFIRMED)
                expected = {member.pk, neighbour.pk} if confirmed_by_coordinator else {member.pk}
                assert set(confirmed) == expected
                assert title_of(confirmed[member.pk]).endswith(f"your {hours} hours on “Help”") == (
                    not confirmed_by_coordinator
                )
                assert asked[neighbour.pk].pk in set(
                    Notification.objects.filter(read_at__isnull=False).values_list("pk", flat=True)
                )
                assert not Notification.objects.filter(
                    recipient__in=[coordinator, bystander]
                ).exists()
                raise _Undo
        except _Undo:
            pass

    run()
