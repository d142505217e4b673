"""Who may see and touch what in the timebank."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from ginnel.communities.models import Role
from ginnel.timebank import services
from ginnel.timebank.models import Exchange, ExchangeState, ListingKind, Transfer, Where

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed(record, member, neighbour):
    exchange = record(
        member, neighbour, minutes=120, description="Weeding the allotment", confirm=True
    )
    exchange.refresh_from_db()
    return exchange


def test_a_member_reads_their_own_statement_with_a_running_balance(
    confirmed, member, client_for, community
):
    page = client_for(member).get(reverse("timebank:statement", args=[community.slug]))

    statement = page.context["statement"]
    assert statement.balance == 120
    assert [(r.counterpart, r.minutes, r.balance) for r in statement.rows] == [
        ("Nia Neighbour", 120, 120)
    ]
    assert "Weeding the allotment" in page.content.decode()


def test_statements_download_as_csv_and_pdf(confirmed, neighbour, client_for, community):
    client = client_for(neighbour)

    as_csv = client.get(reverse("timebank:statement_csv", args=[community.slug]))
    as_pdf = client.get(reverse("timebank:statement_pdf", args=[community.slug]))

    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode())))
    assert [(r["with"], r["minutes"], r["balance_minutes"]) for r in rows] == [
        ("Mo Member", "-120", "-120")
    ]
    assert as_pdf["Content-Type"] == "application/pdf"
    assert as_pdf.content.startswith(b"%PDF")


def test_a_member_cannot_read_another_members_statement(
    confirmed, member, neighbour, client_for, community
):
    client = client_for(member)

    for name in ("person_statement", "person_statement_csv", "person_statement_pdf"):
        response = client.get(reverse(f"timebank:{name}", args=[community.slug, neighbour.pk]))
        assert response.status_code == 404
        assert b"Weeding" not in response.content


def test_a_coordinator_reads_any_statement_in_their_community(
    confirmed, coordinator, neighbour, client_for, community
):
    page = client_for(coordinator).get(
        reverse("timebank:person_statement", args=[community.slug, neighbour.pk])
    )

    assert page.status_code == 200
    assert page.context["statement"].balance == -120


def test_a_member_of_another_community_cannot_touch_any_of_it(
    confirmed, outsider, neighbour, client_for, community, other_community
):
    client = client_for(outsider)  # an administrator, but of the other community
    urls = [
        reverse("timebank:listings", args=[community.slug]),
        reverse("timebank:statement", args=[community.slug]),
        reverse("timebank:person_statement", args=[community.slug, neighbour.pk]),
        reverse("timebank:exchange", args=[community.slug, confirmed.pk]),
        reverse("timebank:coordinate", args=[community.slug]),
        reverse("timebank:report", args=[community.slug]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
    for name in ("exchange_act", "exchange_reverse"):
        response = client.post(
            reverse(f"timebank:{name}", args=[community.slug, confirmed.pk]),
            {"action": "confirm", "reason": "Hijack"},
        )
        assert response.status_code == 403
    # Through their own community's address, the exchange does not exist.
    own = reverse("timebank:exchange", args=[other_community.slug, confirmed.pk])
    assert client.get(own).status_code == 404
    assert (
        client.post(
            reverse("timebank:exchange_reverse", args=[other_community.slug, confirmed.pk]),
            {"reason": "Hijack"},
        ).status_code
        == 404
    )
    confirmed.refresh_from_db()
    assert confirmed.state == ExchangeState.CONFIRMED
    assert Transfer.objects.count() == 1


def test_a_member_cannot_open_an_exchange_between_two_others(
    confirmed, make_member, client_for, community
):
    stranger = make_member(community, name="Stranger")

    response = client_for(stranger).get(
        reverse("timebank:exchange", args=[community.slug, confirmed.pk])
    )

    assert response.status_code == 404


COORDINATOR_PAGES = ["coordinate", "report", "report_csv"]


@pytest.mark.parametrize("role", [Role.MEMBER, Role.LINK_WORKER, Role.ORG_EDITOR, Role.ANALYST])
@pytest.mark.parametrize("page", COORDINATOR_PAGES)
def test_coordinator_pages_refuse_the_other_roles(page, role, community, make_member, client_for):
    asker = make_member(community, roles=[role])

    assert (
        client_for(asker).get(reverse(f"timebank:{page}", args=[community.slug])).status_code == 403
    )


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMINISTRATOR])
@pytest.mark.parametrize("page", COORDINATOR_PAGES)
def test_coordinator_pages_open_for_coordinators_and_administrators(
    page, role, community, make_member, client_for
):
    asker = make_member(community, roles=[role])

    assert (
        client_for(asker).get(reverse(f"timebank:{page}", args=[community.slug])).status_code == 200
    )


def test_a_member_cannot_reverse_or_vet(confirmed, member, neighbour, client_for, community):
    client = client_for(member)

    reverse_response = client.post(
        reverse("timebank:exchange_reverse", args=[community.slug, confirmed.pk]),
        {"reason": "I changed my mind"},
    )
    vet = client.post(
        reverse("timebank:safeguarding", args=[community.slug, member.pk]),
        {"vetted_on": "2026-01-01", "checks": "Self-certified"},
    )

    assert (reverse_response.status_code, vet.status_code) == (403, 403)
    confirmed.refresh_from_db()
    assert confirmed.state == ExchangeState.CONFIRMED


def test_only_the_owner_changes_a_listing(as_, member, neighbour, client_for, community):
    listing = services.listing_save(
        access=as_(member),
        kind=ListingKind.OFFER,
        title="Sewing repairs",
        description="",
        categories=[],
        where=[Where.PUBLIC],
        availability="",
        expires_on=None,
    )

    edit = client_for(neighbour).post(
        reverse("timebank:listing_edit", args=[community.slug, listing.pk]),
        {"title": "Hijacked", "where": ["public"]},
    )
    close = client_for(neighbour).post(
        reverse("timebank:listing_close", args=[community.slug, listing.pk])
    )

    listing.refresh_from_db()
    assert edit.status_code == 404
    assert close.status_code == 302
    assert (listing.title, listing.status) == ("Sewing repairs", "open")


def test_the_monthly_report_counts_hours_people_and_quiet_members(
    confirmed, coordinator, client_for, community
):
    page = client_for(coordinator).get(reverse("timebank:report", args=[community.slug]))

    report = page.context["report"]
    month = report.months[0]
    assert (month.minutes, month.exchanges, month.active_members) == (120, 1, 2)
    assert month.by_category == {"Uncategorised": 1}
    quiet = {p.display_name for p in report.quiet_members}
    assert "Mo Member" not in quiet
    assert "Cath Coordinator" in quiet
    as_csv = client_for(coordinator).get(reverse("timebank:report_csv", args=[community.slug]))
    first = next(csv.DictReader(io.StringIO(as_csv.content.decode())))
    assert first["minutes_exchanged"] == "120"


def test_a_coordinator_ticks_waiting_exchanges_and_confirms_them(
    record, as_, coordinator, member, neighbour, client_for, community, yesterday
):
    waiting = [
        services.exchange_record(
            access=as_(member),
            other_id=neighbour.pk,
            i_gave=True,
            minutes=30,
            happened_on=yesterday,
            description=f"Visit {i}",
        )
        for i in range(2)
    ]
    client = client_for(coordinator)
    page = client.get(reverse("timebank:coordinate", args=[community.slug]), {"days": 0})
    assert "Visit 0" in page.content.decode()

    response = client.post(
        reverse("timebank:coordinate", args=[community.slug]),
        {"form": "confirm", "confirm-exchanges": [e.pk for e in waiting]},
    )

    assert response.status_code == 302
    assert {e.state for e in Exchange.objects.filter(pk__in=[e.pk for e in waiting])} == {
        ExchangeState.CONFIRMED
    }


def test_confirming_nothing_ticked_explains_itself(coordinator, client_for, community):
    response = client_for(coordinator).post(
        reverse("timebank:coordinate", args=[community.slug]), {"form": "confirm"}
    )

    assert response.status_code == 400
    assert "Tick the exchanges to confirm." in response.content.decode()


def test_a_pdf_statement_copes_with_text_that_looks_like_markup(
    record, as_, member, neighbour, client_for, community, yesterday
):
    record(
        member,
        neighbour,
        minutes=60,
        description="Fixed <b>the</b> gate & fence <font size=90>",
        confirm=True,
    )

    response = client_for(member).get(reverse("timebank:statement_pdf", args=[community.slug]))

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
