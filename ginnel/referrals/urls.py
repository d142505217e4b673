"""Pages under ``/c/<community>/referrals/``: each area of the app keeps its own list."""

from django.urls import path

from ginnel.referrals import (
    urls_case,
    urls_connections,
    urls_coordinator,
    urls_fhir_pages,
    urls_intake,
    urls_letters,
    urls_person,
    urls_reports,
    views,
)

app_name = "referrals"

urlpatterns = [
    path("caseload/", views.caseload, name="caseload"),
    *urls_intake.urlpatterns,
    *urls_case.urlpatterns,
    *urls_person.urlpatterns,
    *urls_connections.urlpatterns,
    *urls_letters.urlpatterns,
    *urls_coordinator.urlpatterns,
    *urls_reports.urlpatterns,
    *urls_fhir_pages.urlpatterns,
]
