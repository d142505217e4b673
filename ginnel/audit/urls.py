from django.urls import URLPattern, path

app_name = "audit"

urlpatterns: list[URLPattern] = []
