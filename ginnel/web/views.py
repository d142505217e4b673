"""Pages outside any one community: the front page, logging in and out, switching."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from ginnel.communities.selectors import communities_of, communities_open_to_join


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        mine = list(communities_of(request.user))
        last = request.session.get("community")
        chosen = next((c for c in mine if c.slug == last), None)
        if chosen is None and len(mine) == 1:
            chosen = mine[0]
        if chosen is not None:
            return redirect("communities:home", community=chosen.slug)
        return render(
            request, "web/choose_community.html", {"mine": mine, "open": communities_open_to_join()}
        )
    return render(request, "web/home.html", {"open": communities_open_to_join()})


@require_GET
def switch(request: HttpRequest) -> HttpResponse:
    """The header's community switcher (a GET form, so it works without JavaScript)."""
    if not request.user.is_authenticated:
        return redirect("web:login")
    slug = request.GET.get("community", "")
    if not communities_of(request.user).filter(slug=slug).exists():
        raise PermissionDenied("You are not a member of that community.")
    request.session["community"] = slug
    return redirect("communities:home", community=slug)


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": "The email address or password is not right. "
        "Check them and try again; passwords are case-sensitive.",
        "inactive": "This account has been closed.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].label = "Password"


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.success(request, "You have logged out.")
        return response


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)
