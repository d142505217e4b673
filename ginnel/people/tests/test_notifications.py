"""Goal steps that come due tell the person, and their coach, once."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from ginnel.communities.models import Role, RoleGrant
from ginnel.notifications.kinds import get
from ginnel.notifications.models import Notification
from ginnel.people.models import Goal, GoalStatus, GoalStep
from ginnel.people.notifications import CATCH_UP_DAYS, steps_remind

pytestmark = pytest.mark.django_db

STEP_DUE = "people.step_due"
COACHEE = "people.coachee_step_due"
DAY = timedelta(days=1)


def told(kind):
    return set(
        Notification.objects.filter(kind=kind).values_list("recipient__display_name", flat=True)
    )


@pytest.fixture
def everyone(coordinator, administrator, link_worker, org_editor, analyst, outsider):
    """Every role here, and an administrator of another community."""


def goal_of(person, *, coach=None, status=GoalStatus.ACTIVE, title="Get back to swimming"):
    return Goal.objects.create(
        community=person.community,
        person=person,
        title=title,
        status=status,
        coach=coach.membership if coach is not None else None,
    )


def step(goal, *, due_on, text="Buy goggles", done=False):
    return GoalStep.objects.create(
        goal=goal, text=text, due_on=due_on, done_at=timezone.now() if done else None
    )


def test_a_step_due_today_tells_the_person_and_their_coach_and_no_one_else(
    everyone, member, link_worker
):
    step(goal_of(member, coach=link_worker), due_on=timezone.localdate())

    assert steps_remind() == 2
    assert told(STEP_DUE) == {member.display_name}
    assert told(COACHEE) == {link_worker.display_name}
    entry = Notification.objects.get(kind=STEP_DUE)
    assert entry.context["step"] == "Buy goggles"
    assert entry.context["overdue"] is False


def test_running_twice_a_day_or_the_next_day_tells_once(everyone, member, link_worker):
    step(goal_of(member, coach=link_worker), due_on=timezone.localdate())

    steps_remind()
    steps_remind()
    steps_remind(timezone.now() + DAY)

    assert Notification.objects.filter(kind=STEP_DUE).count() == 1
    assert Notification.objects.filter(kind=COACHEE).count() == 1


def test_a_step_given_a_new_date_is_told_again_when_that_comes(everyone, member):
    due = step(goal_of(member), due_on=timezone.localdate())
    steps_remind()
    due.due_on = timezone.localdate() + 2 * DAY
    due.save()

    assert steps_remind(timezone.now() + DAY) == 0
    assert steps_remind(timezone.now() + 2 * DAY) == 1


def test_a_step_missed_by_a_day_without_a_run_is_caught_up(everyone, member):
    step(goal_of(member), due_on=timezone.localdate() - 2 * DAY)

    assert steps_remind() == 1
    assert Notification.objects.get(kind=STEP_DUE).context["overdue"] is True


def test_steps_long_overdue_not_yet_due_ticked_or_on_a_paused_goal_tell_no_one(everyone, member):
    today = timezone.localdate()
    step(goal_of(member), due_on=today - (CATCH_UP_DAYS + 1) * DAY)
    step(goal_of(member, title="Walk to the shop"), due_on=today + DAY)
    step(goal_of(member, title="Learn to knit"), due_on=today, done=True)
    step(goal_of(member, title="Paint again", status=GoalStatus.PAUSED), due_on=today)
    step(goal_of(member, title="Ride a bike", status=GoalStatus.REACHED), due_on=today)
    step(goal_of(member, title="No date"), due_on=None)

    assert steps_remind() == 0
    assert not Notification.objects.exists()


def test_a_goal_without_a_coach_tells_only_the_person(everyone, member, coordinator):
    step(goal_of(member), due_on=timezone.localdate())

    steps_remind()

    assert told(STEP_DUE) == {member.display_name}
    assert not Notification.objects.filter(kind=COACHEE).exists()


def test_a_coach_who_no_longer_coaches_is_not_told(everyone, member, link_worker):
    step(goal_of(member, coach=link_worker), due_on=timezone.localdate())
    RoleGrant.objects.filter(membership=link_worker.membership, role=Role.LINK_WORKER).delete()

    steps_remind()

    assert told(COACHEE) == set()
    assert told(STEP_DUE) == {member.display_name}


def test_a_member_who_left_is_not_told(everyone, member):
    step(goal_of(member), due_on=timezone.localdate())
    member.membership.status = "left"
    member.membership.save()

    assert steps_remind() == 0


def test_the_command_runs_the_reminder(everyone, member, link_worker):
    step(goal_of(member, coach=link_worker), due_on=timezone.localdate())
    out = io.StringIO()

    call_command("remind_steps", stdout=out)

    assert out.getvalue().strip() == "Told 2 times."
    assert told(STEP_DUE) == {member.display_name}


def test_texts_and_letters_say_only_that_a_step_is_due(everyone, member):
    from django.template.loader import render_to_string

    step(goal_of(member), due_on=timezone.localdate(), text="Ring the memory clinic")
    steps_remind()
    entry = Notification.objects.get(kind=STEP_DUE)
    folder = get(STEP_DUE).templates
    context = {**entry.context, "recipient": "Mo", "community": "Calder Vale", "url": "/x/"}

    for channel in ("sms", "letter"):
        assert "memory clinic" not in render_to_string(f"{folder}/{channel}.txt", context)
    assert "memory clinic" in render_to_string(f"{folder}/title.txt", context)
