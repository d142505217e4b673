"""Referral pages: the case part (included by ``ginnel.referrals.urls``)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
