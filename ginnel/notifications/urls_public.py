"""Pages outside any community: one-click unsubscribe from an email (no login)."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "notifications_public"

urlpatterns: list[URLPattern] = []
