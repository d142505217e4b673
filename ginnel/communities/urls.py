from django.urls import path

from ginnel.communities import views

app_name = "communities"

urlpatterns = [
    path("join/", views.join, name="join"),
    path("join/<str:token>/", views.join, name="join_invited"),
    path("me/", views.me, name="me"),
    path("leave/", views.leave, name="leave"),
    path("members/", views.members, name="members"),
    path("members/new/", views.member_new, name="member_new"),
    path("members/<int:person_id>/roles/", views.member_roles, name="member_roles"),
    path(
        "members/<int:person_id>/invite-to-claim/",
        views.claim_invitation,
        name="claim_invitation",
    ),
    path("applications/", views.applications, name="applications"),
    path(
        "applications/<int:membership_id>/decide/",
        views.application_decide,
        name="application_decide",
    ),
    path("invitations/", views.invitations, name="invitations"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/neighbourhoods/", views.neighbourhood_add, name="neighbourhood_add"),
    path(
        "settings/neighbourhoods/<int:neighbourhood_id>/",
        views.neighbourhood_edit,
        name="neighbourhood_edit",
    ),
    path(
        "settings/neighbourhoods/<int:neighbourhood_id>/retire/",
        views.neighbourhood_retire,
        name="neighbourhood_retire",
    ),
]
