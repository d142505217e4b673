"""Bad input on every timebank form: the form again, an error by the field, nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from ginnel.timebank import services
from ginnel.timebank.forms import parse_hours
from ginnel.timebank.models import ListingKind, Where

pytestmark = pytest.mark.django_db

TOMORROW = (timezone.localdate() + timedelta(days=1)).isoformat()
YESTERDAY = (timezone.localdate() - timedelta(days=1)).isoformat()


def snapshot():
    return {
        model.__name__: sorted(model._default_manager.values_list(), key=repr)
        for model in apps.get_app_config("timebank").get_models()
    }


def assert_refused(response, field: str, message: str, kept: str | None = None) -> None:
    page = response.content.decode()
    main = page[page.index('id="main-content"') :]
    assert response.status_code == 400
    assert "There is a problem" in main
    assert f'href="#id_{field}' in main
    assert f'id="id_{field}_error"' in main
    assert message in main
    if kept is not None:
        assert kept in main


@pytest.mark.parametrize(
    ("post", "field", "message"),
    [
        (
            {"title": "", "where": ["public"], "description": "Kept words"},
            "title",
            "Enter a title, a few words saying what it is.",
        ),
        (
            {"title": "x" * 121, "where": ["public"], "description": "Kept words"},
            "title",
            "at most 120 characters",
        ),
        (
            {"title": "Lifts", "description": "Kept words"},
            "where",
            "Choose at least one place where it can happen.",
        ),
        (
            {
                "title": "Lifts",
                "where": ["public"],
                "description": "Kept words",
                "expires_on": YESTERDAY,
            },
            "expires_on",
            "today or in the future",
        ),
        (
            {"title": "Lifts", "where": ["the moon"], "description": "Kept words"},
            "where",
            "Choose places from the list.",
        ),
    ],
)
def test_an_offer_with_bad_input_is_shown_again(
    post, field, message, member, client_for, community
):
    client = client_for(member)
    before = snapshot()

    response = client.post(reverse("timebank:listing_new", args=[community.slug, "offer"]), post)

    assert_refused(response, field, message, kept="Kept words")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("post", "field", "message"),
    [
        ({"hours": "lots", "happened_on": YESTERDAY}, "hours", "Enter the time in hours"),
        ({"hours": "0", "happened_on": YESTERDAY}, "hours", "more than 0 minutes"),
        ({"hours": "25", "happened_on": YESTERDAY}, "hours", "at most 24 hours"),
        ({"hours": "2", "happened_on": TOMORROW}, "happened_on", "today or in the past"),
        ({"hours": "2", "happened_on": "31/02/2026"}, "happened_on", "Enter a valid date"),
    ],
)
def test_recording_time_with_bad_input_is_refused(
    post, field, message, as_, member, neighbour, client_for, community
):
    exchange = services.exchange_propose(
        access=as_(neighbour),
        other_id=member.pk,
        i_give=False,
        title="Gardening",
        where=Where.PUBLIC,
    )
    services.exchange_agree(access=as_(member), exchange=exchange)
    client = client_for(member)
    before = snapshot()

    response = client.post(
        reverse("timebank:exchange_complete", args=[community.slug, exchange.pk]), post
    )

    assert_refused(response, field, message)
    assert snapshot() == before


def test_recording_after_the_fact_needs_the_other_person(member, client_for, community):
    client = client_for(member)
    before = snapshot()

    response = client.post(
        reverse("timebank:record", args=[community.slug]),
        {
            "direction": "gave",
            "description": "Kept description",
            "hours": "1:30",
            "happened_on": YESTERDAY,
            "where": "public",
        },
    )

    assert_refused(
        response,
        "other",
        "Search for who it was with, then choose them from the list.",
        kept="Kept description",
    )
    assert snapshot() == before


def test_a_reversal_needs_a_reason(
    record, as_, coordinator, member, neighbour, client_for, community, yesterday
):
    exchange = record(member, neighbour, minutes=60, description="Lift", confirm=True)
    client = client_for(coordinator)
    before = snapshot()

    response = client.post(
        reverse("timebank:exchange_reverse", args=[community.slug, exchange.pk]), {"reason": ""}
    )

    assert_refused(response, "reason", "Give the reason for reversing these hours.")
    assert snapshot() == before


def test_a_donation_beyond_the_limit_is_refused_next_to_the_amount(member, client_for, community):
    client = client_for(member)
    before = snapshot()

    response = client.post(
        reverse("timebank:donate", args=[community.slug]), {"hours": "500", "note": "Kept note"}
    )

    assert_refused(
        response, "hours", "You cannot give 500:00 hours: your balance is 0:00", kept="Kept note"
    )
    assert snapshot() == before


def test_vetting_needs_what_was_checked(coordinator, member, client_for, community):
    client = client_for(coordinator)
    before = snapshot()

    response = client.post(
        reverse("timebank:safeguarding", args=[community.slug, member.pk]),
        {"vetted_on": YESTERDAY, "checks": ""},
    )

    assert_refused(response, "checks", "Say what was checked")
    assert snapshot() == before


def test_limits_must_be_whole_hours_in_range(administrator, client_for, community):
    client = client_for(administrator)
    before = snapshot()

    response = client.post(
        reverse("timebank:coordinate", args=[community.slug]),
        {"form": "limits", "limits-credit_limit": "-3", "limits-debit_limit": "ten"},
    )

    assert_refused(
        response, "limits-credit_limit", "The most hours a member may be owed must be 1 or more."
    )
    assert snapshot() == before


def test_a_group_activity_cannot_include_the_organiser(
    coordinator, member, neighbour, client_for, community
):
    client = client_for(coordinator)
    before = snapshot()

    response = client.post(
        reverse("timebank:coordinate", args=[community.slug]),
        {
            "form": "group",
            "group-description": "Knitting",
            "group-organiser": member.pk,
            "group-receivers": [member.pk, neighbour.pk],
            "group-hours": "1",
            "group-happened_on": YESTERDAY,
        },
    )

    assert_refused(response, "group-receivers", "cannot also be one of the receivers")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("2", 120),
        ("1.5", 90),
        ("1:30", 90),
        ("90m", 90),
        ("2h 15m", 135),
        ("2 hours", 120),
        ("0:45", 45),
        ("45 mins", 45),
    ],
)
def test_time_is_read_the_way_people_write_it(text, minutes):
    assert parse_hours(text) == minutes


@pytest.mark.parametrize("text", ["lots", "1:75", "-2", "1.333", "h"])
def test_time_that_is_not_a_time_is_refused(text):
    assert parse_hours(text) is None


def test_a_listing_cannot_use_another_communitys_category(as_, member, other_community):
    foreign = services.categories_seed(community=other_community)[0]

    with pytest.raises(Exception, match="categories of this community"):
        services.listing_save(
            access=as_(member),
            kind=ListingKind.OFFER,
            title="x",
            description="",
            categories=[foreign],
            where=[],
            availability="",
            expires_on=None,
        )
