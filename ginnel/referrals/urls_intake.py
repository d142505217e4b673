"""Referral pages: the intake part (included by ``ginnel.referrals.urls``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from ginnel.referrals import views_intake

urlpatterns: list[URLPattern] = [
    path("refer/", views_intake.refer_someone, name="refer_someone"),
    path("refer/me/", views_intake.refer_me, name="refer_me"),
    path("refer/people/", views_intake.refer_person_search, name="refer_person_search"),
    path("refer/sent/<int:referral_id>/", views_intake.refer_sent, name="refer_sent"),
    path(
        "refer/from-organisation/",
        views_intake.refer_from_organisation,
        name="refer_from_organisation",
    ),
    path(
        "refer/from-organisation/sent/<int:referral_id>/",
        views_intake.refer_from_organisation_sent,
        name="refer_from_organisation_sent",
    ),
]
