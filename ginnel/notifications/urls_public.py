"""Pages outside any community: one-click unsubscribe from an email (no login)."""

from __future__ import annotations

from django.urls import URLPattern, path

from ginnel.notifications import views_public

app_name = "notifications_public"

urlpatterns: list[URLPattern] = [
    path("unsubscribe/<str:token>/", views_public.unsubscribe, name="unsubscribe"),
]
