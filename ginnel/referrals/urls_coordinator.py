"""Referral pages: the coordinator part (included by ``ginnel.referrals.urls``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from ginnel.referrals import views_coordinator as views

urlpatterns: list[URLPattern] = [
    path("allocate/", views.allocate, name="allocate"),
    path("allocate/<int:referral_id>/give/", views.give, name="give"),
    path("allocate/<int:referral_id>/move/", views.move, name="move"),
    path("settings/", views.settings, name="settings"),
    path("settings/reasons/<int:reason_id>/retire/", views.reason_retire, name="reason_retire"),
    path(
        "settings/questionnaires/<int:questionnaire_id>/",
        views.questionnaire_switch,
        name="questionnaire_switch",
    ),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/<int:organisation_id>/", views.organisation, name="organisation"),
]
