"""The directory's part of "waiting for you": entries due for review.

A coordinator (``REVIEW_DIRECTORY``) sees every entry of the community due
for review; an organisation editor sees those of the organisations they edit.
One count each, whatever the size of the directory.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import ngettext

from ginnel.communities.permissions import Access, Perm
from ginnel.communities.waiting import Section, WaitingItem
from ginnel.directory.models import Service
from ginnel.directory.selectors.review import review_due_q


def directory_waiting(*, access: Access) -> list[WaitingItem]:
    slug = access.community.slug
    if access.can(Perm.REVIEW_DIRECTORY):
        due = Service.objects.filter(community=access.community).filter(review_due_q()).count()
        url = reverse("directory:review_queue", args=[slug])
    elif access.can(Perm.EDIT_DIRECTORY) and access.membership is not None:
        due = (
            Service.objects.filter(
                community=access.community,
                organization__editors=access.membership.person,
            )
            .filter(review_due_q())
            .values("pk")
            .distinct()
            .count()
        )
        url = reverse("directory:manage_organisations", args=[slug])
    else:
        return []
    if not due:
        return []
    return [
        WaitingItem(
            section=Section.QUEUES,
            text=ngettext(
                "%(count)d directory entry due for review",
                "%(count)d directory entries due for review",
                due,
            )
            % {"count": due},
            count=due,
            url=url,
            order=40,
        )
    ]
