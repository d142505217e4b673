from django.urls import path

from ginnel.matching import views

app_name = "matching"

urlpatterns = [
    path("not-for-me/", views.dismiss, name="dismiss"),
    path("hidden/", views.hidden, name="hidden"),
    path("hidden/<int:dismissal_id>/show-again/", views.restore, name="restore"),
    path("introduce/", views.introduce, name="introduce"),
    path("people/<int:person_id>/block/", views.block, name="block"),
    path("people/<int:person_id>/unblock/", views.unblock, name="unblock"),
]
