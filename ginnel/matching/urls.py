from django.urls import path

from ginnel.matching import views

app_name = "matching"

urlpatterns = [
    path("not-for-me/", views.dismiss, name="dismiss"),
    path("hidden/", views.hidden, name="hidden"),
    path("hidden/<int:dismissal_id>/show-again/", views.restore, name="restore"),
    path("introduce/", views.introduce, name="introduce"),
    path("introductions/", views.introductions, name="introductions"),
    path(
        "introductions/<int:introduction_id>/decide/",
        views.introduction_decide,
        name="introduction_decide",
    ),
    path("introductions/yours/", views.my_introductions, name="my_introductions"),
    path("people/<int:person_id>/block/", views.block, name="block"),
    path("people/<int:person_id>/unblock/", views.unblock, name="unblock"),
]
