from __future__ import annotations

from django import template
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from ginnel.timebank.ledger import format_minutes

register = template.Library()

#: What each logged timebank action is called on the coordinator's page.
ACTION_LABELS: dict[str, Promise] = {
    "agreed_on_behalf": gettext_lazy("Agreed on behalf of a member"),
    "brokered": gettext_lazy("Suggested an exchange"),
    "cancelled_on_behalf": gettext_lazy("Cancelled on behalf of a member"),
    "category_renamed": gettext_lazy("Renamed a category"),
    "category_retired": gettext_lazy("Retired a category"),
    "category_restored": gettext_lazy("Brought back a category"),
    "claim_declined": gettext_lazy("Declined recorded hours"),
    "claim_rejected": gettext_lazy("Rejected recorded hours"),
    "claim_withdrawn": gettext_lazy("Withdrew recorded hours"),
    "confirmed_on_behalf": gettext_lazy("Confirmed on behalf of a member"),
    "group_activity": gettext_lazy("Recorded a group activity"),
    "limits_set": gettext_lazy("Set the balance limits"),
    "listing_closed": gettext_lazy("Closed an offer or request"),
    "organisation_account_added": gettext_lazy("Added an organisation"),
    "organisation_time": gettext_lazy("Recorded time with an organisation"),
    "proposed_for": gettext_lazy("Proposed an exchange for a member"),
    "recorded_on_behalf": gettext_lazy("Recorded time on behalf of a member"),
    "reversed": gettext_lazy("Reversed confirmed hours"),
    "safeguarding_set": gettext_lazy("Updated a safeguarding record"),
}


@register.filter
def hours(minutes: int | None) -> str:
    """Whole minutes as hours:minutes, signed for balances (−2:00, +1:30)."""
    return format_minutes(int(minutes or 0))


@register.filter
def title_action(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action.replace("_", " ").capitalize()


@register.filter
def duration(minutes: int | None) -> str:
    """Whole minutes as an unsigned duration: 90 → 1:30."""
    return format_minutes(abs(int(minutes or 0))).lstrip("+")
