"""The header's count of unread notifications.

``{% load inbox %}{% unread_notifications access as n %}``
"""

from __future__ import annotations

from django import template

from ginnel.communities.permissions import Access
from ginnel.notifications.waiting import unread_for_page

register = template.Library()


@register.simple_tag
def unread_notifications(access: Access | None) -> int:
    """The asker's unread notifications in this community (one COUNT query a page)."""
    if access is None:
        return 0
    return unread_for_page(access=access)
