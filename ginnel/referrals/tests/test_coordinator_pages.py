"""A coordinator's pages: allocating and rebalancing, filters, settings, organisations."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ginnel.communities.models import Neighbourhood, Role
from ginnel.referrals import selectors_coordinator, services
from ginnel.referrals.models import (
    EventKind,
    Questionnaire,
    Referral,
    ReferralEvent,
    ReferralReason,
    ReferralSettings,
    ReferralState,
    Referrer,
    ReferringOrganisation,
)

pytestmark = pytest.mark.django_db


def url(community, name, *args, **query):
    base = reverse(f"referrals:{name}", args=[community.slug, *args])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def places(community):
    return {n.name: n for n in Neighbourhood.objects.filter(community=community)}


@pytest.fixture
def orgs(seeded, as_, coordinator):
    access = as_(coordinator)
    surgery = services.organisation_add(
        access=access, kind="gp_practice", name="Hebble Surgery", ods_code="b86001"
    )
    housing = services.organisation_add(access=access, kind="housing", name="Calder Homes")
    return {
        "surgery": surgery,
        "housing": housing,
        "dr": services.referrer_add(access=access, organisation=surgery, name="Dr Shah"),
        "officer": services.referrer_add(access=access, organisation=housing, name="Hal Officer"),
    }


@pytest.fixture
def people(community, make_member, places):
    """Four people: two in Hebble End, two in Mytholm."""
    return {
        name: make_member(community, name=name, neighbourhood=places[where])
        for name, where in (
            ("Alma Ackroyd", "Hebble End"),
            ("Bert Barraclough", "Hebble End"),
            ("Cora Crabtree", "Mytholm"),
            ("Dai Dyson", "Mytholm"),
        )
    }


@pytest.fixture
def waiting(refer, reasons, orgs, people):
    """New referrals, by hand:

    Alma  — loneliness,            Hebble Surgery, Hebble End
    Bert  — housing,               Calder Homes,   Hebble End
    Cora  — loneliness and money,  Calder Homes,   Mytholm
    Dai   — bereavement,           Hebble Surgery, Mytholm
    """
    plan = (
        ("Alma Ackroyd", ["loneliness"], "dr"),
        ("Bert Barraclough", ["housing"], "officer"),
        ("Cora Crabtree", ["loneliness", "money"], "officer"),
        ("Dai Dyson", ["bereavement"], "dr"),
    )
    return {
        name: refer(people[name], reasons=[reasons[c] for c in codes], referrer=orgs[who])
        for name, codes, who in plan
    }


ALL = {"Alma Ackroyd", "Bert Barraclough", "Cora Crabtree", "Dai Dyson"}


def names_in(body: str) -> set[str]:
    return {name for name in ALL if name in body}


# Allocation -----------------------------------------------------------------------------------


def test_the_allocation_page_lists_new_referrals_and_the_link_workers(
    waiting, client_for, coordinator, community, link_worker
):
    response = client_for(coordinator).get(url(community, "allocate"))
    assert response.status_code == 200
    body = response.content.decode()
    assert names_in(body) == ALL
    assert "4 new referrals waiting" in body
    assert "Lin Linkworker" in body


def test_a_coordinator_gives_a_new_referral_to_a_link_worker(
    waiting, client_for, coordinator, community, link_worker
):
    referral = waiting["Alma Ackroyd"]
    response = client_for(coordinator).post(
        url(community, "give", referral.pk), {"link_worker": link_worker.membership.pk}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == ReferralState.ACCEPTED
    assert referral.link_worker_id == link_worker.membership.pk
    assert ReferralEvent.objects.filter(referral=referral, kind=EventKind.ACCEPTED).count() == 1
    after = client_for(coordinator).get(response["Location"]).content.decode()
    assert names_in(after) == ALL - {"Alma Ackroyd"}


def test_giving_without_choosing_a_link_worker_says_so_and_writes_nothing(
    waiting, client_for, coordinator, community, link_worker
):
    referral = waiting["Alma Ackroyd"]
    events = ReferralEvent.objects.count()
    response = client_for(coordinator).post(url(community, "give", referral.pk), {})
    assert response.status_code == 400
    assert "Choose a link worker" in response.content.decode()
    assert ReferralEvent.objects.count() == events
    referral.refresh_from_db()
    assert referral.state == ReferralState.RECEIVED


def test_a_referral_cannot_be_given_to_a_member_without_the_link_worker_role(
    waiting, client_for, coordinator, community, member, link_worker
):
    referral = waiting["Alma Ackroyd"]
    response = client_for(coordinator).post(
        url(community, "give", referral.pk), {"link_worker": member.membership.pk}
    )
    assert response.status_code == 400
    assert "Choose a link worker from the list" in response.content.decode()
    referral.refresh_from_db()
    assert referral.state == ReferralState.RECEIVED


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"reason": "loneliness"}, {"Alma Ackroyd", "Cora Crabtree"}),
        ({"organisation": "surgery"}, {"Alma Ackroyd", "Dai Dyson"}),
        ({"neighbourhood": "Mytholm"}, {"Cora Crabtree", "Dai Dyson"}),
        ({"reason": "loneliness", "organisation": "housing"}, {"Cora Crabtree"}),
        ({"reason": "money", "neighbourhood": "Hebble End"}, set()),
    ],
)
def test_the_allocation_filters_show_exactly_the_referrals_that_match(
    query, expected, waiting, reasons, orgs, places, client_for, coordinator, community
):
    params = {}
    if "reason" in query:
        params["reason"] = reasons[query["reason"]].pk
    if "organisation" in query:
        params["organisation"] = orgs[query["organisation"]].pk
    if "neighbourhood" in query:
        params["neighbourhood"] = places[query["neighbourhood"]].pk
    response = client_for(coordinator).get(url(community, "allocate"), params)
    assert response.status_code == 200
    body = response.content.decode()
    # The filter form's own options name no person, so every name found is a row.
    assert names_in(body) == expected
    if expected:
        n = len(expected)
        assert f"{n} new referral{'s' if n != 1 else ''} waiting" in body
    else:
        assert "No new referrals match these filters." in body


def test_a_filter_choice_from_another_community_is_refused_by_the_field(
    waiting, client_for, coordinator, community, other_community
):
    elsewhere = Neighbourhood.objects.get(community=other_community)
    response = client_for(coordinator).get(
        url(community, "allocate"), {"neighbourhood": elsewhere.pk}
    )
    assert response.status_code == 400
    assert "Choose a neighbourhood from the list" in response.content.decode()


def test_each_link_workers_counts_are_worked_out_and_follow_the_filters(
    waiting, as_, coordinator, link_worker, other_link_worker, reasons, yesterday
):
    """Lin gets Alma (new) and Cora (overdue); Lou gets Bert (one failed call, so not new)."""
    access = as_(coordinator)
    lin, lou = link_worker.membership, other_link_worker.membership
    services.referral_accept(access=access, referral=waiting["Alma Ackroyd"], link_worker=lin)
    cora = services.referral_accept(
        access=access, referral=waiting["Cora Crabtree"], link_worker=lin
    )
    services.first_conversation_record(access=access, referral=cora, happened_on=yesterday)
    services.follow_up_schedule(access=access, referral=cora, due_on=timezone.localdate())
    Referral.objects.filter(pk=cora.pk).update(next_follow_up_on=yesterday)
    bert = services.referral_accept(
        access=access, referral=waiting["Bert Barraclough"], link_worker=lou
    )
    services.contact_attempt_log(
        access=access, referral=bert, happened_on=yesterday, channel="phone", outcome="no_answer"
    )

    loads = {
        w.name: (w.open, w.new, w.overdue)
        for w in selectors_coordinator.worker_loads(access=access)
    }
    assert loads == {"Lin Linkworker": (2, 1, 1), "Lou Otherworker": (1, 0, 0)}

    money = selectors_coordinator.ReferralFilters(reason=reasons["money"])
    loads = {
        w.name: (w.open, w.new, w.overdue)
        for w in selectors_coordinator.worker_loads(access=access, filters=money)
    }
    assert loads == {"Lin Linkworker": (1, 0, 1), "Lou Otherworker": (0, 0, 0)}


def test_the_allocation_page_reads_as_many_queries_for_five_referrals_as_for_one(
    refer, orgs, client_for, coordinator, community, link_worker, other_link_worker
):
    client = client_for(coordinator)
    refer(referrer=orgs["dr"])
    client.get(url(community, "allocate"))  # warm the session
    with CaptureQueriesContext(connection) as one:
        client.get(url(community, "allocate"))
    for _ in range(4):
        refer(referrer=orgs["officer"])
    with CaptureQueriesContext(connection) as five:
        response = client.get(url(community, "allocate"))
    assert response.content.decode().count("Rhoda Referred") >= 5
    assert len(five) == len(one)


def test_the_allocation_page_keeps_to_a_fixed_number_of_queries(
    waiting, client_for, coordinator, community, link_worker, django_assert_max_num_queries
):
    client = client_for(coordinator)
    client.get(url(community, "allocate"))
    # Session and user, the asker's standing (membership, grants), the filter form's three
    # lists, the page's count and rows, the link workers with their counts, messages, and
    # the header's count of unread notifications.
    with django_assert_max_num_queries(13):
        client.get(url(community, "allocate"))


# The caseload, filtered, and moving a case ---------------------------------------------------


@pytest.fixture
def lins_cases(waiting, as_, coordinator, link_worker):
    access = as_(coordinator)
    for referral in waiting.values():
        services.referral_accept(
            access=access, referral=referral, link_worker=link_worker.membership
        )
    return waiting


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"reason": "loneliness"}, {"Alma Ackroyd", "Cora Crabtree"}),
        ({"organisation": "housing"}, {"Bert Barraclough", "Cora Crabtree"}),
        ({"neighbourhood": "Hebble End"}, {"Alma Ackroyd", "Bert Barraclough"}),
    ],
)
def test_a_link_worker_filters_their_caseload_and_the_counts_follow(
    query, expected, lins_cases, reasons, orgs, places, client_for, link_worker, community
):
    params = {"section": "open"}
    if "reason" in query:
        params["reason"] = reasons[query["reason"]].pk
    if "organisation" in query:
        params["organisation"] = orgs[query["organisation"]].pk
    if "neighbourhood" in query:
        params["neighbourhood"] = places[query["neighbourhood"]].pk
    response = client_for(link_worker).get(url(community, "caseload"), params)
    assert response.status_code == 200
    body = response.content.decode()
    assert names_in(body) == expected
    assert f'All open <span class="count">({len(expected)})</span>' in body
    assert f'New <span class="count">({len(expected)})</span>' in body


def test_caseload_rows_and_tabs_keep_the_filters(
    lins_cases, reasons, client_for, link_worker, community
):
    response = client_for(link_worker).get(
        url(community, "caseload"), {"reason": reasons["loneliness"].pk}
    )
    body = response.content.decode()
    tab = re.search(r'href="(\?[^"]*section=due_today[^"]*)"', body)
    assert tab is not None
    assert f"reason={reasons['loneliness'].pk}" in tab.group(1)


def test_a_coordinator_moves_a_case_to_another_link_worker(
    lins_cases, client_for, coordinator, community, link_worker, other_link_worker
):
    cora = lins_cases["Cora Crabtree"]
    page = client_for(coordinator).get(url(community, "caseload", worker=link_worker.membership.pk))
    assert "Move to" in page.content.decode()
    response = client_for(coordinator).post(
        url(community, "move", cora.pk),
        {
            "link_worker": other_link_worker.membership.pk,
            "back": f"worker={link_worker.membership.pk}",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"?worker={link_worker.membership.pk}")
    cora.refresh_from_db()
    assert cora.link_worker_id == other_link_worker.membership.pk
    moved = ReferralEvent.objects.get(referral=cora, kind=EventKind.REASSIGNED)
    assert moved.detail["previous"] == link_worker.membership.pk


def test_a_link_worker_sees_no_move_form_and_cannot_move_a_case(
    lins_cases, client_for, community, link_worker, other_link_worker
):
    cora = lins_cases["Cora Crabtree"]
    page = client_for(link_worker).get(url(community, "caseload"))
    assert "Move to" not in page.content.decode()
    response = client_for(link_worker).post(
        url(community, "move", cora.pk), {"link_worker": other_link_worker.membership.pk}
    )
    assert response.status_code == 403
    cora.refresh_from_db()
    assert cora.link_worker_id == link_worker.membership.pk


# Who may open these pages --------------------------------------------------------------------


PAGES = ("allocate", "settings", "organisations")


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", ["link_worker", "member", "analyst", "outsider"])
def test_people_without_the_coordinator_role_are_refused(
    page, who, waiting, client_for, request, community
):
    person = request.getfixturevalue(who)
    response = client_for(person).get(url(community, page))
    assert response.status_code == 403
    assert "Alma Ackroyd" not in response.content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_an_anonymous_visitor_is_sent_to_log_in(page, client_for, community):
    assert client_for(None).get(url(community, page)).status_code == 302


def test_another_communitys_coordinator_is_refused_and_finds_nothing(
    waiting, client_for, other_community, make_member, community, link_worker, orgs
):
    theirs = make_member(other_community, roles=[Role.COORDINATOR], name="Tess Theirs")
    client = client_for(theirs)
    assert client.get(url(community, "allocate")).status_code == 403
    response = client.post(
        url(community, "give", waiting["Alma Ackroyd"].pk),
        {"link_worker": link_worker.membership.pk},
    )
    assert response.status_code == 403
    assert client.get(url(community, "organisation", orgs["surgery"].pk)).status_code == 403
    # In their own community, this community's referral is not found.
    response = client.post(
        url(other_community, "give", waiting["Alma Ackroyd"].pk),
        {"link_worker": link_worker.membership.pk},
    )
    assert response.status_code == 404
    assert Referral.objects.get(pk=waiting["Alma Ackroyd"].pk).state == ReferralState.RECEIVED


# Settings -------------------------------------------------------------------------------------


def test_a_coordinator_changes_the_failed_contacts_before_closing(
    seeded, client_for, coordinator, community
):
    response = client_for(coordinator).post(
        url(community, "settings"), {"form": "settings", "failed_contacts_before_closing": "5"}
    )
    assert response.status_code == 302
    assert ReferralSettings.objects.get(community=community).failed_contacts_before_closing == 5


@pytest.mark.parametrize("value", ["0", "11", "", "three"])
def test_a_number_of_attempts_out_of_range_is_refused_by_the_field(
    value, seeded, client_for, coordinator, community
):
    response = client_for(coordinator).post(
        url(community, "settings"), {"form": "settings", "failed_contacts_before_closing": value}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_failed_contacts_before_closing_error"' in body
    assert "Enter a number of attempts from 1 to 10" in body
    assert ReferralSettings.objects.get(community=community).failed_contacts_before_closing == 3


def test_a_coordinator_adds_a_reason_and_its_code_is_made_from_the_label(
    seeded, client_for, coordinator, community
):
    response = client_for(coordinator).post(
        url(community, "settings"), {"form": "reason", "label": "Pet care", "code": ""}
    )
    assert response.status_code == 302
    added = ReferralReason.objects.get(community=community, label="Pet care")
    assert added.code == "pet_care"
    assert added.is_active


def test_a_blank_reason_is_refused_by_the_field_and_nothing_is_added(
    seeded, client_for, coordinator, community
):
    before = ReferralReason.objects.count()
    response = client_for(coordinator).post(
        url(community, "settings"), {"form": "reason", "label": "  ", "code": "x"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_label_error"' in body
    assert "Enter the reason" in body
    assert ReferralReason.objects.count() == before


def test_a_reason_with_a_code_already_used_is_refused_by_the_code(
    seeded, client_for, coordinator, community
):
    before = ReferralReason.objects.count()
    response = client_for(coordinator).post(
        url(community, "settings"), {"form": "reason", "label": "Lonely", "code": "loneliness"}
    )
    assert response.status_code == 400
    assert "There is already a reason with this code." in response.content.decode()
    assert ReferralReason.objects.count() == before


def test_a_coordinator_retires_a_reason(reasons, client_for, coordinator, community):
    housing = reasons["housing"]
    response = client_for(coordinator).post(url(community, "reason_retire", housing.pk))
    assert response.status_code == 302
    housing.refresh_from_db()
    assert not housing.is_active
    page = client_for(coordinator).get(url(community, "settings")).content.decode()
    assert "Retired on" in page


def test_the_settings_page_says_swemwbs_needs_a_licence(seeded, client_for, coordinator, community):
    body = client_for(coordinator).get(url(community, "settings")).content.decode()
    assert "SWEMWBS needs your organisation's own licence" in body
    assert "Only an administrator of this community switches questionnaires" in body


def test_swemwbs_is_switched_on_only_with_the_licence_confirmed(
    questionnaires, client_for, administrator, community
):
    swemwbs = questionnaires["swemwbs"]
    prefix = f"q{swemwbs.pk}"
    client = client_for(administrator)
    response = client.post(
        url(community, "questionnaire_switch", swemwbs.pk), {f"{prefix}-on": "1"}
    )
    assert response.status_code == 400
    assert f'id="id_{prefix}-licence_registered_error"' in response.content.decode()
    assert not Questionnaire.objects.get(pk=swemwbs.pk).is_enabled
    response = client.post(
        url(community, "questionnaire_switch", swemwbs.pk),
        {f"{prefix}-on": "1", f"{prefix}-licence_registered": "on"},
    )
    assert response.status_code == 302
    assert Questionnaire.objects.get(pk=swemwbs.pk).is_enabled


def test_a_coordinator_cannot_switch_questionnaires(
    questionnaires, client_for, coordinator, community
):
    ons4 = questionnaires["ons4"]
    response = client_for(coordinator).post(
        url(community, "questionnaire_switch", ons4.pk), {f"q{ons4.pk}-on": "0"}
    )
    assert response.status_code == 403
    assert Questionnaire.objects.get(pk=ons4.pk).is_enabled


# Organisations --------------------------------------------------------------------------------


def test_a_coordinator_adds_an_organisation_and_a_referrer_there(
    seeded, client_for, coordinator, community
):
    client = client_for(coordinator)
    response = client.post(
        url(community, "organisations"),
        {"kind": "gp_practice", "name": "Mytholm Medical Centre", "ods_code": "b86002"},
    )
    assert response.status_code == 302
    found = ReferringOrganisation.objects.get(community=community, name="Mytholm Medical Centre")
    assert found.ods_code == "B86002"
    response = client.post(
        url(community, "organisation", found.pk),
        {"name": "Nia Nurse", "job_title": "Practice nurse"},
    )
    assert response.status_code == 302
    assert Referrer.objects.get(organisation=found).name == "Nia Nurse"
    listing = client.get(url(community, "organisations")).content.decode()
    assert "Mytholm Medical Centre" in listing
    assert "Nia Nurse" in listing


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Enter the organisation&#x27;s name"),
        ("Hebble Surgery", "There is already an organisation with this name."),
    ],
)
def test_a_blank_or_taken_organisation_name_is_refused_by_the_field(
    name, message, orgs, client_for, coordinator, community
):
    before = ReferringOrganisation.objects.count()
    response = client_for(coordinator).post(
        url(community, "organisations"), {"kind": "gp_practice", "name": name}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_name_error"' in body
    assert message in body
    assert ReferringOrganisation.objects.count() == before


def test_a_referrer_without_a_name_is_refused_by_the_field(
    orgs, client_for, coordinator, community
):
    before = Referrer.objects.count()
    response = client_for(coordinator).post(
        url(community, "organisation", orgs["surgery"].pk), {"name": "", "job_title": "GP"}
    )
    assert response.status_code == 400
    assert "Enter the referrer&#x27;s name" in response.content.decode()
    assert Referrer.objects.count() == before


def test_the_organisations_come_a_page_at_a_time(seeded, as_, coordinator, client_for, community):
    access = as_(coordinator)
    for i in range(27):
        services.organisation_add(access=access, kind="voluntary", name=f"Group {i:02d}")
    first = client_for(coordinator).get(url(community, "organisations")).content.decode()
    second = client_for(coordinator).get(url(community, "organisations", page=2)).content.decode()
    assert "Group 00" in first
    assert "Group 25" not in first
    assert "Group 25" in second
    assert "Group 26" in second
    assert "Group 00" not in second


# The roles page -------------------------------------------------------------------------------


def test_the_roles_page_links_to_a_coordinators_and_a_link_workers_pages(
    seeded, client_for, administrator, coordinator, link_worker, community
):
    client = client_for(administrator)
    page = client.get(reverse("communities:member_roles", args=[community.slug, coordinator.pk]))
    body = page.content.decode()
    assert reverse("referrals:allocate", args=[community.slug]) in body
    assert reverse("referrals:settings", args=[community.slug]) in body
    page = client.get(reverse("communities:member_roles", args=[community.slug, link_worker.pk]))
    # The page itself, not the administrator's own menu, which leads everywhere.
    body = page.content.decode().split('id="main-content"', 1)[1]
    caseload = reverse("referrals:caseload", args=[community.slug])
    assert f"{caseload}?worker={link_worker.membership.pk}" in body
    assert reverse("referrals:allocate", args=[community.slug]) not in body


def test_waiting_times_show_on_the_allocation_page(refer, orgs, client_for, coordinator, community):
    referral = refer(referrer=orgs["dr"])
    Referral.objects.filter(pk=referral.pk).update(received_at=timezone.now() - timedelta(days=3))
    body = client_for(coordinator).get(url(community, "allocate")).content.decode()
    assert "3\xa0days ago" in body


# A login for a referrer -----------------------------------------------------------------------


def test_a_referrer_given_a_login_is_emailed_a_link_to_choose_a_password(
    orgs, client_for, coordinator, community, mailoutbox, django_capture_on_commit_callbacks
):
    from ginnel.people.models import User

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(coordinator).post(
            url(community, "organisation", orgs["surgery"].pk),
            {"name": "Gil Gp", "email": "Gil.GP@Surgery.example.org", "give_login": "on"},
        )
    assert response.status_code == 302
    user = User.objects.get(email="gil.gp@surgery.example.org")
    assert not user.has_usable_password()
    referrer = Referrer.objects.get(name="Gil Gp")
    assert referrer.user == user
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["gil.gp@surgery.example.org"]
    link = re.search(r"https?://\S+", mailoutbox[0].body)
    assert link is not None
    # The link opens the house page for choosing a password (Django moves the token to
    # the session and redirects to the form).
    page = client_for(None).get(link.group(0), follow=True)
    assert page.status_code == 200
    assert "New password" in page.content.decode()


def test_a_login_needs_an_email_address_and_nothing_is_written_without_one(
    orgs, client_for, coordinator, community, mailoutbox, django_capture_on_commit_callbacks
):
    from ginnel.people.models import User

    users, referrers = User.objects.count(), Referrer.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(coordinator).post(
            url(community, "organisation", orgs["surgery"].pk),
            {"name": "Gil Gp", "give_login": "on"},
        )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_email_error"' in body
    assert "Enter their email address to give them a login." in body
    assert (User.objects.count(), Referrer.objects.count()) == (users, referrers)
    assert mailoutbox == []


def test_someone_with_a_login_already_keeps_it_and_is_not_emailed(
    orgs, client_for, coordinator, community, member, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(coordinator).post(
            url(community, "organisation", orgs["housing"].pk),
            {"name": "Mo Member", "email": "member@example.org", "give_login": "on"},
        )
    assert response.status_code == 302
    assert Referrer.objects.get(name="Mo Member").user == member.membership.user
    assert member.membership.user.has_usable_password()
    assert mailoutbox == []


def test_giving_a_referral_accepted_meanwhile_says_so_and_changes_nothing(
    waiting, as_, client_for, coordinator, community, link_worker, other_link_worker
):
    referral = waiting["Alma Ackroyd"]
    services.referral_accept(
        access=as_(coordinator), referral=referral, link_worker=other_link_worker.membership
    )
    events = ReferralEvent.objects.count()
    response = client_for(coordinator).post(
        url(community, "give", referral.pk), {"link_worker": link_worker.membership.pk}, follow=True
    )
    assert "This referral has already been accepted." in response.content.decode()
    assert ReferralEvent.objects.count() == events
    referral.refresh_from_db()
    assert referral.link_worker_id == other_link_worker.membership.pk


# Filters: a property over every combination ---------------------------------------------------

CODES = ("loneliness", "housing", "money", "bereavement", None)
ORGS = ("surgery", "housing", None)
PLACES = ("Hebble End", "Mytholm", None)


@pytest.fixture
def spread(lins_cases, as_, coordinator, other_link_worker, link_worker, yesterday):
    """Lin keeps Alma and Dai (Dai overdue); Lou gets Bert and Cora."""
    access = as_(coordinator)
    for name in ("Bert Barraclough", "Cora Crabtree"):
        services.referral_reassign(
            access=access, referral=lins_cases[name], link_worker=other_link_worker.membership
        )
    dai = lins_cases["Dai Dyson"]
    services.first_conversation_record(access=access, referral=dai, happened_on=yesterday)
    services.follow_up_schedule(access=access, referral=dai, due_on=timezone.localdate())
    Referral.objects.filter(pk=dai.pk).update(next_follow_up_on=yesterday)
    return lins_cases


FACTS = {
    # name: (reasons, organisation, neighbourhood)
    "Alma Ackroyd": ({"loneliness"}, "surgery", "Hebble End"),
    "Bert Barraclough": ({"housing"}, "housing", "Hebble End"),
    "Cora Crabtree": ({"loneliness", "money"}, "housing", "Mytholm"),
    "Dai Dyson": ({"bereavement"}, "surgery", "Mytholm"),
}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(code=st.sampled_from(CODES), org=st.sampled_from(ORGS), place=st.sampled_from(PLACES))
def test_any_filter_gives_the_matching_cases_and_counts_that_agree_with_them(
    code,
    org,
    place,
    spread,
    reasons,
    orgs,
    places,
    as_,
    coordinator,
    link_worker,
    other_link_worker,
):
    filters = selectors_coordinator.ReferralFilters(
        reason=reasons[code] if code else None,
        organisation=orgs[org] if org else None,
        neighbourhood=places[place] if place else None,
    )
    expected = {
        name
        for name, (codes, o, p) in FACTS.items()
        if (code is None or code in codes)
        and (org is None or o == org)
        and (place is None or p == place)
    }
    access = as_(coordinator)
    loads = {
        w.membership.pk: w
        for w in selectors_coordinator.worker_loads(access=access, filters=filters)
    }
    seen = set()
    for worker in (link_worker, other_link_worker):
        rows = selectors_coordinator.caseload(
            access=access, filters=filters, link_worker=worker.membership, section="open"
        )
        names = {r.person.display_name for r in rows}
        seen |= names
        counts = selectors_coordinator.caseload_counts(
            access=access, filters=filters, link_worker=worker.membership
        )
        load = loads[worker.membership.pk]
        assert (load.open, load.new, load.overdue) == (counts.open, counts.new, counts.overdue)
        assert counts.open == len(names)
    assert seen == expected
