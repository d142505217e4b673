"""Choosing a person in the timebank's forms: search, then choose from a short list
that tells people of the same name apart; never a list of the whole membership."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ginnel.communities.models import Neighbourhood
from ginnel.people.models import StrengthsProfile
from ginnel.timebank.models import Exchange

pytestmark = pytest.mark.django_db

YESTERDAY = (timezone.localdate() - timedelta(days=1)).isoformat()
OWENS = {"Hebble End": "Owen", "Mytholm": "Owen", "Lumb Bank": "Owen", "Cragg Vale": "Owen"}


@pytest.fixture
def owens(community, make_member):
    """Four people called Owen, each in another neighbourhood: name → Person by place."""
    people = {}
    for place in OWENS:
        hood, _ = Neighbourhood.objects.get_or_create(community=community, name=place)
        people[place] = make_member(community, name="Owen", neighbourhood=hood)
    return people


def _record_data(**extra):
    return {
        "direction": "gave",
        "description": "Fixed a bike",
        "hours": "1:30",
        "happened_on": YESTERDAY,
        "where": "public",
        **extra,
    }


def _radios(page: str, name: str) -> list[str]:
    return re.findall(rf'<input type="(?:radio|checkbox)" name="{name}" value="(\d+)"', page)


def test_without_javascript_a_member_finds_the_four_owens_and_records_hours_with_the_right_one(
    member, owens, client_for, community
):
    client = client_for(member)
    url = reverse("timebank:record", args=[community.slug])

    search = client.post(url, _record_data(other_q="Owen", other_find="1"))

    page = search.content.decode()
    assert search.status_code == 200
    assert "There is a problem" not in page
    assert sorted(_radios(page, "other")) == sorted(str(p.pk) for p in owens.values())
    for place in OWENS:
        assert place in page
    assert 'value="Fixed a bike"' in page  # what was typed is kept
    assert not Exchange.objects.exists()

    chosen = owens["Mytholm"]
    done = client.post(url, _record_data(other_q="Owen", other=str(chosen.pk)))

    assert done.status_code == 302
    exchange = Exchange.objects.get()
    assert exchange.receiver == chosen
    assert exchange.minutes == 90


def test_as_one_types_htmx_gets_only_the_list_of_matches(member, owens, client_for, community):
    client = client_for(member)

    response = client.get(
        reverse("timebank:person_search", args=[community.slug, "record"]),
        {"field": "other", "other_q": "owe"},
        headers={"HX-Request": "true"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert sorted(_radios(page, "other")) == sorted(str(p.pk) for p in owens.values())
    assert "Cragg Vale" in page


def test_people_you_exchanged_with_recently_come_first_and_say_when(
    member, owens, record, client_for, community
):
    partner = owens["Lumb Bank"]
    record(member, partner, confirm=True)

    page = (
        client_for(member)
        .get(
            reverse("timebank:person_search", args=[community.slug, "record"]),
            {"field": "other", "other_q": "Owen"},
        )
        .content.decode()
    )

    assert _radios(page, "other")[0] == str(partner.pk)
    assert "you exchanged on" in page
    assert page.count("you exchanged on") == 1


def test_a_member_of_another_community_is_never_a_match_nor_can_be_chosen(
    member, owens, other_community, make_member, client_for, community
):
    stranger = make_member(other_community, name="Owen Elsewhere")
    client = client_for(member)
    url = reverse("timebank:record", args=[community.slug])

    search = client.post(url, _record_data(other_q="Owen", other_find="1")).content.decode()
    chosen = client.post(url, _record_data(other=str(stranger.pk)))

    assert str(stranger.pk) not in _radios(search, "other")
    assert "Owen Elsewhere" not in search
    assert chosen.status_code == 400
    assert "That person cannot be chosen here" in chosen.content.decode()
    assert not Exchange.objects.exists()


def test_the_number_of_queries_does_not_grow_with_the_community(
    member, owens, make_member, client_for, community, django_assert_num_queries
):
    client = client_for(member)
    url = reverse("timebank:person_search", args=[community.slug, "record"])
    search = {"field": "other", "other_q": "Owen"}
    client.get(url, search)  # the session and the community, read once before counting

    with CaptureQueriesContext(connection) as few:
        client.get(url, search)
    for n in range(40):
        make_member(community, name=f"Owen {n}")
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(url, search).content.decode()

    assert len(_radios(page, "other")) == 20
    assert "Type more of the name" in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Search for who it was with, then choose them from the list."),
        ("Owen", "Choose who it was with from the list."),
        ("Zebedee", "No member&#x27;s name matches what you typed."),
    ],
)
def test_sending_the_form_without_choosing_someone_shows_the_error_by_the_field(
    typed, message, member, owens, client_for, community
):
    response = client_for(member).post(
        reverse("timebank:record", args=[community.slug]), _record_data(other_q=typed)
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_other_q"' in page
    error = page[page.index('id="id_other_error"') :]
    assert message in error[:300]
    assert 'value="Fixed a bike"' in page
    assert not Exchange.objects.exists()


def test_a_plain_member_sees_a_neighbourhood_only_when_shared_and_never_an_email(
    member, make_member, client_for, community
):
    hood = Neighbourhood.objects.create(community=community, name="Lumb Bank")
    shy = make_member(
        community, name="Rhian", email="rhian.private@example.org", neighbourhood=hood
    )
    StrengthsProfile.objects.create(community=community, person=shy, share_neighbourhood=False)

    page = (
        client_for(member)
        .get(
            reverse("timebank:person_search", args=[community.slug, "record"]),
            {"field": "other", "other_q": "Rhian"},
        )
        .content.decode()
    )

    assert _radios(page, "other") == [str(shy.pk)]
    assert "Lumb Bank" not in page
    assert "rhian.private" not in page
    assert f"member no. {shy.pk}" in page


def test_a_coordinator_tells_people_apart_by_neighbourhood_and_the_start_of_their_email(
    coordinator, make_member, client_for, community
):
    hood = Neighbourhood.objects.create(community=community, name="Lumb Bank")
    shy = make_member(
        community, name="Rhian", email="rhian.private@example.org", neighbourhood=hood
    )
    StrengthsProfile.objects.create(community=community, person=shy, share_neighbourhood=False)

    page = (
        client_for(coordinator)
        .get(
            reverse("timebank:person_search", args=[community.slug, "broker"]),
            {"field": "broker-giver", "broker-giver_q": "Rhian"},
        )
        .content.decode()
    )

    assert _radios(page, "broker-giver") == [str(shy.pk)]
    assert "Lumb Bank" in page
    assert "rhian.private@…" in page
    assert "example.org" not in page


def test_a_member_cannot_search_through_the_coordinators_forms(member, client_for, community):
    response = client_for(member).get(
        reverse("timebank:person_search", args=[community.slug, "broker"]),
        {"field": "broker-giver", "broker-giver_q": "a"},
    )

    assert response.status_code == 403


def test_someone_outside_the_community_cannot_search_its_members(
    outsider, owens, client_for, community
):
    response = client_for(outsider).get(
        reverse("timebank:person_search", args=[community.slug, "record"]),
        {"field": "other", "other_q": "Owen"},
    )

    assert response.status_code == 403


def test_a_donation_goes_to_the_pot_unless_a_member_is_searched_for_and_chosen(
    member, owens, client_for, community
):
    client = client_for(member)
    url = reverse("timebank:donate", args=[community.slug])

    form = client.get(url).content.decode()
    search = client.post(url, {"hours": "1", "to_q": "Owen", "to_find": "1"}).content.decode()

    assert re.search(r'<input type="radio" name="to" value="" id="id_to_none" checked>', form)
    assert len(_radios(search, "to")) == 4
    assert 'value="1"' in search  # the hours typed are kept


def test_a_coordinator_ticks_who_took_part_across_two_searches(
    coordinator, owens, make_member, client_for, community
):
    sam = make_member(community, name="Sam")
    client = client_for(coordinator)
    url = reverse("timebank:coordinate", args=[community.slug])
    base = {
        "form": "group",
        "group-description": "Knitting",
        "group-hours": "1",
        "group-happened_on": YESTERDAY,
    }

    page = client.post(
        url,
        {
            **base,
            "group-receivers": [owens["Mytholm"].pk],
            "group-receivers_q": "Sam",
            "group-receivers_find": "1",
        },
    ).content.decode()

    ticked = re.findall(
        r'<input type="checkbox" name="group-receivers" value="(\d+)" id="[^"]+" checked', page
    )
    assert ticked == [str(owens["Mytholm"].pk)]
    assert str(sam.pk) in _radios(page, "group-receivers")
    assert "There is a problem" not in page


def test_the_coordinator_records_for_the_right_owen_on_behalf_of_a_member(
    coordinator, member, owens, client_for, community
):
    response = client_for(coordinator).post(
        reverse("timebank:coordinate", args=[community.slug]),
        {
            "form": "record",
            "record-on_behalf_of": member.pk,
            "record-other": owens["Cragg Vale"].pk,
            "record-direction": "gave",
            "record-description": "Shopping",
            "record-hours": "2",
            "record-happened_on": YESTERDAY,
            "record-where": "public",
        },
    )

    assert response.status_code == 302
    exchange = Exchange.objects.get()
    assert (exchange.giver, exchange.receiver) == (member, owens["Cragg Vale"])


def test_a_link_worker_is_refused_the_coordinators_search(link_worker, client_for, community):
    response = client_for(link_worker).get(
        reverse("timebank:person_search", args=[community.slug, "on_behalf"]),
        {"field": "record-other", "record-other_q": "a"},
    )

    assert response.status_code == 403


def test_the_search_step_without_javascript_reads_as_much_for_a_big_community_as_a_small_one(
    member, owens, make_member, client_for, community, django_assert_num_queries
):
    client = client_for(member)
    url = reverse("timebank:record", args=[community.slug])
    search = _record_data(other_q="Owen", other_find="1")
    client.post(url, search)

    with CaptureQueriesContext(connection) as few:
        client.post(url, search)
    for n in range(40):
        make_member(community, name=f"Owen {n}")
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.post(url, search).content.decode()

    assert len(_radios(page, "other")) == 20
