from django.urls import path

from ginnel.network import views

app_name = "network"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("measures.csv", views.export_csv, name="csv"),
    path("network.graphml", views.export_graphml, name="graphml"),
]
