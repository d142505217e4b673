"""Notification pages: the inbox part (included by ``ginnel.notifications.urls``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from ginnel.notifications import views_inbox

urlpatterns: list[URLPattern] = [
    path("", views_inbox.inbox, name="inbox"),
    path("read/", views_inbox.read_all, name="read_all"),
    path("<int:notification_id>/open/", views_inbox.open_notification, name="open"),
    path("<int:notification_id>/read/", views_inbox.read, name="read"),
]
