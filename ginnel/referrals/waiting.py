"""Referrals' part of "waiting for you", one count query each.

- For the person referred: a wellbeing questionnaire to answer (the start,
  once accepted; a follow-up their link worker arranged that has come due),
  linking to their own record.
- For a link worker: new referrals given to them that nobody has tried to
  contact yet (the caseload's "new" part), linking to the caseload.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import ngettext

from ginnel.communities.permissions import Access, Perm
from ginnel.communities.waiting import Section, WaitingItem
from ginnel.referrals.models import Referral, ReferralState
from ginnel.referrals.selectors_person import questionnaires_due_count


def referrals_waiting(*, access: Access) -> list[WaitingItem]:
    if access.membership is None or not access.is_member:
        return []
    items: list[WaitingItem] = []
    due = questionnaires_due_count(access=access)
    if due:
        items.append(
            WaitingItem(
                section=Section.YOURS,
                text=ngettext(
                    "A wellbeing questionnaire to answer",
                    "Wellbeing questionnaires to answer for %(count)d of your referrals",
                    due,
                )
                % {"count": due},
                count=due,
                url=reverse("referrals:mine", args=[access.community.slug]),
                order=30,
            )
        )
    if access.can(Perm.WORK_REFERRALS):
        new = Referral.objects.filter(
            community=access.community,
            link_worker=access.membership,
            state=ReferralState.ACCEPTED,
            failed_contacts=0,
        ).count()
        if new:
            items.append(
                WaitingItem(
                    section=Section.QUEUES,
                    text=ngettext(
                        "%(count)d new referral given to you",
                        "%(count)d new referrals given to you",
                        new,
                    )
                    % {"count": new},
                    count=new,
                    url=reverse("referrals:caseload", args=[access.community.slug])
                    + "?section=new",
                    order=20,
                )
            )
    return items
