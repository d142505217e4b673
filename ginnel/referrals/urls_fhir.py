"""The FHIR intake API under ``/api/fhir/<community>/`` (bearer-token, not session)."""

from __future__ import annotations

from django.urls import path

from ginnel.referrals import api_fhir

app_name = "fhir"

urlpatterns = [
    path("ServiceRequest", api_fhir.service_request_create, name="service_requests"),
    path("ServiceRequest/<str:pk>", api_fhir.service_request_detail, name="service_request"),
    path("$process-message", api_fhir.process_message, name="process_message"),
]
