"""Pages outside any one community: the front page, logging in and out, switching,
forgotten passwords and the email check; and the pages of one community that
combine capabilities (home, welcome, a person, insights)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from ginnel.communities import selectors as community_selectors
from ginnel.communities.models import Community
from ginnel.communities.permissions import Access, Perm, access_for, community_view
from ginnel.communities.selectors import communities_applied, communities_of, communities_to_join
from ginnel.communities.waiting import waiting_for
from ginnel.matching.selectors import connections_for, suggestions_home
from ginnel.people import email_check
from ginnel.people.models import StrengthsProfile, User
from ginnel.people.selectors import goal_counts

# How the timebank works, one short screen each, then what to do first.
WELCOME_STEPS = 4
# For this long after joining, the home page offers the welcome screens again.
NEW_FOR = timedelta(days=30)


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
            request,
            "web/choose_community.html",
            {
                "mine": mine,
                "applied": communities_applied(request.user),
                "open": communities_to_join(request.user),
            },
        )
    return render(request, "web/home.html", {"open": communities_to_join(None)})


@require_GET
def switch(request: HttpRequest) -> HttpResponse:
    """The header's community switcher (a GET form, so it works without JavaScript)."""
    if not request.user.is_authenticated:
        return redirect("web:login")
    slug = request.GET.get("community", "")
    if not communities_of(request.user).filter(slug=slug).exists():
        raise PermissionDenied(_("You are not a member of that community."))
    request.session["community"] = slug
    return redirect("web:community_home", community=slug)


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=gettext_lazy("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
        error_messages={
            "required": gettext_lazy("Enter your email address"),
            "invalid": gettext_lazy(
                "Enter an email address in the correct format, like name@example.com"
            ),
        },
    )
    error_messages = {
        "invalid_login": gettext_lazy(
            "The email address or password is not right. "
            "Check them and try again; passwords are case-sensitive."
        ),
        "inactive": gettext_lazy("This account has been closed."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Password")
        self.fields["password"].error_messages["required"] = _("Enter your password")


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
        messages.success(request, _("You have logged out."))
        return response


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)


# Forgotten passwords: Django's reset flow in the house templates. The answer is the
# same whether or not an account has the address, so no one can learn who has one.


class ResetRequestForm(PasswordResetForm):
    email = forms.EmailField(
        label=gettext_lazy("Email address"),
        max_length=254,
        help_text=gettext_lazy("The address you log in with."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": gettext_lazy("Enter your email address"),
            "invalid": gettext_lazy(
                "Enter an email address in the correct format, like name@example.com"
            ),
        },
    )


class NewPasswordForm(SetPasswordForm):  # type: ignore[type-arg]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        first, second = self.fields["new_password1"], self.fields["new_password2"]
        first.label = _("New password")
        first.help_text = _("At least 10 characters. A few words you will remember works well.")
        first.error_messages["required"] = _("Enter a new password")
        second.label = _("New password again")
        second.help_text = ""
        second.error_messages["required"] = _("Enter the new password again")
        self.error_messages = {
            **self.error_messages,
            "password_mismatch": _("The two passwords are not the same. Enter them again."),
        }


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "web/password_reset.html"
    form_class = ResetRequestForm
    email_template_name = "web/password_reset_email.txt"
    subject_template_name = "web/password_reset_subject.txt"
    success_url = reverse_lazy("web:password_reset_done")

    def form_invalid(self, form: PasswordResetForm) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "web/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "web/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("web:password_reset_complete")

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:  # type: ignore[type-arg]
        response = super().form_valid(form)
        # The reset link reached this address, which shows the address is theirs.
        User.objects.filter(pk=form.user.pk).update(email_verified=True)
        return response

    def form_invalid(self, form: SetPasswordForm) -> HttpResponse:  # type: ignore[type-arg]
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "web/password_reset_complete.html"


# The email check: a link emailed at sign-up (people/email_check.py).


def email_check_link(request: HttpRequest, user: User) -> str:
    return request.build_absolute_uri(
        reverse("web:email_check", args=[email_check.check_token(user)])
    )


@require_GET
def email_check_open(request: HttpRequest, token: str) -> HttpResponse:
    user = email_check.email_confirm(token=token)
    if user is None:
        return render(request, "web/email_check_failed.html", status=400)
    return render(request, "web/email_check_done.html", {"checked": user})


@require_POST
def email_check_send(request: HttpRequest) -> HttpResponse:
    """Send the checking link again, to the logged-in person's own address."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("web:home"))
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (our only user model)
    if user.email_verified:
        messages.success(request, _("Your email address is already checked."))
    else:
        email_check.check_send(user=user, link=email_check_link(request, user))
        messages.success(
            request,
            _("We have sent a new link to %(email)s. It works for a week.") % {"email": user.email},
        )
    return redirect("web:home")


# Pages of one community that combine capabilities: the community's home page,
# the welcome screens, a person's page and the insights page. The tenancy app
# knows no capability, so these live here.


def community_home(request: HttpRequest, community: str) -> HttpResponse:
    """The home page; an applicant sees where their application stands instead of a refusal."""
    found = get_object_or_404(Community, slug=community)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    access = access_for(request.user, found)
    if not access.can(Perm.VIEW_COMMUNITY):
        if access.membership is not None:
            return render(
                request,
                "communities/join_status.html",
                {"community": found, "membership": access.membership},
            )
        raise PermissionDenied(_("You are not a member of this community."))
    if request.session.get("community") != found.slug:
        request.session["community"] = found.slug  # where "/" takes them next time
    told_us = StrengthsProfile.objects.filter(
        person__membership=access.membership, completed_at__isnull=False
    ).exists()
    return render(
        request,
        "web/community_home.html",
        {
            "access": access,
            "waiting": waiting_for(access=access),
            "told_us": told_us,
            "new_here": access.membership is not None
            and access.membership.created_at >= timezone.now() - NEW_FOR,
            "sections": suggestions_home(access=access),
        },
    )


@community_view(Perm.VIEW_COMMUNITY)
@require_GET
def welcome(request: HttpRequest, access: Access, step: int = 1) -> HttpResponse:
    """How the timebank works in three short screens, then what to do first; skippable."""
    if not 1 <= step <= WELCOME_STEPS:
        raise Http404(_("There is no such page."))
    return render(
        request,
        f"web/welcome_{step}.html",
        {
            "access": access,
            "step": step,
            "steps": WELCOME_STEPS,
            "next_step": step + 1 if step < WELCOME_STEPS else None,
        },
    )


@community_view(Perm.VIEW_MEMBERS)
def person(request: HttpRequest, access: Access, person_id: int) -> HttpResponse:
    shown = community_selectors.member_get(access=access, person_id=person_id)
    if shown is None:
        raise Http404(_("There is no such person in this community."))
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
            "exact": community_selectors.counts_exact(access),
        },
    )
