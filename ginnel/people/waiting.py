"""People's part of "waiting for you": steps of the person's goals that are due.

A step is due when its date has come and it is not done, on a goal the person
is still working on. One count, whatever the number of goals.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from ginnel.communities.permissions import Access
from ginnel.communities.waiting import Section, WaitingItem
from ginnel.people.models import GoalStatus, GoalStep


def people_waiting(*, access: Access) -> list[WaitingItem]:
    if access.membership is None:
        return []
    due = GoalStep.objects.filter(
        goal__community=access.community,
        goal__person=access.membership.person,
        goal__status=GoalStatus.ACTIVE,
        done_at__isnull=True,
        due_on__lte=timezone.localdate(),
    ).count()
    if not due:
        return []
    return [
        WaitingItem(
            section=Section.YOURS,
            text=ngettext(
                "%(count)d step of your goals is due",
                "%(count)d steps of your goals are due",
                due,
            )
            % {"count": due},
            count=due,
            url=reverse("people:goals", args=[access.community.slug]),
            order=40,
        )
    ]
