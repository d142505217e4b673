"""Referral pages: a coordinator's FHIR intake tokens (included by ``ginnel.referrals.urls``)."""

from __future__ import annotations

from django.urls import path

from ginnel.referrals import tokens_views

urlpatterns = [
    path("tokens/", tokens_views.tokens_page, name="tokens"),
    path("tokens/<int:pk>/revoke/", tokens_views.token_revoke, name="token_revoke"),
]
