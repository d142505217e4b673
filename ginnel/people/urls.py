from django.urls import path

from ginnel.people import views

app_name = "people"

urlpatterns = [
    path("me/goals/", views.goals, name="goals"),
    path("me/notes/", views.notes, name="notes"),
    path("me/consents/", views.consents, name="consents"),
    path("me/strengths/", views.strengths, name="strengths"),
    path("me/strengths/<slug:step>/", views.strengths, name="strengths_step"),
    path("me/profile/", views.profile, name="profile"),
    path("me/then-and-now/", views.then_and_now, name="then_and_now"),
    path("me/strengths-again/", views.strengths_again, name="strengths_again"),
    path("members/<int:person_id>/about/", views.person_about, name="about"),
    path("members/<int:person_id>/strengths/", views.strengths, name="person_strengths"),
    path(
        "members/<int:person_id>/strengths/<slug:step>/",
        views.strengths,
        name="person_strengths_step",
    ),
    path("goals/<int:goal_id>/", views.goal, name="goal"),
    path("steps/<int:step_id>/tick/", views.step_tick, name="step_tick"),
    path("members/<int:person_id>/goals/", views.goals, name="person_goals"),
    path("members/<int:person_id>/notes/", views.note_add, name="note_add"),
]
