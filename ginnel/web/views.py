"""Pages outside any one community: the front page, logging in and out, switching."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from ginnel.communities import selectors as community_selectors
from ginnel.communities.permissions import Access, Perm, community_view
from ginnel.communities.selectors import communities_of, communities_open_to_join
from ginnel.matching.selectors import connections_for, suggestions_home
from ginnel.people.models import StrengthsProfile
from ginnel.people.selectors import goal_counts


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        mine = list(communities_of(request.user))
        last = request.session.get("community")
        chosen = next((c for c in mine if c.slug == last), None)
        if chosen is None and len(mine) == 1:
            chosen = mine[0]
        if chosen is not None:
            return redirect("web:community_home", community=chosen.slug)
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
    return redirect("web:community_home", community=slug)


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


# Pages of one community that combine capabilities: the community's home page,
# a person's page and the insights page. The tenancy app knows no capability,
# so these live here.


@community_view(Perm.VIEW_COMMUNITY)
def community_home(request: HttpRequest, access: Access) -> HttpResponse:
    pending = (
        community_selectors.applications_pending(access=access).count()
        if access.can(Perm.DECIDE_APPLICATIONS)
        else 0
    )
    told_us = StrengthsProfile.objects.filter(
        person__membership=access.membership, completed_at__isnull=False
    ).exists()
    return render(
        request,
        "web/community_home.html",
        {
            "access": access,
            "pending": pending,
            "told_us": told_us,
            "sections": suggestions_home(access=access),
        },
    )


@community_view(Perm.VIEW_MEMBERS)
def person(request: HttpRequest, access: Access, person_id: int) -> HttpResponse:
    shown = community_selectors.member_get(access=access, person_id=person_id)
    if shown is None:
        raise Http404("There is no such person in this community.")
    sections = connections_for(access=access, person=shown) if access.can(Perm.COACH) else []
    return render(
        request,
        "web/person.html",
        {"access": access, "person": shown, "sections": sections},
    )


@community_view(Perm.VIEW_INSIGHTS)
def insights(request: HttpRequest, access: Access) -> HttpResponse:
    return render(
        request,
        "web/insights.html",
        {
            "access": access,
            "insights": community_selectors.insights(access=access),
            "goals": goal_counts(access=access),
        },
    )
