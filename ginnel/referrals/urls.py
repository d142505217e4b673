from django.urls import path

from ginnel.referrals import views

app_name = "referrals"

urlpatterns = [
    path("caseload/", views.caseload, name="caseload"),
]
