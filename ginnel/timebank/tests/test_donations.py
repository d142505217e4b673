"""Giving hours is giving: a donation counts as hours given, and keeps to the debit limit."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from ginnel.errors import GinnelError
from ginnel.timebank import ledger, selectors, services
from ginnel.timebank.models import Transfer

pytestmark = pytest.mark.django_db


def test_a_donation_counts_as_given_on_the_givers_statement(
    as_, member, neighbour, client_for, community
):
    services.donation_make(access=as_(member), minutes=30)
    services.donation_make(access=as_(member), minutes=45, to_person_id=neighbour.pk)

    giver = client_for(member).get(reverse("timebank:statement", args=[community.slug]))
    given_to = client_for(neighbour).get(reverse("timebank:statement", args=[community.slug]))

    assert (giver.context["statement"].given, giver.context["statement"].received) == (75, 0)
    assert (given_to.context["statement"].given, given_to.context["statement"].received) == (
        0,
        45,
    )
    page = giver.content.decode()
    assert '<dd id="statement-given">1:15</dd>' in page
    assert '<dd id="statement-received">0:00</dd>' in page


def test_the_timebank_page_counts_donations_as_given(
    as_, record, member, neighbour, client_for, community
):
    record(neighbour, member, minutes=60, confirm=True)  # Nia helped Mo for an hour
    services.donation_make(access=as_(member), minutes=30)

    page = client_for(member).get(reverse("timebank:mine", args=[community.slug]))

    assert "Hours given: 0:30 · Hours received: 1:00" in page.content.decode()
    assert selectors.totals_of(person=member) == (30, 60)


def test_the_monthly_report_counts_hours_given_as_gifts(
    as_, member, neighbour, coordinator, client_for, community
):
    services.donation_make(access=as_(member), minutes=30)
    services.donation_make(access=as_(neighbour), minutes=90, to_person_id=member.pk)

    report = client_for(coordinator).get(reverse("timebank:report_csv", args=[community.slug]))

    rows = list(csv.DictReader(io.StringIO(report.content.decode())))
    assert [row["minutes_given_as_gifts"] for row in rows] == ["120"]


def test_a_donation_past_the_debit_limit_is_refused_saying_how_much_can_be_given(
    as_, record, member, neighbour, administrator
):
    services.limits_set(access=as_(administrator), credit_limit=40 * 60, debit_limit=10 * 60)
    record(neighbour, member, minutes=8 * 60, confirm=True)  # Mo is at −8:00

    with pytest.raises(GinnelError) as refused:
        services.donation_make(access=as_(member), minutes=3 * 60)

    assert refused.value.message == (
        "You cannot give 3:00 hours: your balance is \u22128:00, and in this community a "
        "balance may go down to no more than 10:00 hours owed. You can give up to 2:00 hours."
    )
    assert refused.value.field == "minutes"
    assert ledger.balance_of(member) == -8 * 60
    services.donation_make(access=as_(member), minutes=2 * 60)
    assert ledger.balance_of(member) == -10 * 60


def test_a_donation_at_the_limit_says_there_is_nothing_left_to_give(
    as_, record, member, neighbour, administrator
):
    services.limits_set(access=as_(administrator), credit_limit=40 * 60, debit_limit=60)
    record(neighbour, member, minutes=60, confirm=True)

    with pytest.raises(GinnelError, match="Give hours once you have helped someone"):
        services.donation_make(access=as_(member), minutes=15)


def test_a_donation_cannot_take_the_other_member_past_the_credit_limit(
    as_, record, member, neighbour, administrator
):
    services.limits_set(access=as_(administrator), credit_limit=2 * 60, debit_limit=10 * 60)
    record(neighbour, member, minutes=2 * 60, confirm=True)  # Nia is at the ceiling

    with pytest.raises(GinnelError, match="Nia Neighbour cannot be given 1:00 hours"):
        services.donation_make(access=as_(member), minutes=60, to_person_id=neighbour.pk)

    assert Transfer.objects.filter(kind="donation").count() == 0


def test_the_give_hours_page_shows_the_limit_message_by_the_amount(
    as_, record, member, neighbour, administrator, client_for, community
):
    services.limits_set(access=as_(administrator), credit_limit=40 * 60, debit_limit=60)

    response = client_for(member).post(
        reverse("timebank:donate", args=[community.slug]), {"hours": "2", "note": "For the pot"}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_hours_error"' in page
    assert "You can give up to 1:00 hours." in page
    assert not Transfer.objects.exists()
