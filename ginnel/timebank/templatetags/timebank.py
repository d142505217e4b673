from __future__ import annotations

from django import template

from ginnel.timebank.ledger import format_minutes

register = template.Library()


@register.filter
def hours(minutes: int | None) -> str:
    """Whole minutes as hours:minutes, signed for balances (−2:00, +1:30)."""
    return format_minutes(int(minutes or 0))


@register.filter
def title_action(action: str) -> str:
    return action.replace("_", " ").capitalize()


@register.filter
def duration(minutes: int | None) -> str:
    """Whole minutes as an unsigned duration: 90 → 1:30."""
    return format_minutes(abs(int(minutes or 0))).lstrip("+")
