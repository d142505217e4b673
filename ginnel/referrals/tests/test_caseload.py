"""A link worker's caseload: its parts, its pages, and who may see whose."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ginnel.errors import PermissionRefused
from ginnel.referrals import selectors, services
from ginnel.referrals.models import Referral, ReferralRead


def url(community, **query):
    base = reverse("referrals:caseload", args=[community.slug])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def cases(accepted, engaged, as_, link_worker, yesterday):
    """One new, one waiting after a failed call, one due today, one overdue."""
    new = accepted()
    waiting = accepted()
    services.contact_attempt_log(
        access=as_(link_worker),
        referral=waiting,
        happened_on=yesterday,
        channel="phone",
        outcome="no_answer",
    )
    due = engaged()
    services.follow_up_schedule(access=as_(link_worker), referral=due, due_on=timezone.localdate())
    overdue = engaged()
    services.follow_up_schedule(
        access=as_(link_worker), referral=overdue, due_on=timezone.localdate()
    )
    # A day later, the second follow-up is overdue.
    Referral.objects.filter(pk=overdue.pk).update(next_follow_up_on=yesterday)
    return {"new": new, "waiting": waiting, "due": due, "overdue": overdue}


def ids(page):
    return [r.pk for r in page]


def test_the_caseload_sorts_the_link_workers_cases_into_its_parts(cases, as_, link_worker):
    access = as_(link_worker)
    assert ids(selectors.caseload(access=access, section="new")) == [cases["new"].pk]
    assert ids(selectors.caseload(access=access, section="waiting")) == [
        cases["new"].pk,
        cases["waiting"].pk,
    ]
    assert ids(selectors.caseload(access=access, section="due_today")) == [cases["due"].pk]
    assert ids(selectors.caseload(access=access, section="overdue")) == [cases["overdue"].pk]
    counts = selectors.caseload_counts(access=access)
    assert (counts.new, counts.waiting, counts.due_today, counts.overdue, counts.open) == (
        1,
        2,
        1,
        1,
        4,
    )


def test_another_link_workers_caseload_is_empty_of_these_cases(cases, as_, other_link_worker):
    assert selectors.caseload_counts(access=as_(other_link_worker)).open == 0


def test_the_caseload_comes_a_page_at_a_time(accepted, as_, link_worker):
    for _ in range(3):
        accepted()
    first = selectors.caseload(access=as_(link_worker), section="new", per_page=2)
    second = selectors.caseload(access=as_(link_worker), section="new", per_page=2, page=2)
    assert len(first) == 2
    assert len(second) == 1
    assert set(ids(first)).isdisjoint(ids(second))


def test_a_link_worker_cannot_look_at_another_link_workers_caseload(
    cases, as_, link_worker, other_link_worker
):
    with pytest.raises(PermissionRefused):
        selectors.caseload(access=as_(other_link_worker), link_worker=link_worker.membership)


def test_the_caseload_page_lists_names_and_waiting_time_without_recording_a_read(
    cases, client_for, link_worker, community
):
    response = client_for(link_worker).get(url(community, section="waiting"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Rhoda Referred" in body
    assert "Waiting for first contact" in body
    assert not ReferralRead.objects.exists()


def test_a_coordinator_opens_a_link_workers_caseload(cases, client_for, coordinator, link_worker):
    response = client_for(coordinator).get(
        url(coordinator.community, section="overdue", worker=link_worker.membership.pk)
    )
    assert response.status_code == 200
    assert "Caseload of Lin Linkworker" in response.content.decode()


@pytest.mark.parametrize("who", ["member", "analyst", "other_link_worker_for_someone_else"])
def test_people_without_the_right_role_are_refused_the_caseload_page(
    who, cases, client_for, member, analyst, other_link_worker, link_worker, community
):
    if who == "member":
        response = client_for(member).get(url(community))
    elif who == "analyst":
        response = client_for(analyst).get(url(community))
    else:
        response = client_for(other_link_worker).get(
            url(community, worker=link_worker.membership.pk)
        )
    assert response.status_code == 403
    assert "Rhoda Referred" not in response.content.decode()


def test_a_member_of_another_community_is_refused(cases, client_for, outsider, community):
    assert client_for(outsider).get(url(community)).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client_for, community):
    response = client_for(None).get(url(community))
    assert response.status_code == 302


def test_an_unknown_part_of_the_caseload_is_not_found(client_for, link_worker, community):
    assert client_for(link_worker).get(url(community, section="everything")).status_code == 404
    assert client_for(link_worker).get(url(community, worker="abc")).status_code == 404


def test_the_caseload_page_reads_as_many_queries_for_five_cases_as_for_one(
    accepted, client_for, link_worker, community
):
    client = client_for(link_worker)
    accepted()
    client.get(url(community))  # warm the session
    with CaptureQueriesContext(connection) as one:
        client.get(url(community, section="new"))
    for _ in range(4):
        accepted()
    with CaptureQueriesContext(connection) as five:
        response = client.get(url(community, section="new"))
    assert response.content.decode().count("Rhoda Referred") == 5
    assert len(five) == len(one)


def test_the_waiting_time_runs_from_the_referral_to_the_first_contact(
    accepted, as_, link_worker, yesterday
):
    referral = accepted()
    Referral.objects.filter(pk=referral.pk).update(received_at=timezone.now() - timedelta(days=4))
    services.contact_attempt_log(
        access=as_(link_worker),
        referral=referral,
        happened_on=yesterday,
        channel="phone",
        outcome="reached",
    )
    referral.refresh_from_db()
    assert selectors.waiting_time(referral).days == 4
