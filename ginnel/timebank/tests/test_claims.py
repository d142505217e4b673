"""Recorded hours can be turned down: declined by the other person, withdrawn by whoever
recorded them, rejected by a coordinator. No hours move; a confirmed exchange only
changes by reversal."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ginnel.communities.models import Role
from ginnel.communities.permissions import access_for
from ginnel.errors import GinnelError
from ginnel.timebank import ledger, services
from ginnel.timebank.models import Entry, ExchangeState, TimebankAction

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim(record, member, neighbour):
    """Mo says he gave Nia two hours; Nia has not confirmed."""
    return record(member, neighbour, minutes=120, description="Painted the fence")


def fresh(exchange):
    exchange.refresh_from_db()
    return exchange


# The other person declines ----------------------------------------------------------------


def test_the_other_person_declines_a_claim_and_the_claimant_can_record_again(
    claim, as_, member, neighbour, yesterday
):
    services.claim_decline(
        access=as_(neighbour), exchange=claim, reason="It was one hour, not two."
    )

    claim = fresh(claim)
    assert claim.state == ExchangeState.AGREED
    assert (claim.minutes, claim.transfer) == (None, None)
    assert claim.claim_declined_by == neighbour
    assert claim.claim_declined_minutes == 120
    assert claim.claim_declined_reason == "It was one hour, not two."
    assert not Entry.objects.exists()
    assert list(TimebankAction.objects.filter(exchange=claim).values_list("action", "detail")) == [
        ("claim_declined", {"minutes": 120, "reason": "It was one hour, not two."})
    ]

    services.exchange_complete(
        access=as_(member), exchange=claim, minutes=60, happened_on=yesterday
    )
    services.exchange_confirm(access=as_(neighbour), exchange=claim)
    claim = fresh(claim)
    assert claim.state == ExchangeState.CONFIRMED
    assert claim.claim_declined_by is None
    assert ledger.account_for(member).balance == 60


def test_the_claimant_cannot_decline_their_own_claim(claim, as_, member):
    with pytest.raises(GinnelError, match="you can withdraw them"):
        services.claim_decline(access=as_(member), exchange=claim, reason="")

    assert fresh(claim).state == ExchangeState.COMPLETED


def test_a_stranger_cannot_decline_a_claim(claim, as_, make_member, community):
    stranger = make_member(community, name="Stan Stranger")

    with pytest.raises(GinnelError, match="Only the other person"):
        services.claim_decline(access=as_(stranger), exchange=claim, reason="No")

    assert fresh(claim).state == ExchangeState.COMPLETED


def test_a_confirmed_claim_cannot_be_declined_or_withdrawn(record, as_, member, neighbour):
    confirmed = record(member, neighbour, minutes=60, confirm=True)

    with pytest.raises(GinnelError, match="a coordinator can reverse them"):
        services.claim_decline(access=as_(neighbour), exchange=confirmed, reason="")
    with pytest.raises(GinnelError, match="a coordinator can reverse them"):
        services.claim_withdraw(access=as_(member), exchange=confirmed)

    assert fresh(confirmed).state == ExchangeState.CONFIRMED
    assert ledger.account_for(member).balance == 60


def test_hours_not_yet_recorded_cannot_be_declined(as_, member, neighbour):
    exchange = services.exchange_propose(
        access=as_(member), other_id=neighbour.pk, i_give=True, title="Shopping", where="public"
    )

    with pytest.raises(GinnelError, match="Only recorded hours"):
        services.claim_decline(access=as_(neighbour), exchange=exchange, reason="")


# The claimant withdraws -------------------------------------------------------------------


def test_the_claimant_withdraws_a_claim_until_it_is_confirmed(claim, as_, member):
    services.claim_withdraw(access=as_(member), exchange=claim)

    claim = fresh(claim)
    assert claim.state == ExchangeState.AGREED
    assert (claim.minutes, claim.claimed_by, claim.claim_declined_by) == (None, None, None)
    assert not Entry.objects.exists()
    assert TimebankAction.objects.filter(exchange=claim, action="claim_withdrawn").count() == 1


def test_only_the_claimant_can_withdraw(claim, as_, neighbour, coordinator):
    for other in (neighbour, coordinator):
        with pytest.raises(GinnelError, match="Only the person who recorded"):
            services.claim_withdraw(access=as_(other), exchange=claim)

    assert fresh(claim).state == ExchangeState.COMPLETED


# A coordinator rejects --------------------------------------------------------------------


def test_a_coordinator_rejects_a_claim_with_a_reason_and_it_is_logged(claim, as_, coordinator):
    with pytest.raises(GinnelError, match="Give the reason"):
        services.claim_reject(access=as_(coordinator), exchange=claim, reason="  ")

    services.claim_reject(
        access=as_(coordinator), exchange=claim, reason="Nia says it did not happen."
    )

    claim = fresh(claim)
    assert claim.state == ExchangeState.AGREED
    assert claim.claim_declined_by == coordinator
    assert claim.claim_declined_reason == "Nia says it did not happen."
    logged = TimebankAction.objects.get(exchange=claim)
    assert (logged.action, logged.actor, logged.person) == (
        "claim_rejected",
        coordinator.membership,
        claim.claimed_by,
    )
    assert not Entry.objects.exists()


def test_a_member_cannot_reject_a_claim(claim, as_, neighbour):
    with pytest.raises(GinnelError):
        services.claim_reject(access=as_(neighbour), exchange=claim, reason="No")

    assert fresh(claim).state == ExchangeState.COMPLETED


def test_a_coordinator_of_another_community_cannot_reject(
    claim, outsider, client_for, community, other_community
):
    access = access_for(outsider.membership.user, other_community)
    with pytest.raises(GinnelError, match="no such exchange"):
        services.claim_reject(access=access, exchange=claim, reason="Not ours")

    client = client_for(outsider)
    here = reverse("timebank:claim_reject", args=[community.slug, claim.pk])
    theirs = reverse("timebank:claim_reject", args=[other_community.slug, claim.pk])
    assert client.post(here, {"reason": "Not ours"}).status_code == 403
    assert client.post(theirs, {"reason": "Not ours"}).status_code == 404
    assert fresh(claim).state == ExchangeState.COMPLETED


def test_a_coordinator_cannot_reject_their_own_claim(record, as_, coordinator, member):
    own = record(coordinator, member, minutes=60)

    with pytest.raises(GinnelError, match="withdraw them instead"):
        services.claim_reject(access=as_(coordinator), exchange=own, reason="Mine")


# The pages ---------------------------------------------------------------------------------


def page_of(client, community, exchange) -> str:
    return client.get(
        reverse("timebank:exchange", args=[community.slug, exchange.pk])
    ).content.decode()


def test_each_person_sees_only_their_own_buttons(
    claim, member, neighbour, coordinator, client_for, community
):
    claimant = page_of(client_for(member), community, claim)
    other = page_of(client_for(neighbour), community, claim)
    coordinating = page_of(client_for(coordinator), community, claim)

    assert "Withdraw the hours" in claimant
    assert "Decline the hours" not in claimant
    assert "Reject the hours" not in claimant
    assert "Decline the hours" in other
    assert "Withdraw the hours" not in other
    assert "Reject the hours" not in other
    assert "Reject the hours" in coordinating
    assert "Decline the hours" not in coordinating
    assert "Withdraw the hours" not in coordinating


def test_the_claimant_sees_why_their_hours_were_declined(
    claim, member, neighbour, client_for, community
):
    response = client_for(neighbour).post(
        reverse("timebank:claim_decline", args=[community.slug, claim.pk]),
        {"reason": "It was one hour, not two."},
        follow=True,
    )
    assert "You have declined the hours" in response.content.decode()

    mine = client_for(member).get(reverse("timebank:mine", args=[community.slug])).content.decode()
    assert "Nia Neighbour turned down the hours you recorded: see why" in mine
    page = page_of(client_for(member), community, claim)
    assert "Your hours were turned down" in page
    assert "It was one hour, not two." in page
    assert "Record the right time" in page  # and can record again


def test_the_claimant_withdraws_from_the_exchange_page(claim, member, client_for, community):
    response = client_for(member).post(
        reverse("timebank:exchange_act", args=[community.slug, claim.pk]),
        {"action": "withdraw"},
        follow=True,
    )

    assert "You have withdrawn the hours you recorded" in response.content.decode()
    assert fresh(claim).state == ExchangeState.AGREED


def test_the_confirmation_queue_links_each_claim_to_its_rejection(
    claim, coordinator, client_for, community
):
    queue = client_for(coordinator).get(
        reverse("timebank:coordinate", args=[community.slug]), {"days": 0}
    )

    assert (
        reverse("timebank:exchange", args=[community.slug, claim.pk]) + "#reject"
        in queue.content.decode()
    )


def test_a_rejection_without_a_reason_is_shown_again(claim, coordinator, client_for, community):
    response = client_for(coordinator).post(
        reverse("timebank:claim_reject", args=[community.slug, claim.pk]), {"reason": ""}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_reason"' in page
    assert "Give the reason, so the person who recorded the hours knows why." in page
    assert fresh(claim).state == ExchangeState.COMPLETED


@pytest.mark.parametrize("role", [Role.MEMBER, Role.LINK_WORKER, Role.ANALYST])
def test_only_coordinators_reach_the_rejection(claim, role, make_member, client_for, community):
    asker = make_member(community, roles=[role])

    response = client_for(asker).post(
        reverse("timebank:claim_reject", args=[community.slug, claim.pk]), {"reason": "No"}
    )

    assert response.status_code == 403
    assert fresh(claim).state == ExchangeState.COMPLETED


def test_a_stranger_cannot_reach_the_decline_page(claim, make_member, client_for, community):
    stranger = make_member(community)

    response = client_for(stranger).post(
        reverse("timebank:claim_decline", args=[community.slug, claim.pk]), {"reason": "No"}
    )

    assert response.status_code == 404
    assert fresh(claim).state == ExchangeState.COMPLETED


def test_the_home_page_tells_the_claimant_their_hours_were_turned_down(
    claim, as_, member, neighbour, client_for, community
):
    services.claim_decline(access=as_(neighbour), exchange=claim, reason="Not two hours")

    home = client_for(member).get(reverse("web:community_home", args=[community.slug]))

    assert "1 exchange whose hours you recorded were turned down" in home.content.decode()
    other = client_for(neighbour).get(reverse("web:community_home", args=[community.slug]))
    assert "turned down" not in other.content.decode()
