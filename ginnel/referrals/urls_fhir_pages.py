"""Referral pages: a coordinator's FHIR intake tokens (included by ``ginnel.referrals.urls``)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
