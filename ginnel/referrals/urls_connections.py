"""Referral pages: the connections part (included by ``ginnel.referrals.urls``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from ginnel.referrals import views_connections as views

urlpatterns: list[URLPattern] = [
    path("<int:pk>/connections/", views.connections, name="connections"),
    path("<int:pk>/connections/record/", views.connection_record, name="connection_record"),
    path(
        "<int:pk>/connections/<int:connection_id>/outcome/",
        views.connection_outcome,
        name="connection_outcome",
    ),
    path(
        "<int:pk>/connections/propose/<int:listing_id>/",
        views.connection_propose,
        name="connection_propose",
    ),
]
