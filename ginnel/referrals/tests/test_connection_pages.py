"""A referral's connections page: suggestions acted on for the person, recorded with their reasons.

Rhoda (the client) asks for help with her garden; Hana offers weeding in the
same category, so the engine suggests Hana with the reason "Can help with
gardening" (the category's name). Every expected name below follows from the
rows each test writes.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from ginnel.communities.models import Neighbourhood, Role
from ginnel.directory.models import Event, Location, Organization, Service, ServiceAtLocation
from ginnel.directory.models import Kind as EntryKind
from ginnel.directory.services.derived import service_kind_set, services_refresh
from ginnel.matching import adapter
from ginnel.people.models import StrengthsProfile
from ginnel.referrals import services
from ginnel.referrals.models import Connection, ReferralEvent, ReferralRead
from ginnel.referrals.selectors_connections import reasons_text, seal, unseal
from ginnel.timebank.models import Exchange, Listing
from ginnel.timebank.services import categories_seed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_matcher():
    adapter.forget()
    yield
    adapter.forget()


@pytest.fixture
def cats(community):
    return {c.name: c for c in categories_seed(community=community)}


def listing(owner, kind, title, categories):
    found = Listing.objects.create(
        community=owner.community, owner=owner, kind=kind, title=title, in_public=True
    )
    found.categories.set(categories)
    return found


@pytest.fixture
def hana(community, make_member):
    return make_member(community, name="Hana Helper", email="hana@example.org")


@pytest.fixture
def garden(client_person, hana, cats):
    """Rhoda asks for help with her garden; Hana offers weeding."""
    listing(client_person, "request", "Help with my overgrown garden", [cats["Gardening"]])
    return listing(hana, "offer", "Weeding and lawn mowing", [cats["Gardening"]])


def url(referral, name="connections", *args):
    return reverse(f"referrals:{name}", args=[referral.community.slug, referral.pk, *args])


def record_url(referral):
    return url(referral, "connection_record")


def page_of(client, referral):
    response = client.get(url(referral))
    assert response.status_code == 200
    return response.content.decode()


def token_for(page, listing_or_key):
    """The sealed suggestion of the card whose id names this candidate."""
    card = page.split(f'id="suggestion-helper-offers{listing_or_key}"', 1)[1]
    return re.search(r'name="suggestion" value="([^"]+)"', card).group(1)


# Suggestions --------------------------------------------------------------------------------


def test_the_page_suggests_the_offer_with_its_reason_and_an_action_for_the_client(
    engaged, garden, link_worker, client_for
):
    referral = engaged()

    page = page_of(client_for(link_worker), referral)

    assert "Connections for Rhoda Referred" in page
    assert "Timebank members who could help" in page
    assert "Weeding and lawn mowing" in page
    assert "Can help with gardening" in page
    assert "Ask Hana Helper for this, for Rhoda Referred" in page
    assert url(referral, "connection_propose", garden.pk) in page
    assert "Record as a connection" in page
    assert 'aria-current="page"' in page


def test_a_suggestion_recorded_as_a_connection_carries_its_reasons(
    engaged, garden, hana, link_worker, client_for
):
    referral = engaged()
    client = client_for(link_worker)
    token = token_for(page_of(client, referral), garden.pk)

    response = client.post(
        record_url(referral), {"form": "suggestion", "suggestion": token}, follow=True
    )

    made = Connection.objects.get(referral=referral)
    assert (made.kind, made.target_id, made.target_label) == (
        "timebank_member",
        hana.pk,
        "Hana Helper",
    )
    assert "Can help with gardening" in made.suggested_because
    assert made.made_by == link_worker.membership
    page = response.content.decode()
    assert "Recorded: Rhoda Referred was connected to Hana Helper." in page
    assert "Suggested by the matching engine: " in page
    assert "By Lin Linkworker on" in page
    # The suggestion now says it is recorded, and offers no second "Record".
    assert "Recorded as a connection" in page


def test_a_forged_suggestion_is_refused_and_writes_nothing(engaged, hana, link_worker, client_for):
    referral = engaged()

    response = client_for(link_worker).post(
        record_url(referral),
        {"form": "suggestion", "suggestion": f'{{"k": "peer", "t": {hana.pk}}}'},
    )

    assert response.status_code == 400
    assert "This suggestion could not be read. Reload the page and try again." in (
        response.content.decode()
    )
    assert not Connection.objects.exists()


def test_proposing_for_the_client_makes_the_exchange_theirs_and_records_the_connection(
    engaged, garden, hana, client_person, link_worker, client_for
):
    referral = engaged()
    client = client_for(link_worker)
    page = page_of(client, referral)
    propose = re.search(
        r'href="(' + re.escape(url(referral, "connection_propose", garden.pk)) + r'[^"]*)"', page
    ).group(1)
    form_page = client.get(propose.replace("&amp;", "&")).content.decode()
    token = re.search(r'name="suggestion" value="([^"]+)"', form_page).group(1)
    assert "Ask Hana Helper for this, for Rhoda Referred" in form_page

    response = client.post(
        url(referral, "connection_propose", garden.pk),
        {"message": "Rhoda would love a hand on Saturday.", "where": "public", "suggestion": token},
        follow=True,
    )

    exchange = Exchange.objects.get()
    assert (exchange.giver, exchange.receiver) == (hana, client_person)
    assert exchange.proposed_by == client_person
    assert exchange.acting_by == link_worker
    made = Connection.objects.get(referral=referral)
    assert (made.kind, made.target_id) == ("timebank_member", hana.pk)
    assert "Can help with gardening" in made.suggested_because
    assert "Your proposal for Rhoda Referred has been sent to Hana Helper" in (
        response.content.decode()
    )


def test_a_proposal_with_no_message_is_shown_again_and_writes_nothing(
    engaged, garden, link_worker, client_for
):
    referral = engaged()

    response = client_for(link_worker).post(
        url(referral, "connection_propose", garden.pk), {"message": "", "where": "public"}
    )

    assert response.status_code == 400
    assert "Write a message: say hello and suggest when and where." in response.content.decode()
    assert not Exchange.objects.exists()
    assert not Connection.objects.exists()


def test_a_proposal_before_the_first_conversation_is_refused_and_no_exchange_is_made(
    accepted, garden, link_worker, client_for
):
    referral = accepted()

    response = client_for(link_worker).post(
        url(referral, "connection_propose", garden.pk),
        {"message": "Rhoda would love a hand.", "where": "public"},
    )

    assert response.status_code == 400
    assert "Record the first conversation before making connections." in response.content.decode()
    assert not Exchange.objects.exists()
    assert not Connection.objects.exists()


# Went / did not go --------------------------------------------------------------------------


def test_went_is_recorded_once_and_a_second_answer_is_refused_with_a_message(
    engaged, hana, as_, link_worker, client_for
):
    referral = engaged()
    made = services.connection_record(
        access=as_(link_worker),
        referral=referral,
        kind="timebank_member",
        target_id=hana.pk,
        target_label="Hana Helper",
    )
    client = client_for(link_worker)
    outcome_url = url(referral, "connection_outcome", made.pk)
    assert "They went" in page_of(client, referral)

    first = client.post(outcome_url, {"outcome": "went"}, follow=True)
    second = client.post(outcome_url, {"outcome": "did_not_go"})

    made.refresh_from_db()
    assert made.outcome == "went"
    assert "Recorded for Hana Helper: Rhoda Referred went." in first.content.decode()
    assert "They went" not in first.content.decode()
    assert second.status_code == 400
    assert "Whether they went is already recorded." in second.content.decode()
    assert ReferralEvent.objects.filter(referral=referral, kind="connection_outcome").count() == 1


def test_an_outcome_that_is_neither_is_refused(engaged, hana, as_, link_worker, client_for):
    referral = engaged()
    made = services.connection_record(
        access=as_(link_worker),
        referral=referral,
        kind="peer",
        target_id=hana.pk,
        target_label="Hana Helper",
    )

    response = client_for(link_worker).post(
        url(referral, "connection_outcome", made.pk), {"outcome": "maybe"}
    )

    assert response.status_code == 400
    assert "Choose whether they went or did not go." in response.content.decode()
    made.refresh_from_db()
    assert made.outcome == "pending"


# Connections not suggested ------------------------------------------------------------------


def field_error(page, field_id):
    """The message shown next to a field (its error paragraph)."""
    found = re.search(
        rf'id="{re.escape(field_id)}_error" class="error-message">(.*?)</p>', page, re.S
    )
    assert found, f"no error next to {field_id}"
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1)).replace("Error:", "").strip())


def test_a_member_found_by_search_is_recorded(engaged, hana, link_worker, client_for):
    referral = engaged()
    client = client_for(link_worker)

    searched = client.post(
        record_url(referral),
        {
            "form": "member",
            "member-kind": "peer",
            "member-person_q": "hana",
            "member-person_find": "1",
        },
    )
    chosen = client.post(
        record_url(referral),
        {"form": "member", "member-kind": "peer", "member-person": str(hana.pk)},
        follow=True,
    )

    assert searched.status_code == 200
    assert "Hana Helper" in searched.content.decode()
    made = Connection.objects.get(referral=referral)
    assert (made.kind, made.target_id, made.target_label, made.suggested_because) == (
        "peer",
        hana.pk,
        "Hana Helper",
        "",
    )
    assert "Recorded by the link worker, not suggested" in chosen.content.decode()


@pytest.mark.parametrize("who", ["unknown", "outsider", "client"])
def test_a_member_who_cannot_be_chosen_is_refused_by_the_field(
    who, engaged, outsider, client_person, link_worker, client_for
):
    referral = engaged()
    target = {"unknown": 987654, "outsider": outsider.pk, "client": client_person.pk}[who]
    before = (Connection.objects.count(), ReferralEvent.objects.count())

    response = client_for(link_worker).post(
        record_url(referral),
        {"form": "member", "member-kind": "timebank_member", "member-person": str(target)},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert field_error(page, "id_member-person") == (
        "That person cannot be chosen here. Search again and choose from the list."
    )
    assert "There is a problem" in page
    assert (Connection.objects.count(), ReferralEvent.objects.count()) == before


@pytest.fixture
def org(community):
    return Organization.objects.create(community=community, name="Calder Vale Trust")


def test_a_group_from_the_directory_is_recorded_by_its_own_name(
    engaged, community, org, link_worker, client_for
):
    referral = engaged()
    group = Service.objects.create(
        community=community, organization=org, name="Knit and natter", status="active"
    )
    service_kind_set(service=group, kind=EntryKind.GROUP)
    services_refresh(community=community, service_ids=[group.pk])

    client_for(link_worker).post(
        record_url(referral),
        {"form": "directory", "directory-kind": "group", "directory-entry": str(group.pk)},
    )

    made = Connection.objects.get(referral=referral)
    assert (made.kind, made.target_id, made.target_label) == ("group", group.pk, "Knit and natter")


def test_a_service_of_another_community_or_unknown_is_refused_by_the_field(
    engaged, other_community, link_worker, client_for
):
    referral = engaged()
    elsewhere = Service.objects.create(
        community=other_community,
        organization=Organization.objects.create(community=other_community, name="Elsewhere"),
        name="Knit and natter",
        status="active",
    )

    for target in (elsewhere.pk, 987654):
        response = client_for(link_worker).post(
            record_url(referral),
            {"form": "directory", "directory-kind": "service", "directory-entry": str(target)},
        )
        assert response.status_code == 400
        assert field_error(response.content.decode(), "id_directory-entry") == (
            "That entry cannot be chosen here. Search again and choose from the list."
        )
    assert not Connection.objects.exists()


def test_a_group_chosen_as_a_service_is_refused_by_the_field(
    engaged, community, org, link_worker, client_for
):
    referral = engaged()
    group = Service.objects.create(
        community=community, organization=org, name="Knit and natter", status="active"
    )
    service_kind_set(service=group, kind=EntryKind.GROUP)

    response = client_for(link_worker).post(
        record_url(referral),
        {"form": "directory", "directory-kind": "service", "directory-entry": str(group.pk)},
    )

    assert response.status_code == 400
    assert field_error(response.content.decode(), "id_directory-entry") == (
        "Choose a service from this community's directory."
    )
    assert not Connection.objects.exists()


def test_an_event_is_recorded(engaged, community, org, link_worker, client_for):
    referral = engaged()
    starts = timezone.now() + timedelta(days=2)
    walk = Event.objects.create(
        community=community,
        organization=org,
        title="Gentle walk in the park",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
    )

    client_for(link_worker).post(
        record_url(referral), {"form": "event", "event-event": str(walk.pk)}
    )

    made = Connection.objects.get(referral=referral)
    assert (made.kind, made.target_id, made.target_label) == ("event", walk.pk, walk.title)


def test_something_else_needs_a_name(engaged, link_worker, client_for):
    referral = engaged()
    before = (Connection.objects.count(), ReferralEvent.objects.count())

    response = client_for(link_worker).post(
        record_url(referral), {"form": "other", "other-name": "   "}
    )

    assert response.status_code == 400
    assert field_error(response.content.decode(), "id_other-name") == (
        "Say who or what they were connected to."
    )
    assert (Connection.objects.count(), ReferralEvent.objects.count()) == before


def test_something_else_is_recorded_by_the_name_given(engaged, link_worker, client_for):
    referral = engaged()

    client_for(link_worker).post(
        record_url(referral), {"form": "other", "other-name": "Her cousin, who visits"}
    )

    made = Connection.objects.get(referral=referral)
    assert (made.kind, made.target_id, made.target_label) == (
        "other",
        None,
        "Her cousin, who visits",
    )


def test_a_connection_before_the_first_conversation_is_refused_with_the_services_message(
    accepted, link_worker, client_for
):
    referral = accepted()
    client = client_for(link_worker)

    page = page_of(client, referral)
    response = client.post(record_url(referral), {"form": "other", "other-name": "Her cousin"})

    assert "Connections can be recorded once the first conversation" in page
    assert response.status_code == 400
    assert "Record the first conversation before making connections." in response.content.decode()
    assert not Connection.objects.exists()


# Who may see it -----------------------------------------------------------------------------


def test_the_page_records_the_read(engaged, link_worker, client_for):
    referral = engaged()

    page_of(client_for(link_worker), referral)

    read = ReferralRead.objects.get(referral=referral, what="connections")
    assert read.reader == link_worker.membership


def test_a_coordinator_may_open_the_page(engaged, coordinator, client_for):
    referral = engaged()

    assert "Connections for Rhoda Referred" in page_of(client_for(coordinator), referral)


@pytest.mark.parametrize("who", ["other_link_worker", "member", "analyst", "client_person"])
def test_anyone_who_may_not_act_on_the_referral_finds_no_page(
    who, request, engaged, garden, client_for
):
    referral = engaged()
    person = request.getfixturevalue(who)
    client = client_for(person)

    assert client.get(url(referral)).status_code == 404
    assert (
        client.post(record_url(referral), {"form": "other", "other-name": "X"}).status_code == 404
    )
    assert (
        client.post(
            url(referral, "connection_propose", garden.pk),
            {"message": "Hello", "where": "public"},
        ).status_code
        == 404
    )
    assert not Connection.objects.exists()
    assert not Exchange.objects.exists()
    assert not ReferralRead.objects.filter(reader=person.membership).exists()


def test_a_member_of_another_community_is_refused(engaged, outsider, client_for):
    referral = engaged()

    assert client_for(outsider).get(url(referral)).status_code in (403, 404)


def test_an_anonymous_visitor_is_sent_to_log_in(engaged, client_for):
    referral = engaged()

    response = client_for(None).get(url(referral))

    assert response.status_code == 302
    assert reverse("web:login") in response["Location"]


# Queries ------------------------------------------------------------------------------------


def test_the_page_reads_as_many_queries_for_six_connections_as_for_one(
    engaged, garden, hana, as_, link_worker, make_member, community, client_for
):
    referral = engaged()
    client = client_for(link_worker)
    neighbours = [make_member(community, name=f"Neighbour {n}") for n in range(5)]
    services.connection_record(
        access=as_(link_worker), referral=referral, kind="other", target_label="A cousin"
    )
    page_of(client, referral)  # the matcher is built once and kept
    with CaptureQueriesContext(db_connection) as one:
        page_of(client, referral)
    for other in neighbours:
        services.connection_record(
            access=as_(link_worker),
            referral=referral,
            kind="timebank_member",
            target_id=other.pk,
            target_label=other.display_name,
        )
    with CaptureQueriesContext(db_connection) as six:
        page = page_of(client, referral)

    assert page.count('class="card"') >= 6
    assert len(six.captured_queries) == len(one.captured_queries)


def test_a_link_worker_with_more_roles_than_one_still_finds_their_case(
    engaged, community, make_member, as_, coordinator, client_for
):
    worker = make_member(community, roles=[Role.LINK_WORKER, Role.ORG_EDITOR], name="Wyn Worker")
    referral = engaged()
    services.referral_reassign(
        access=as_(coordinator), referral=referral, link_worker=worker.membership
    )

    assert "Connections for Rhoda Referred" in page_of(client_for(worker), referral)


# A group suggested from the directory --------------------------------------------------------

# Two points about 0.35 miles apart, in a town.
HOME = (53.8008, -1.5491)
NEAR = (53.8050, -1.5440)


@pytest.fixture
def befriending(community, client_person, org):
    """Rhoda enjoys a chat over a cuppa; a befriending circle meets a third of a mile away."""
    hood = Neighbourhood.objects.create(
        community=community, name="Woodhouse", latitude=HOME[0], longitude=HOME[1]
    )
    client_person.neighbourhood = hood
    client_person.save(update_fields=["neighbourhood"])
    StrengthsProfile.objects.create(
        community=community,
        person=client_person,
        interests="A chat over a cuppa, befriending",
    )
    group = Service.objects.create(
        community=community,
        organization=org,
        name="Befriending circle",
        description="A chat and a cuppa with neighbours.",
        status="active",
    )
    place = Location.objects.create(
        community=community, organization=org, name="Chapel", latitude=NEAR[0], longitude=NEAR[1]
    )
    ServiceAtLocation.objects.create(community=community, service=group, location=place)
    service_kind_set(service=group, kind=EntryKind.GROUP)
    services_refresh(community=community, service_ids=[group.pk])
    return group


def test_a_suggested_group_is_saved_for_the_client_and_recorded_with_its_distance(
    engaged, befriending, client_person, link_worker, client_for
):
    referral = engaged()
    client = client_for(link_worker)
    page = page_of(client, referral)
    card = page.split(f'id="suggestion-group-groups{befriending.pk}"', 1)[1]
    token = re.search(r'name="suggestion" value="([^"]+)"', card).group(1)

    # Its own action saves it to Rhoda's list, not the link worker's.
    assert "Save to the list, for Rhoda Referred" in card.split("</li>\n", 1)[0]
    assert f'name="person" value="{client_person.pk}"' in card
    client.post(record_url(referral), {"form": "suggestion", "suggestion": token})

    made = Connection.objects.get(referral=referral)
    assert (made.kind, made.target_id, made.target_label) == (
        "group",
        befriending.pk,
        "Befriending circle",
    )
    assert "0.3 miles away" in made.suggested_because or "0.4 miles away" in made.suggested_because


# The sealed suggestion ----------------------------------------------------------------------

reasons_lists = st.lists(st.text(max_size=120), max_size=8)


@given(
    kind=st.sampled_from(["timebank_member", "peer", "group", "event", "service"]),
    target=st.integers(min_value=1, max_value=2**40),
    reasons=reasons_lists,
    referral_id=st.integers(min_value=1, max_value=10**9),
)
def test_a_sealed_suggestion_opens_only_for_its_referral_and_as_it_was(
    kind, target, reasons, referral_id
):
    token = seal(referral_id=referral_id, kind=kind, target_id=target, reasons=reasons)

    opened = unseal(token, referral_id=referral_id)

    assert opened is not None
    assert (opened.kind, opened.target_id) == (kind, target)
    assert opened.reasons == reasons_text(reasons)
    assert len(opened.reasons) <= 300
    assert unseal(token, referral_id=referral_id + 1) is None
    # Any change to the token, even one character, is refused.
    changed = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert unseal(changed, referral_id=referral_id) is None


@given(reasons=reasons_lists)
def test_the_reasons_kept_are_the_non_blank_ones_in_order(reasons):
    kept = reasons_text(reasons)

    wanted = "; ".join(r.strip() for r in reasons if r.strip())
    assert kept == wanted[:300]
