"""Referral pages: the reports part (included by ``ginnel.referrals.urls``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from ginnel.referrals import views_reports

urlpatterns: list[URLPattern] = [
    path("report/", views_reports.report, name="report"),
    path("report.csv", views_reports.report_csv, name="report_csv"),
]
