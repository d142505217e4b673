"""Anonymous counts of goals for analysts: no names, and small numbers suppressed."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import TruncQuarter
from django.utils.translation import gettext as _

from ginnel.communities.permissions import Access, Perm, require
from ginnel.people.models import Goal, GoalStatus

#: Counts below this are shown as "fewer than 5", so no one can be picked out.
SMALLEST = 5


@dataclass(frozen=True)
class GoalCount:
    quarter: str
    neighbourhood: str
    set: int
    reached: int

    @property
    def set_shown(self) -> str:
        return _shown(self.set)

    @property
    def reached_shown(self) -> str:
        return _shown(self.reached)


def _shown(value: int) -> str:
    if value == 0 or value >= SMALLEST:
        return str(value)
    return _("fewer than %(smallest)s") % {"smallest": SMALLEST}


def goal_counts(*, access: Access) -> list[GoalCount]:
    """Goals set, and goals reached, per neighbourhood per quarter (by when set)."""
    require(access, Perm.VIEW_INSIGHTS)
    rows = (
        Goal.objects.filter(community=access.community)
        .annotate(quarter=TruncQuarter("created_at"))
        .values("quarter", "person__neighbourhood__name")
        .annotate(total=Count("id"), reached=Count("id", filter=Q(status=GoalStatus.REACHED)))
        .order_by("-quarter", "person__neighbourhood__name")
    )
    counts = []
    for row in rows:
        start = row["quarter"]
        quarter = _("%(year)s Q%(quarter)s") % {
            "year": start.year,
            "quarter": (start.month - 1) // 3 + 1,
        }
        counts.append(
            GoalCount(
                quarter=quarter,
                neighbourhood=row["person__neighbourhood__name"] or _("Not given"),
                set=row["total"],
                reached=row["reached"],
            )
        )
    return counts
