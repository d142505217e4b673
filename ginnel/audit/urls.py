from django.urls import URLPattern, path

from ginnel.audit import views

app_name = "audit"

urlpatterns: list[URLPattern] = [
    path("", views.my_data, name="my_data"),
    path("my-data.json", views.my_data_json, name="my_data_json"),
    path("view/", views.my_data_view, name="my_data_view"),
    path("people/<int:person_id>/", views.person_data, name="person_data"),
]
