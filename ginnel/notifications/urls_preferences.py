"""Notification pages: the preferences part (included by ``ginnel.notifications.urls``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from ginnel.notifications import views_preferences

urlpatterns: list[URLPattern] = [
    path("preferences/", views_preferences.preferences, name="preferences"),
    path(
        "people/<int:person_id>/",
        views_preferences.person_preferences,
        name="person_preferences",
    ),
]
