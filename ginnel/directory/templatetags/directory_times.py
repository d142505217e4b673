"""Template filters for times as people write them: {{ event.starts_at|clock }} → "2.30pm"."""

from __future__ import annotations

from datetime import datetime, time

from django import template
from django.utils import timezone

from ginnel.directory import wording

register = template.Library()


@register.filter
def clock(value: datetime | time | None) -> str:
    """ "2pm", "2.30pm", "12 noon": a time, or a date-time's local time."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).time() if timezone.is_aware(value) else value.time()
    return wording.clock(value)


@register.filter
def hours(start: datetime | time, end: datetime | time) -> str:
    """ "2pm to 4.30pm"."""
    return wording.hours(_time(start), _time(end))


def _time(value: datetime | time) -> time:
    if isinstance(value, datetime):
        return timezone.localtime(value).time() if timezone.is_aware(value) else value.time()
    return value
