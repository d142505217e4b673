"""Referral pages: the person part (included by ``ginnel.referrals.urls``).

A referral's wellbeing questionnaires for its link worker and coordinators, and
the person's own record with the questionnaires they answer themselves.
"""

from __future__ import annotations

from django.urls import URLPattern, path

from ginnel.referrals import views_person

urlpatterns: list[URLPattern] = [
    path("<int:pk>/wellbeing/", views_person.wellbeing, name="wellbeing"),
    path(
        "<int:pk>/wellbeing/<slug:code>/",
        views_person.wellbeing_record,
        name="wellbeing_record",
    ),
    path("mine/", views_person.mine, name="mine"),
    path("mine/<int:pk>/<slug:code>/", views_person.mine_answer, name="mine_answer"),
]
