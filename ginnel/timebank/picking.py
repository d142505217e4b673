"""Choosing a member in the timebank's forms: a search, never a list of everyone.

The people come from ``communities.selectors.people_search`` (scoped to the
community and to what the asker may see); the timebank adds what only it
knows: when the asker last exchanged time with each person, so recent
partners come first and say "you exchanged on 3 May".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ginnel.communities.permissions import Access
from ginnel.communities.selectors import PersonMatch, people_search
from ginnel.people.models import Person
from ginnel.timebank.models import Exchange, ExchangeState
from ginnel.ui.ids import is_id
from ginnel.ui.picker import Match, PickerField

#: The forms whose people can be searched as one types (the key is in the search address).
MEMBER_FORMS = ("record", "donate")
COORDINATOR_FORMS = ("broker", "on_behalf", "group", "organisation_time")


def last_exchanged_with(me: Person) -> Subquery:
    """The last day ``me`` gave or received time with each person (OuterRef("pk"))."""
    return Subquery(
        Exchange.objects.filter(
            community_id=me.community_id,
            state__in=(ExchangeState.COMPLETED, ExchangeState.CONFIRMED),
            happened_on__isnull=False,
        )
        .filter(Q(giver=me, receiver=OuterRef("pk")) | Q(receiver=me, giver=OuterRef("pk")))
        .order_by("-happened_on")
        .values("happened_on")[:1]
    )


def as_match(found: PersonMatch) -> Match:
    details: list[str] = []
    if found.neighbourhood:
        details.append(found.neighbourhood)
    if found.email_name:
        details.append(_("email %(start)s@…") % {"start": found.email_name})
    else:
        details.append(_("member no. %(number)s") % {"number": found.member_number})
    if found.recent_on is not None:
        shown = date_format(
            found.recent_on,
            "j F" if found.recent_on.year == timezone.localdate().year else "j F Y",
        )
        details.append(_("you exchanged on %(date)s") % {"date": shown})
    return Match(
        value=str(found.person.pk),
        label=found.person.display_name,
        details=tuple(details),
        obj=found.person,
    )


def person_field(
    *,
    access: Access,
    form_key: str,
    label: str,
    required_message: str,
    not_chosen_message: str,
    me: Person | None = None,
    exclude: Person | None = None,
    multiple: bool = False,
    **kwargs: Any,
) -> PickerField:
    """A member picker for one field of a timebank form.

    ``me``: whose exchanges put people first and show "you exchanged on…" (the
    asker, on their own forms). ``exclude``: someone who cannot be chosen.
    """
    recent = last_exchanged_with(me) if me is not None else None
    exclude_ids = [exclude.pk] if exclude is not None else []

    def search(text: str, limit: int) -> list[Match]:
        return [
            as_match(m)
            for m in people_search(
                access=access, text=text, exclude_ids=exclude_ids, limit=limit + 1, recent=recent
            )
        ]

    def get(values: Sequence[str]) -> list[Match]:
        ids = [int(v) for v in values if is_id(v)]
        if not ids:
            return []
        return [
            as_match(m)
            for m in people_search(
                access=access, ids=ids, exclude_ids=exclude_ids, limit=len(ids), recent=recent
            )
        ]

    return PickerField(
        search=search,
        get=get,
        search_url=reverse("timebank:person_search", args=[access.community.slug, form_key]),
        multiple=multiple,
        label=label,
        error_messages={
            "required": required_message,
            "not_chosen": not_chosen_message,
            "no_match": _(
                "No member's name matches what you typed. Check the spelling, "
                "or type part of the name."
            ),
            "invalid_choice": _(
                "That person cannot be chosen here. Search again and choose from the list."
            ),
        },
        **kwargs,
    )
