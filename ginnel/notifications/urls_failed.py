"""Notification pages: the failed part (included by ``ginnel.notifications.urls``)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
