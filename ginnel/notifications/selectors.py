"""Reading the inbox: one page at a time, and the unread count for the header."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from ginnel.communities.permissions import Access
from ginnel.notifications.models import Notification

PER_PAGE = 25


def _mine(access: Access) -> QuerySet[Notification]:
    if access.membership is None:
        return Notification.objects.none()
    return Notification.objects.filter(
        community=access.community, recipient__membership=access.membership
    )


def unread_count(*, access: Access) -> int:
    return _mine(access).filter(read_at__isnull=True).count()


def inbox(*, access: Access, page: int = 1) -> Page[Any]:
    """Unread first, newest first within each."""
    ordered = (
        _mine(access)
        .select_related("actor")
        .annotate(unread=ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField()))
        .order_by("-unread", "-created_at", "-id")
    )
    return Paginator(ordered, PER_PAGE).get_page(page)
