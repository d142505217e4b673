"""Referral pages: the case part (included by ``ginnel.referrals.urls``).

One referral's page, and each step of its workflow posting to its own address.
"""

from __future__ import annotations

from django.urls import URLPattern, path

from ginnel.referrals import views_case

urlpatterns: list[URLPattern] = [
    path("<int:pk>/", views_case.case, name="case"),
    path("<int:pk>/accept/", views_case.accept, name="case_accept"),
    path("<int:pk>/decline/", views_case.decline, name="case_decline"),
    path("<int:pk>/redirect/", views_case.redirect_to_service, name="case_redirect"),
    path("<int:pk>/contact/", views_case.contact, name="case_contact"),
    path("<int:pk>/conversation/", views_case.conversation, name="case_conversation"),
    path("<int:pk>/follow-ups/", views_case.follow_up, name="case_follow_up"),
    path(
        "<int:pk>/follow-ups/<int:follow_up_id>/done/",
        views_case.follow_up_done,
        name="case_follow_up_done",
    ),
    path("<int:pk>/close/", views_case.close, name="case_close"),
    path("<int:pk>/reassign/", views_case.reassign, name="case_reassign"),
    path("<int:pk>/events/<int:event_id>/correct/", views_case.correct, name="case_correct"),
]
