"""What goals tell people: a step that has come due, to the person and to their coach.

- ``people.step_due``: a step of one of the person's active goals is due (its
  date has come and it is not ticked); told to the person.
- ``people.coachee_step_due``: the same step, told to the goal's coach when one
  is recorded (the coordinator or link worker who set the goal up with them).
  A staff kind, by email in a daily digest unless chosen otherwise.

:func:`steps_remind` makes both, daily (``ginnel remind_steps``, or the job
queue). A step is told about once for the date it is due (the dedupe key holds
the step and that date): running twice a day, or on the next days while it
waits, tells once; moving its date makes a new reminder. A run catches up the
steps that fell due in the last :data:`CATCH_UP_DAYS` days, so a day the job
did not run is not lost. Strengths and goals have no review dates, so nothing
here reminds of reviews.

The step's own words are the person's, and may say more than they would want a
carer opening a letter to read: texts and letters say only that a step is due.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ginnel.communities.models import Membership
from ginnel.communities.permissions import ROLE_PERMISSIONS, Perm, roles_of
from ginnel.notifications.kinds import Channel, Frequency, Kind, register
from ginnel.notifications.services import notify
from ginnel.people.models import GoalStatus, GoalStep, Person

#: Steps that fell due this many days ago, and not told yet, are told on the next run.
CATCH_UP_DAYS = 6

STEP_DUE = Kind(
    code="people.step_due",
    label=_("A step of your goals is due"),
    audience=_("The person whose goal it is"),
    templates="people/notifications/step_due",
)
COACHEE_STEP_DUE = Kind(
    code="people.coachee_step_due",
    label=_("A step of a goal you coach is due"),
    audience=_("The goal's coach"),
    templates="people/notifications/coachee_step_due",
    defaults={Channel.EMAIL: Frequency.DAILY},
    staff=True,
)
KINDS = (STEP_DUE, COACHEE_STEP_DUE)


def register_kinds() -> None:
    """Called from ``PeopleConfig.ready()``."""
    for kind in KINDS:
        register(kind)


def _permissions(membership: Membership) -> set[Perm]:
    """What the membership's roles allow now (a coach who is no longer one is not told)."""
    return {p for role in roles_of(membership) for p in ROLE_PERMISSIONS[role]}


def steps_remind(now: datetime | None = None) -> int:
    """Tell people (and their coaches) about steps that have come due; how many were told."""
    today = timezone.localdate(now or timezone.now())
    due = (
        GoalStep.objects.filter(
            done_at__isnull=True,
            goal__status=GoalStatus.ACTIVE,
            due_on__lte=today,
            due_on__gte=today - timedelta(days=CATCH_UP_DAYS),
        )
        .select_related("goal__community", "goal__person", "goal__coach__person")
        .prefetch_related("goal__coach__grants")
        .order_by("goal__community_id", "id")
    )
    told = 0
    for step in due:
        goal = step.goal
        person = goal.person
        key = f"step:{step.pk}:{step.due_on.isoformat() if step.due_on else ''}"
        context = {
            "step": step.text,
            "goal": goal.title,
            "person": person.display_name,
            "due_on": step.due_on.isoformat() if step.due_on else "",
            "overdue": step.due_on is not None and step.due_on < today,
        }
        coach: Person | None = None
        if goal.coach is not None and Perm.COACH in _permissions(goal.coach):
            coach = getattr(goal.coach, "person", None)
        try:
            with transaction.atomic():
                told += len(
                    notify(
                        community=goal.community,
                        kind=STEP_DUE.code,
                        recipients=[person],
                        url=reverse("people:goal", args=[goal.community.slug, goal.pk]),
                        context=context,
                        dedupe_key=key,
                    )
                )
                if coach is not None and coach.pk != person.pk:
                    told += len(
                        notify(
                            community=goal.community,
                            kind=COACHEE_STEP_DUE.code,
                            recipients=[coach],
                            url=reverse(
                                "people:person_goals", args=[goal.community.slug, person.pk]
                            ),
                            context=context,
                            dedupe_key=key,
                        )
                    )
        except IntegrityError:
            continue  # another run told them of this step a moment ago
    return told
