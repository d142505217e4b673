"""The timebank's part of "waiting for you" on the community home page.

A member's balance; hours someone else recorded with them, waiting for their
confirmation (a claim is ``completed`` with ``claimed_by`` the other person);
proposals the other person made, waiting for an answer. For coordinators,
every claim in the community still waiting for confirmation. Each figure is
one aggregate query, whatever the size of the community.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ginnel.communities.permissions import Access, Perm
from ginnel.communities.waiting import Section, WaitingItem
from ginnel.timebank.ledger import balance_of, format_minutes
from ginnel.timebank.models import Exchange, ExchangeState


def timebank_waiting(*, access: Access) -> list[WaitingItem]:
    if not access.can(Perm.USE_TIMEBANK) or access.membership is None:
        return []
    me = access.membership.person
    slug = access.community.slug
    mine = reverse("timebank:mine", args=[slug])
    items = [
        WaitingItem(
            section=Section.GLANCE,
            text=_("Your timebank balance"),
            value=format_minutes(balance_of(me)),
            url=reverse("timebank:statement", args=[slug]),
            order=10,
        )
    ]
    counts = Exchange.objects.filter(
        Q(giver=me) | Q(receiver=me),
        community=access.community,
        state__in=[ExchangeState.COMPLETED, ExchangeState.PROPOSED, ExchangeState.AGREED],
    ).aggregate(
        to_confirm=Count("id", filter=Q(state=ExchangeState.COMPLETED) & ~Q(claimed_by=me)),
        to_answer=Count("id", filter=Q(state=ExchangeState.PROPOSED) & ~Q(proposed_by=me)),
        turned_down=Count(
            "id",
            filter=Q(state=ExchangeState.AGREED, claimed_by=me, claim_declined_by__isnull=False),
        ),
    )
    if counts["to_confirm"]:
        items.append(
            WaitingItem(
                section=Section.YOURS,
                text=ngettext(
                    "%(count)d exchange with hours for you to confirm",
                    "%(count)d exchanges with hours for you to confirm",
                    counts["to_confirm"],
                )
                % {"count": counts["to_confirm"]},
                count=counts["to_confirm"],
                url=mine,
                order=10,
            )
        )
    if counts["turned_down"]:
        items.append(
            WaitingItem(
                section=Section.YOURS,
                text=ngettext(
                    "%(count)d exchange whose hours you recorded were turned down",
                    "%(count)d exchanges whose hours you recorded were turned down",
                    counts["turned_down"],
                )
                % {"count": counts["turned_down"]},
                count=counts["turned_down"],
                url=mine,
                order=15,
            )
        )
    if counts["to_answer"]:
        items.append(
            WaitingItem(
                section=Section.YOURS,
                text=ngettext(
                    "%(count)d proposal for you to answer",
                    "%(count)d proposals for you to answer",
                    counts["to_answer"],
                )
                % {"count": counts["to_answer"]},
                count=counts["to_answer"],
                url=mine,
                order=20,
            )
        )
    if access.can(Perm.COORDINATE_TIMEBANK):
        waiting = Exchange.objects.filter(
            community=access.community, state=ExchangeState.COMPLETED
        ).count()
        if waiting:
            items.append(
                WaitingItem(
                    section=Section.QUEUES,
                    text=ngettext(
                        "%(count)d claim of hours waiting for confirmation",
                        "%(count)d claims of hours waiting for confirmation",
                        waiting,
                    )
                    % {"count": waiting},
                    count=waiting,
                    url=reverse("timebank:coordinate", args=[slug]) + "?days=0",
                    order=20,
                )
            )
    return items
