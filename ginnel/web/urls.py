from django.urls import path

from ginnel.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("switch/", views.switch, name="switch"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("c/<slug:community>/", views.community_home, name="community_home"),
    path("c/<slug:community>/members/<int:person_id>/", views.person, name="person"),
    path("c/<slug:community>/insights/", views.insights, name="insights"),
]
