"""Notification pages: the failed part (included by ``ginnel.notifications.urls``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from ginnel.notifications import views_failed

urlpatterns: list[URLPattern] = [
    path("failed/", views_failed.failed, name="failed"),
    path("failed/<int:delivery_id>/retry/", views_failed.failed_retry, name="failed_retry"),
]
