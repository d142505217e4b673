"""The Open Referral UK API (read only), per community, under ``/api/oruk/<community>/``."""

from django.urls import URLPattern

app_name = "oruk"

urlpatterns: list[URLPattern] = []
