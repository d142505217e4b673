"""The community home page shows what is waiting for each person, and for their queues."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ginnel.communities.models import Membership, MembershipStatus, Role
from ginnel.communities.permissions import access_for
from ginnel.directory.tests.test_editing_helpers import make_org, make_service
from ginnel.matching.models import Introduction, IntroductionState
from ginnel.people.models import Goal, GoalStep, Person, User
from ginnel.timebank import services as timebank
from ginnel.timebank.ledger import format_minutes
from ginnel.timebank.models import Exchange, ExchangeState

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def home_of(client_for, person: Person) -> str:
    response = client_for(person).get(reverse("web:community_home", args=[person.community.slug]))
    assert response.status_code == 200
    return response.content.decode()


def waiting_items(html: str, section: str) -> dict[str, str]:
    """The lines of one "waiting" list, as {text: link}."""
    found = re.search(rf'<ul class="waiting__list" data-waiting="{section}">(.*?)</ul>', html, re.S)
    if found is None:
        return {}
    return {
        text.strip(): href
        for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', found.group(1))
    }


def exchange(community, *, giver, receiver, state, by) -> Exchange:
    return Exchange.objects.create(
        community=community,
        giver=giver,
        receiver=receiver,
        proposed_by=by,
        claimed_by=by if state == ExchangeState.COMPLETED else None,
        description="Help with the shopping",
        state=state,
        minutes=60 if state == ExchangeState.COMPLETED else None,
        happened_on=timezone.localdate() - DAY if state == ExchangeState.COMPLETED else None,
    )


def applicant(community, n: int) -> Person:
    user = User.objects.create_user(f"applicant{n}@example.org", "a long test password 42")
    membership = Membership.objects.create(
        community=community, user=user, status=MembershipStatus.APPLIED
    )
    return Person.objects.create(
        community=community, membership=membership, display_name=f"Applicant {n}"
    )


@pytest.fixture
def neighbour(community, make_member):
    return make_member(community, name="Nia Neighbour", email="nia@example.org")


def test_hours_someone_else_recorded_wait_for_the_other_person_only(
    client_for, community, member, neighbour
):
    exchange(
        community, giver=neighbour, receiver=member, state=ExchangeState.COMPLETED, by=neighbour
    )

    mine = waiting_items(home_of(client_for, member), "yours")
    theirs = waiting_items(home_of(client_for, neighbour), "yours")

    assert mine == {
        "1 exchange with hours for you to confirm": reverse("timebank:mine", args=[community.slug])
    }
    assert theirs == {}


def test_a_proposal_waits_for_the_person_it_was_made_to(client_for, community, member, neighbour):
    for _ in range(2):
        exchange(
            community, giver=member, receiver=neighbour, state=ExchangeState.PROPOSED, by=neighbour
        )

    assert "2 proposals for you to answer" in waiting_items(home_of(client_for, member), "yours")
    assert waiting_items(home_of(client_for, neighbour), "yours") == {}


def test_the_home_page_shows_each_persons_balance_linking_to_their_statement(
    client_for, community, member, neighbour
):
    timebank.categories_seed(community=community)
    recorded = timebank.exchange_record(
        access=access_for(neighbour.membership.user, community),
        other_id=member.pk,
        i_gave=True,
        minutes=90,
        happened_on=timezone.localdate() - DAY,
        description="Gardening",
    )
    timebank.exchange_confirm(
        access=access_for(member.membership.user, community), exchange=recorded
    )

    statement = reverse("timebank:statement", args=[community.slug])
    giver_page = home_of(client_for, neighbour)
    receiver_page = home_of(client_for, member)

    assert "Your timebank balance" in giver_page
    assert f'<a href="{statement}">{format_minutes(90)}</a>' in giver_page
    assert f'<a href="{statement}">{format_minutes(-90)}</a>' in receiver_page


def test_goal_steps_that_are_due_wait_for_their_person(client_for, community, member, neighbour):
    today = timezone.localdate()
    goal = Goal.objects.create(community=community, person=member, title="Walk to the park")
    GoalStep.objects.create(goal=goal, text="Buy shoes", due_on=today - DAY)
    GoalStep.objects.create(goal=goal, text="Walk to the corner", due_on=today)
    GoalStep.objects.create(goal=goal, text="Walk to the gate", due_on=today + DAY)
    GoalStep.objects.create(
        goal=goal, text="Find a friend", due_on=today - DAY, done_at=timezone.now()
    )

    mine = waiting_items(home_of(client_for, member), "yours")

    assert mine == {"2 steps of your goals are due": reverse("people:goals", args=[community.slug])}
    assert waiting_items(home_of(client_for, neighbour), "yours") == {}


def test_an_introduction_waits_for_the_person_it_is_for_and_stays_unseen_by_the_other(
    client_for, community, member, neighbour, coordinator
):
    Introduction.objects.create(
        community=community, person=member, other=neighbour, kind="person", candidate="person:1"
    )

    assert waiting_items(home_of(client_for, member), "yours") == {
        "1 introduction for you being arranged by a coordinator": reverse(
            "matching:my_introductions", args=[community.slug]
        )
    }
    assert waiting_items(home_of(client_for, neighbour), "yours") == {}
    assert waiting_items(home_of(client_for, coordinator), "queues") == {
        "1 introduction to make": reverse("matching:introductions", args=[community.slug])
    }


def test_an_introduction_made_this_month_tells_both_people(
    client_for, community, member, neighbour
):
    Introduction.objects.create(
        community=community,
        person=member,
        other=neighbour,
        kind="person",
        candidate="person:1",
        state=IntroductionState.MADE,
        decided_at=timezone.now() - 3 * DAY,
    )

    for person in (member, neighbour):
        assert "1 new introduction: someone to get in touch with" in waiting_items(
            home_of(client_for, person), "yours"
        )


def test_a_coordinator_sees_their_queues_and_a_member_does_not(
    client_for, community, member, neighbour, coordinator
):
    for n in range(3):
        applicant(community, n)
    exchange(
        community, giver=neighbour, receiver=member, state=ExchangeState.COMPLETED, by=neighbour
    )
    make_service(make_org(community, "Age UK Calderdale"), "Lunch club")

    queues = waiting_items(home_of(client_for, coordinator), "queues")

    assert queues == {
        "3 applications to join, waiting for a decision": reverse(
            "communities:applications", args=[community.slug]
        ),
        "1 claim of hours waiting for confirmation": reverse(
            "timebank:coordinate", args=[community.slug]
        )
        + "?days=0",
        "1 directory entry due for review": reverse(
            "directory:review_queue", args=[community.slug]
        ),
    }
    assert waiting_items(home_of(client_for, member), "queues") == {}


def test_an_organisation_editor_sees_only_their_own_entries_due_for_review(
    client_for, community, org_editor, link_worker
):
    now = timezone.now()
    theirs = make_org(community, "Hebble End Library", editors=[org_editor])
    make_service(theirs, "Books on wheels", last_reviewed=now - 400 * DAY)
    make_service(theirs, "Digital drop-in", last_reviewed=now - 30 * DAY)
    make_service(make_org(community, "Nobody's Club"), "Knit and natter")

    assert waiting_items(home_of(client_for, org_editor), "queues") == {
        "1 directory entry due for review": reverse(
            "directory:manage_organisations", args=[community.slug]
        )
    }
    assert waiting_items(home_of(client_for, link_worker), "queues") == {}


def test_every_waiting_link_opens_for_the_person_it_is_shown_to(
    client_for, community, member, neighbour, coordinator
):
    applicant(community, 1)
    exchange(
        community,
        giver=coordinator,
        receiver=neighbour,
        state=ExchangeState.COMPLETED,
        by=neighbour,
    )
    exchange(
        community, giver=neighbour, receiver=coordinator, state=ExchangeState.PROPOSED, by=neighbour
    )
    Introduction.objects.create(
        community=community, person=coordinator, other=member, kind="person", candidate="person:1"
    )
    goal = Goal.objects.create(community=community, person=coordinator, title="Rest more")
    GoalStep.objects.create(goal=goal, text="Say no once", due_on=timezone.localdate())
    make_service(make_org(community, "Age UK Calderdale"), "Lunch club")

    html = home_of(client_for, coordinator)
    links = {**waiting_items(html, "yours"), **waiting_items(html, "queues")}

    assert len(links) == 8
    client = client_for(coordinator)
    for text, href in links.items():
        assert client.get(href).status_code == 200, text


def count_home_queries(client, community) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("web:community_home", args=[community.slug])).status_code == 200
    return len(captured)


def test_the_home_page_costs_the_same_queries_whatever_the_size_of_the_community(
    client_for, community, make_member, coordinator
):
    def add_data(n: int) -> None:
        people = [make_member(community) for _ in range(n)]
        for i, person in enumerate(people):
            applicant(community, 100 * n + i)
            exchange(
                community,
                giver=person,
                receiver=coordinator,
                state=ExchangeState.COMPLETED,
                by=person,
            )
            exchange(
                community,
                giver=coordinator,
                receiver=person,
                state=ExchangeState.PROPOSED,
                by=person,
            )
            Introduction.objects.create(
                community=community,
                person=coordinator,
                other=person,
                kind="person",
                candidate=f"person:{person.pk}",
            )
            make_service(make_org(community, f"Group {n}-{i}"), f"Club {n}-{i}")
            goal = Goal.objects.create(community=community, person=coordinator, title=f"Goal {i}")
            GoalStep.objects.create(goal=goal, text="Start", due_on=timezone.localdate())

    client = client_for(coordinator)
    add_data(1)
    count_home_queries(client, community)  # warm the suggestions' caches
    small = count_home_queries(client, community)
    add_data(6)
    count_home_queries(client, community)
    large = count_home_queries(client, community)

    assert large == small


def test_an_applicant_opening_their_community_sees_their_application_is_waiting(
    client_for, community
):
    waiting = applicant(community, 1)

    response = client_for(waiting).get(reverse("web:community_home", args=[community.slug]))

    assert response.status_code == 200
    assert "Your application is waiting" in response.content.decode()


def test_someone_from_another_community_cannot_open_the_home_page(client_for, community, outsider):
    response = client_for(outsider).get(reverse("web:community_home", args=[community.slug]))

    assert response.status_code == 403


def test_a_coordinator_without_their_role_has_no_queue_on_the_home_page(
    client_for, community, coordinator
):
    applicant(community, 1)
    coordinator.membership.grants.filter(role=Role.COORDINATOR).delete()

    assert waiting_items(home_of(client_for, coordinator), "queues") == {}


def test_a_capability_adds_its_lines_by_registering_once_without_web_knowing_it(
    client_for, community, member
):
    from ginnel.communities import waiting

    def library_waiting(*, access):
        return [
            waiting.WaitingItem(
                section=waiting.Section.YOURS,
                text="1 book to take back",
                url="/library/",
                count=1,
            )
        ]

    waiting.on_waiting(library_waiting)
    waiting.on_waiting(library_waiting)
    try:
        html = home_of(client_for, member)
    finally:
        waiting._providers.remove(library_waiting)

    assert html.count("1 book to take back") == 1
    assert waiting_items(html, "yours") == {"1 book to take back": "/library/"}
