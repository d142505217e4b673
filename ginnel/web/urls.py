from django.urls import path

from ginnel.web import accounts, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("switch/", views.switch, name="switch"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/forgotten/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/new/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/changed/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("account/password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path(
        "account/password/done/",
        accounts.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("email-check/send/", views.email_check_send, name="email_check_send"),
    path("email-check/<str:token>/", views.email_check_open, name="email_check"),
    path("c/<slug:community>/", views.community_home, name="community_home"),
    path("c/<slug:community>/welcome/", views.welcome, name="welcome"),
    path("c/<slug:community>/welcome/<int:step>/", views.welcome, name="welcome_step"),
    path("c/<slug:community>/members/<int:person_id>/", views.person, name="person"),
    path("c/<slug:community>/insights/", views.insights, name="insights"),
]
