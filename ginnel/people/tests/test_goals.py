"""Goals in a person's own words, small steps, coach reviews and notes, with their history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ginnel.people.models import CoachNote, Goal, GoalEvent, GoalStep

pytestmark = pytest.mark.django_db


def make_goal(client, community, title="Get back to swimming"):
    client.post(
        reverse("people:goals", args=[community.slug]), {"title": title, "why": "I used to love it"}
    )
    return Goal.objects.get(title=title)


def test_a_member_sets_a_goal_adds_two_steps_and_ticks_one_off(member, client_for, community):
    client = client_for(member)
    goal = make_goal(client, community)
    url = reverse("people:goal", args=[community.slug, goal.pk])

    client.post(url, {"form": "step", "text": "Find the pool's quiet times"})
    client.post(
        url,
        {
            "form": "step",
            "text": "Buy goggles",
            "due_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
        },
    )
    first = goal.steps.get(text="Find the pool's quiet times")
    client.post(reverse("people:step_tick", args=[community.slug, first.pk]), {"done": "yes"})

    page = client.get(url).content.decode()
    assert goal.person == member
    assert [s.done_at is not None for s in goal.steps.order_by("id")] == [True, False]
    assert "ticked off “Find the pool&#x27;s quiet times”" in page


def test_every_change_to_a_goal_is_in_its_history(member, coach_of_member, client_for, community):
    client = client_for(member)
    goal = make_goal(client, community)
    url = reverse("people:goal", args=[community.slug, goal.pk])
    client.post(url, {"form": "step", "text": "Ring the leisure centre"})
    step = goal.steps.get()
    client.post(reverse("people:step_tick", args=[community.slug, step.pk]), {"done": "yes"})
    client.post(reverse("people:step_tick", args=[community.slug, step.pk]), {"done": "no"})
    client.post(url, {"form": "status", "status": "reached"})
    client_for(coach_of_member).post(url, {"form": "review", "text": "Swam twice this week!"})

    actions = list(GoalEvent.objects.filter(goal=goal).values_list("action", flat=True))
    assert actions == ["created", "step_added", "step_done", "step_undone", "changed", "reviewed"]
    change = GoalEvent.objects.get(goal=goal, action="changed")
    assert change.detail["changes"]["status"] == ["active", "reached"]
    assert change.actor == member.membership
    goal.refresh_from_db()
    assert goal.reached_at is not None


@pytest.fixture
def coach_of_member(link_worker):
    return link_worker


def test_a_new_step_cannot_be_dated_in_the_past_and_the_text_is_kept(member, client_for, community):
    client = client_for(member)
    goal = make_goal(client, community)

    response = client.post(
        reverse("people:goal", args=[community.slug, goal.pk]),
        {
            "form": "step",
            "text": "Kept step text",
            "due_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        },
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert 'href="#id_due_on"' in page
    assert "Choose a date today or later" in page
    assert "Kept step text" in page
    assert not GoalStep.objects.exists()


@pytest.mark.parametrize(
    ("post", "message"),
    [({"title": ""}, "Write your goal"), ({"title": "x" * 201}, "at most 200 characters")],
)
def test_a_goal_needs_words_that_fit(post, message, member, client_for, community):
    response = client_for(member).post(
        reverse("people:goals", args=[community.slug]), {**post, "why": "Kept why"}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Kept why" in response.content.decode()
    assert not Goal.objects.exists()


def test_another_member_cannot_see_or_change_someone_elses_goal(
    member, make_member, client_for, community
):
    goal = make_goal(client_for(member), community)
    nosy = client_for(make_member(community, name="Nosy Parker"))

    page = nosy.get(reverse("people:goal", args=[community.slug, goal.pk]))
    step = nosy.post(
        reverse("people:goal", args=[community.slug, goal.pk]), {"form": "step", "text": "Sabotage"}
    )
    theirs = nosy.get(reverse("people:person_goals", args=[community.slug, member.pk]))

    assert (page.status_code, step.status_code, theirs.status_code) == (404, 404, 404)
    assert not GoalStep.objects.exists()


def test_a_coach_in_another_community_cannot_open_the_person(
    member, other_community, make_member, client_for, community
):
    goal = make_goal(client_for(member), community)
    from ginnel.communities.models import Role

    coach_elsewhere = client_for(make_member(other_community, roles=[Role.LINK_WORKER]))

    responses = [
        coach_elsewhere.get(reverse("people:person_goals", args=[community.slug, member.pk])),
        coach_elsewhere.get(reverse("people:goal", args=[community.slug, goal.pk])),
        coach_elsewhere.get(reverse("people:person_goals", args=[other_community.slug, member.pk])),
        coach_elsewhere.get(reverse("people:goal", args=[other_community.slug, goal.pk])),
    ]

    assert [r.status_code for r in responses] == [403, 403, 404, 404]


def test_the_person_reads_every_note_and_other_members_never_do(
    member, link_worker, make_member, client_for, community
):
    client_for(link_worker).post(
        reverse("people:note_add", args=[community.slug, member.pk]),
        {"text": "Talked about the walking group; keen to try it."},
    )
    other = client_for(make_member(community))

    own = client_for(member).get(reverse("people:notes", args=[community.slug]))
    others = other.get(reverse("people:notes", args=[community.slug]))

    assert CoachNote.objects.get().author == link_worker.membership
    assert "keen to try it" in own.content.decode()
    assert "keen to try it" not in others.content.decode()
    assert (
        other.post(
            reverse("people:note_add", args=[community.slug, member.pk]), {"text": "Gossip"}
        ).status_code
        == 403
    )


def test_analysts_see_goal_counts_by_neighbourhood_and_quarter_with_small_numbers_hidden(
    community, analyst, make_member, client_for
):
    hebble, mytholm = community.neighbourhoods.order_by("name")
    for i in range(6):
        person = make_member(community, neighbourhood=hebble, name=f"Hebble {i}")
        Goal.objects.create(
            community=community,
            person=person,
            title=f"Goal {i}",
            status="reached" if i < 5 else "active",
        )
    quiet = make_member(community, neighbourhood=mytholm, name="Only One In Mytholm")
    Goal.objects.create(community=community, person=quiet, title="A very personal goal")

    response = client_for(analyst).get(reverse("web:insights", args=[community.slug]))

    rows = {r.neighbourhood: r for r in response.context["goals"]}
    assert (rows["Hebble End"].set_shown, rows["Hebble End"].reached_shown) == ("6", "5")
    assert rows["Mytholm"].set_shown == "fewer than 5"
    page = response.content.decode()
    assert "Only One In Mytholm" not in page
    assert "A very personal goal" not in page
