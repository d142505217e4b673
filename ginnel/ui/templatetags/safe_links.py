"""``{{ value|safe_href }}``: a stored address as an ``href``, or "" when it may not be a link.

Every ``href`` built from a stored value (a service's website, an event's online
link…) goes through this filter, so an address stored before the rule, or by any
path that missed it, is never a ``javascript:`` link. See ``ginnel.ui.urls_safe``.
"""

from __future__ import annotations

from typing import Any

from django import template

from ginnel.ui.urls_safe import safe_url

register = template.Library()


@register.filter
def safe_href(value: Any) -> str:
    return safe_url(value) or ""
