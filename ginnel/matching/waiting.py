"""Matching's part of "waiting for you": introductions.

A member sees the introductions asked for them that a coordinator is still
arranging, and those made to them in the last month (one asked for with them
as the other person stays unseen until it is made: they are spoken to
first). A coordinator sees every introduction waiting to be made. One
aggregate query, whatever the number of introductions.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from ginnel.communities.permissions import Access, Perm
from ginnel.communities.waiting import Section, WaitingItem
from ginnel.matching.models import Introduction, IntroductionState

# An introduction made to someone stays on their home page for this long.
MADE_SHOWN_FOR = timedelta(days=30)


def matching_waiting(*, access: Access) -> list[WaitingItem]:
    if access.membership is None:
        return []
    me = access.membership.person
    slug = access.community.slug
    requested = Q(state=IntroductionState.REQUESTED)
    made = Q(state=IntroductionState.MADE, decided_at__gte=timezone.now() - MADE_SHOWN_FOR)
    counts = Introduction.objects.filter(community=access.community).aggregate(
        asked_for_me=Count("id", filter=requested & Q(person=me)),
        made_for_me=Count("id", filter=made & (Q(person=me) | Q(other=me))),
        to_make=Count("id", filter=requested),
    )
    mine = reverse("matching:my_introductions", args=[slug])
    items = []
    if counts["asked_for_me"]:
        items.append(
            WaitingItem(
                section=Section.YOURS,
                text=ngettext(
                    "%(count)d introduction for you being arranged by a coordinator",
                    "%(count)d introductions for you being arranged by a coordinator",
                    counts["asked_for_me"],
                )
                % {"count": counts["asked_for_me"]},
                count=counts["asked_for_me"],
                url=mine,
                order=30,
            )
        )
    if counts["made_for_me"]:
        items.append(
            WaitingItem(
                section=Section.YOURS,
                text=ngettext(
                    "%(count)d new introduction: someone to get in touch with",
                    "%(count)d new introductions: people to get in touch with",
                    counts["made_for_me"],
                )
                % {"count": counts["made_for_me"]},
                count=counts["made_for_me"],
                url=mine,
                order=31,
            )
        )
    if access.can(Perm.COORDINATE_TIMEBANK) and counts["to_make"]:
        items.append(
            WaitingItem(
                section=Section.QUEUES,
                text=ngettext(
                    "%(count)d introduction to make",
                    "%(count)d introductions to make",
                    counts["to_make"],
                )
                % {"count": counts["to_make"]},
                count=counts["to_make"],
                url=reverse("matching:introductions", args=[slug]),
                order=30,
            )
        )
    return items
