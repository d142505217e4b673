"""A link worker or coordinator who proposes from a client's page proposes for the client."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ginnel.errors import GinnelError
from ginnel.timebank import services
from ginnel.timebank.models import Exchange, ListingKind, TimebankAction, Where

pytestmark = pytest.mark.django_db


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


def test_a_link_worker_proposes_for_their_client_and_the_record_names_both(
    garden_offer, link_worker, carole, member, client_for, community
):
    client = client_for(link_worker)
    url = reverse("timebank:listing", args=[community.slug, garden_offer.pk])

    form_page = client.get(url, {"for": carole.pk}).content.decode()
    assert "Ask Mo Member for this, for Carole Client" in form_page
    assert f'name="for_person" value="{carole.pk}"' in form_page
    response = client.post(
        url,
        {
            "message": "Carole would love help on Saturday.",
            "where": "public",
            "for_person": carole.pk,
        },
        follow=True,
    )

    exchange = Exchange.objects.get()
    assert (exchange.giver, exchange.receiver, exchange.proposed_by) == (member, carole, carole)
    assert exchange.acting_by == link_worker
    logged = TimebankAction.objects.get(exchange=exchange)
    assert (logged.action, logged.actor, logged.person) == (
        "proposed_for",
        link_worker.membership,
        carole,
    )
    assert "Proposed by Lin Linkworker for Carole Client" in response.content.decode()


def test_the_listing_owner_answers_the_clients_proposal(
    garden_offer, as_, link_worker, carole, member
):
    exchange = services.exchange_propose(
        access=as_(link_worker),
        listing=garden_offer,
        message="For Carole",
        where=Where.PUBLIC,
        for_person_id=carole.pk,
    )

    with pytest.raises(GinnelError):
        services.exchange_agree(access=as_(carole), exchange=exchange)  # she proposed it
    services.exchange_agree(access=as_(member), exchange=exchange)


def test_a_member_cannot_propose_for_someone_else(
    garden_offer, neighbour, carole, client_for, community
):
    client = client_for(neighbour)
    url = reverse("timebank:listing", args=[community.slug, garden_offer.pk])

    form_page = client.get(url, {"for": carole.pk}).content.decode()
    response = client.post(url, {"message": "Hello", "where": "public", "for_person": carole.pk})

    assert "for Carole Client" not in form_page
    assert f'value="{carole.pk}"' not in form_page
    assert response.status_code == 400
    assert (
        "Only a link worker or a coordinator can propose for someone else."
        in response.content.decode()
    )
    assert not Exchange.objects.exists()


def test_no_one_proposes_for_someone_in_another_community(garden_offer, as_, link_worker, outsider):
    with pytest.raises(GinnelError, match="no such member"):
        services.exchange_propose(
            access=as_(link_worker),
            listing=garden_offer,
            message="Hello",
            where=Where.PUBLIC,
            for_person_id=outsider.pk,
        )

    assert not Exchange.objects.exists()


def test_a_proposal_for_the_listings_owner_is_refused(garden_offer, as_, link_worker, member):
    with pytest.raises(GinnelError, match="Mo Member's own offer or request"):
        services.exchange_propose(
            access=as_(link_worker),
            listing=garden_offer,
            message="Hello",
            where=Where.PUBLIC,
            for_person_id=member.pk,
        )
