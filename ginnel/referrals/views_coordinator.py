"""A coordinator's referral pages: allocation and rebalancing, settings, organisations.

Each view names its permission (``ALLOCATE_REFERRALS``), parses a form, calls
one service or selector and renders. A refused or bad step re-shows the page
with status 400 and the message by the field; nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ginnel.communities.permissions import Access, Perm, community_view
from ginnel.errors import GinnelError, PermissionRefused
from ginnel.people.models import User
from ginnel.referrals import selectors_coordinator as coordinator
from ginnel.referrals import services
from ginnel.referrals.forms_coordinator import (
    FilterForm,
    LinkWorkerForm,
    OrganisationForm,
    QuestionnaireSwitchForm,
    ReasonForm,
    ReferrerForm,
    SettingsForm,
)
from ginnel.referrals.models import Questionnaire, ReferralReason
from ginnel.referrals.services_coordinator import referrer_add_with_login, referrer_welcome_send
from ginnel.ui import paging
from ginnel.ui.forms import Form


def page_number(request: HttpRequest) -> int:
    return paging.page_number(request.GET.get("page"))


def filter_form(request: HttpRequest, access: Access) -> FilterForm:
    """The filter form as asked for in the address (unbound when nothing was asked)."""
    reasons, organisations, neighbourhoods = coordinator.filter_choices(access=access)
    asked = any(request.GET.get(k) for k in ("reason", "organisation", "neighbourhood"))
    return FilterForm(
        request.GET if asked else None,
        reasons=reasons,
        organisations=organisations,
        neighbourhoods=neighbourhoods,
    )


# Allocation and rebalancing -------------------------------------------------------------------


def _allocation_page(
    request: HttpRequest,
    access: Access,
    *,
    give_errors: dict[int, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    filters_form = filter_form(request, access)
    filters = filters_form.filters()
    page = coordinator.to_allocate(access=access, filters=filters, page=page_number(request))
    loads = coordinator.worker_loads(access=access, filters=filters)
    return render(
        request,
        "referrals/coordinator_allocate.html",
        {
            "access": access,
            "filter_form": filters_form,
            "filtered": filters.any,
            "page": page,
            "loads": loads,
            "give_errors": give_errors or {},
        },
        status=400 if filters_form.errors else status,
    )


@community_view(Perm.ALLOCATE_REFERRALS)
def allocate(request: HttpRequest, access: Access) -> HttpResponse:
    """New referrals to give to link workers, and every link worker's load."""
    return _allocation_page(request, access)


def _back(access: Access, request: HttpRequest, name: str) -> str:
    """The page the step came from, filters and page kept."""
    back = reverse(name, args=[access.community.slug])
    query = request.POST.get("back", "")
    return f"{back}?{query}" if query and "//" not in query and "\n" not in query else back


@community_view(Perm.ALLOCATE_REFERRALS)
@require_POST
def give(request: HttpRequest, access: Access, referral_id: int) -> HttpResponse:
    """Accept a new referral and give it to the link worker chosen in its row."""
    referral = coordinator.referral_get(access=access, referral_id=referral_id)
    if referral is None:
        raise Http404(_("There is no such referral in this community."))
    form = LinkWorkerForm(request.POST, workers=coordinator.link_workers(access=access))
    if form.is_valid():
        try:
            services.referral_accept(
                access=access, referral=referral, link_worker=form.cleaned_data["link_worker"]
            )
        except PermissionRefused as refused:
            raise PermissionDenied(refused.message) from refused
        except GinnelError as error:
            # Accepted or turned away meanwhile (by another coordinator): the row has gone.
            messages.error(
                request,
                _("The referral of %(person)s was not given: %(why)s")
                % {"person": referral.person.display_name, "why": error.message},
            )
            return redirect(_back(access, request, "referrals:allocate"))
        else:
            messages.success(
                request,
                _("The referral of %(person)s is given to %(worker)s.")
                % {
                    "person": referral.person.display_name,
                    "worker": form.cleaned_data["link_worker"].person.display_name,
                },
            )
            return redirect(_back(access, request, "referrals:allocate"))
    errors = [str(e) for errors in form.errors.values() for e in errors]
    return _allocation_page(
        request, access, give_errors={referral.pk: " ".join(errors)}, status=400
    )


@community_view(Perm.ALLOCATE_REFERRALS)
@require_POST
def move(request: HttpRequest, access: Access, referral_id: int) -> HttpResponse:
    """Rebalance: an open case goes to another link worker; back to the caseload it was on."""
    referral = coordinator.referral_get(access=access, referral_id=referral_id)
    if referral is None:
        raise Http404(_("There is no such referral in this community."))
    form = LinkWorkerForm(request.POST, workers=coordinator.link_workers(access=access))
    back = _back(access, request, "referrals:caseload")
    if form.is_valid():
        try:
            services.referral_reassign(
                access=access, referral=referral, link_worker=form.cleaned_data["link_worker"]
            )
        except PermissionRefused as refused:
            raise PermissionDenied(refused.message) from refused
        except GinnelError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("The case of %(person)s is moved to %(worker)s.")
                % {
                    "person": referral.person.display_name,
                    "worker": form.cleaned_data["link_worker"].person.display_name,
                },
            )
        return redirect(back)
    messages.error(request, _("Choose the link worker to move the case to."))
    return redirect(back)


# Settings -------------------------------------------------------------------------------------


def _questionnaire_forms(
    access: Access, posted: tuple[int, QuestionnaireSwitchForm] | None = None
) -> list[tuple[Questionnaire, QuestionnaireSwitchForm]]:
    found = []
    for questionnaire in coordinator.questionnaires(access=access):
        if posted is not None and posted[0] == questionnaire.pk:
            form = posted[1]
        else:
            form = QuestionnaireSwitchForm(
                prefix=f"q{questionnaire.pk}",
                initial={"on": "1" if questionnaire.is_enabled else "0"},
            )
        found.append((questionnaire, form))
    return found


def _settings_page(
    request: HttpRequest,
    access: Access,
    *,
    settings_form: SettingsForm | None = None,
    reason_form: ReasonForm | None = None,
    questionnaire_form: tuple[int, QuestionnaireSwitchForm] | None = None,
) -> HttpResponse:
    current = services.settings_read(access.community)
    forms: list[Form] = [f for f in (settings_form, reason_form) if f is not None]
    if questionnaire_form is not None:
        forms.append(questionnaire_form[1])
    return render(
        request,
        "referrals/settings.html",
        {
            "access": access,
            "settings_form": settings_form
            or SettingsForm(
                initial={"failed_contacts_before_closing": current.failed_contacts_before_closing}
            ),
            "reason_form": reason_form or ReasonForm(),
            "reasons": coordinator.reasons(access=access),
            "questionnaires": _questionnaire_forms(access, questionnaire_form),
            "may_switch": access.can(Perm.MANAGE_COMMUNITY),
            "bad_forms": [f for f in forms if f.errors],
        },
        status=400 if any(f.errors for f in forms) else 200,
    )


def _done(request: HttpRequest, access: Access, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("referrals:settings", community=access.community.slug)


@community_view(Perm.ALLOCATE_REFERRALS)
@require_http_methods(["GET", "POST"])
def settings(request: HttpRequest, access: Access) -> HttpResponse:
    """Failed contacts before closing, the reasons, and which questionnaires are in use."""
    if request.method == "GET":
        return _settings_page(request, access)
    which = request.POST.get("form")
    if which == "settings":
        settings_form = SettingsForm(request.POST)
        if settings_form.is_valid():
            try:
                services.settings_update(access=access, **settings_form.cleaned_data)
            except GinnelError as error:
                settings_form.add_domain_error(error)
            else:
                return _done(request, access, _("The referral settings are saved."))
        return _settings_page(request, access, settings_form=settings_form)
    if which == "reason":
        reason_form = ReasonForm(request.POST)
        if reason_form.is_valid():
            try:
                reason = services.reason_add(access=access, **reason_form.cleaned_data)
            except GinnelError as error:
                reason_form.add_domain_error(error)
            else:
                return _done(
                    request,
                    access,
                    _("“%(reason)s” is added to the reasons.") % {"reason": reason.label},
                )
        return _settings_page(request, access, reason_form=reason_form)
    raise Http404


@community_view(Perm.ALLOCATE_REFERRALS)
@require_POST
def reason_retire(request: HttpRequest, access: Access, reason_id: int) -> HttpResponse:
    reason = ReferralReason.objects.filter(community=access.community, pk=reason_id).first()
    if reason is None:
        raise Http404(_("There is no such reason in this community."))
    try:
        services.reason_retire(access=access, reason=reason)
    except GinnelError as error:
        messages.error(request, error.message)
        return redirect("referrals:settings", community=access.community.slug)
    return _done(
        request,
        access,
        _("“%(reason)s” is retired: no longer offered for new referrals.")
        % {"reason": _(reason.label)},
    )


@community_view(Perm.MANAGE_COMMUNITY)
@require_POST
def questionnaire_switch(
    request: HttpRequest, access: Access, questionnaire_id: int
) -> HttpResponse:
    questionnaire = Questionnaire.objects.filter(
        community=access.community, pk=questionnaire_id
    ).first()
    if questionnaire is None:
        raise Http404(_("There is no such questionnaire in this community."))
    form = QuestionnaireSwitchForm(request.POST, prefix=f"q{questionnaire.pk}")
    if form.is_valid():
        try:
            found = services.questionnaire_switch(
                access=access, questionnaire=questionnaire, **form.cleaned_data
            )
        except GinnelError as error:
            form.add_domain_error(error)
        else:
            text = (
                _("%(title)s is now in use.")
                if found.is_enabled
                else _("%(title)s is no longer in use. Answers already given stay.")
            )
            return _done(request, access, text % {"title": found.title})
    return _settings_page(request, access, questionnaire_form=(questionnaire.pk, form))


def _set_password_link(request: HttpRequest, user: User) -> str:
    """The house password-reset page for ``user``, with Django's token (valid three days)."""
    path = reverse(
        "web:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return request.build_absolute_uri(path)


# Organisations --------------------------------------------------------------------------------


@community_view(Perm.ALLOCATE_REFERRALS)
@require_http_methods(["GET", "POST"])
def organisations(request: HttpRequest, access: Access) -> HttpResponse:
    """The organisations that refer, a page at a time, and a form to add one."""
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            found = services.organisation_add(access=access, **form.cleaned_data)
        except GinnelError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request,
                _("%(name)s is added. Now add the people there who refer.") % {"name": found.name},
            )
            return redirect(
                "referrals:organisation", community=access.community.slug, organisation_id=found.pk
            )
    return render(
        request,
        "referrals/organisations.html",
        {
            "access": access,
            "form": form,
            "page": coordinator.organisations(access=access, page=page_number(request)),
        },
        status=400 if form.errors else 200,
    )


@community_view(Perm.ALLOCATE_REFERRALS)
@require_http_methods(["GET", "POST"])
def organisation(request: HttpRequest, access: Access, organisation_id: int) -> HttpResponse:
    """One referring organisation: its referrers, and a form to add one."""
    found = coordinator.organisation_get(access=access, organisation_id=organisation_id)
    if found is None:
        raise Http404(_("There is no such organisation in this community."))
    form = ReferrerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = referrer_add_with_login(access=access, organisation=found, **form.cleaned_data)
        except GinnelError as error:
            form.add_domain_error(error)
        else:
            referrer = added.referrer
            if added.new_user is not None:
                referrer_welcome_send(
                    referrer=referrer, link=_set_password_link(request, added.new_user)
                )
                text = _(
                    "%(name)s is added as a referrer at %(organisation)s. We have emailed "
                    "them a link to choose their password."
                )
            elif referrer.user_id:
                text = _(
                    "%(name)s is added as a referrer at %(organisation)s. They log in with "
                    "the login they already have."
                )
            else:
                text = _("%(name)s is added as a referrer at %(organisation)s.")
            messages.success(request, text % {"name": referrer.name, "organisation": found.name})
            return redirect(
                "referrals:organisation", community=access.community.slug, organisation_id=found.pk
            )
    context: dict[str, Any] = {
        "access": access,
        "organisation": found,
        "referrers": found.referrers.select_related("user").order_by("name", "id"),
        "form": form,
    }
    return render(
        request,
        "referrals/organisation.html",
        context,
        status=400 if form.errors else 200,
    )
