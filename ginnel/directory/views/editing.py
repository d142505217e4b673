"""Keeping the directory up to date: organisation editors' pages and the coordinators' review."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from ginnel.communities.permissions import Access, Perm, community_view
from ginnel.directory.forms_editing import EditorsForm, OrganisationForm, ServiceForm
from ginnel.directory.models import Organization, Service
from ginnel.directory.selectors import review as selectors
from ginnel.directory.selectors.events import organization_events
from ginnel.directory.selectors.organisations import organization_contact
from ginnel.directory.services import editing as services
from ginnel.errors import GinnelError
from ginnel.ui.forms import Form

REFUSED = gettext_lazy("You can only change the entries of organisations you edit for.")


def _attempt(form: Form, action: Callable[[], Any]) -> Any:
    try:
        return action()
    except GinnelError as error:
        form.add_domain_error(error)
        return None


def _status(request: HttpRequest, form: Form) -> int:
    return 400 if request.method == "POST" and form.errors else 200


def _organisation(access: Access, organisation_id: int) -> Organization:
    """The organisation, if the asker edits for it: 404 elsewhere, 403 if not theirs."""
    organization = Organization.objects.filter(
        community=access.community, pk=organisation_id
    ).first()
    if organization is None:
        raise Http404(_("There is no such organisation in this community."))
    if not selectors.organization_editable_by(access=access, organization=organization):
        raise PermissionDenied(REFUSED)
    return organization


def _service(access: Access, service_id: int) -> Service:
    service = (
        Service.objects.filter(community=access.community, pk=service_id)
        .select_related("organization", "reviewed_by")
        .first()
    )
    if service is None:
        raise Http404(_("There is no such entry in this community."))
    if not selectors.organization_editable_by(access=access, organization=service.organization):
        raise PermissionDenied(REFUSED)
    return service


@community_view(Perm.EDIT_DIRECTORY)
def organisations(request: HttpRequest, access: Access) -> HttpResponse:
    return render(
        request,
        "directory/organisation_list.html",
        {"access": access, "organisations": selectors.organizations_editable(access=access)},
    )


@community_view(Perm.EDIT_DIRECTORY)
def organisation(request: HttpRequest, access: Access, organisation_id: int) -> HttpResponse:
    organization = _organisation(access, organisation_id)
    services_list = list(selectors.organization_services(organization=organization))
    for service in services_list:
        service.review_due = selectors.is_review_due(service)  # type: ignore[attr-defined]
    return render(
        request,
        "directory/organisation_detail.html",
        {
            "access": access,
            "organisation": organization,
            "contact": organization_contact(organization=organization),
            "services": services_list,
            "editors": list(organization.editors.order_by("display_name")),
            "events": organization_events(organization=organization)[:20],
        },
    )


@community_view(Perm.REVIEW_DIRECTORY)
@require_http_methods(["GET", "POST"])
def organisation_new(request: HttpRequest, access: Access) -> HttpResponse:
    return _organisation_form(request, access, None)


@community_view(Perm.EDIT_DIRECTORY)
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, access: Access, organisation_id: int) -> HttpResponse:
    return _organisation_form(request, access, _organisation(access, organisation_id))


def _organisation_form(
    request: HttpRequest, access: Access, organization: Organization | None
) -> HttpResponse:
    initial = OrganisationForm.initial_for(organization) if organization else {}
    form = OrganisationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = _attempt(
            form,
            lambda: services.organization_save(
                access=access,
                organization=organization,
                version=data["version"],
                name=data["name"],
                description=data["description"],
                email=data["email"],
                website=data["website"],
                phone=data["phone"],
                address=form.address(),
            ),
        )
        if saved is not None:
            messages.success(request, _("%(name)s has been saved.") % {"name": saved.name})
            return redirect(
                "directory:manage_organisation",
                community=access.community.slug,
                organisation_id=saved.pk,
            )
    return render(
        request,
        "directory/organisation_form.html",
        {"access": access, "form": form, "organisation": organization},
        status=_status(request, form),
    )


@community_view(Perm.REVIEW_DIRECTORY)
@require_http_methods(["GET", "POST"])
def organisation_editors(
    request: HttpRequest, access: Access, organisation_id: int
) -> HttpResponse:
    organization = _organisation(access, organisation_id)
    form = EditorsForm(
        request.POST or None,
        initial={"editors": list(organization.editors.all())},
        candidates=selectors.editor_candidates(access=access),
    )
    if request.method == "POST" and form.is_valid():
        done = _attempt(
            form,
            lambda: (
                services.organization_editors_set(
                    access=access,
                    organization=organization,
                    editors=list(form.cleaned_data["editors"]),
                )
                or True
            ),
        )
        if done:
            messages.success(
                request,
                _("The editors of %(name)s have been saved.") % {"name": organization.name},
            )
            return redirect(
                "directory:manage_organisation",
                community=access.community.slug,
                organisation_id=organization.pk,
            )
    return render(
        request,
        "directory/organisation_editors.html",
        {"access": access, "form": form, "organisation": organization},
        status=_status(request, form),
    )


@community_view(Perm.EDIT_DIRECTORY)
@require_http_methods(["GET", "POST"])
def service_new(request: HttpRequest, access: Access, organisation_id: int) -> HttpResponse:
    organization = _organisation(access, organisation_id)
    return _service_form(request, access, organization, None)


@community_view(Perm.EDIT_DIRECTORY)
@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, access: Access, service_id: int) -> HttpResponse:
    service = _service(access, service_id)
    return _service_form(request, access, service.organization, service)


def _service_form(
    request: HttpRequest, access: Access, organization: Organization, service: Service | None
) -> HttpResponse:
    initial = ServiceForm.initial_for(service) if service else {}
    form = ServiceForm(
        request.POST or None,
        initial=initial,
        community=access.community,
        keep=selectors.service_terms(service=service) if service else (),
    )
    if request.method == "POST" and form.is_valid():
        saved = _attempt(
            form,
            lambda: services.service_save(
                access=access,
                organization=organization,
                service=service,
                version=form.cleaned_data["version"],
                data=form.to_data(),
            ),
        )
        if saved is not None:
            messages.success(request, _("%(name)s has been saved.") % {"name": saved.name})
            return redirect(
                "directory:manage_organisation",
                community=access.community.slug,
                organisation_id=organization.pk,
            )
    return render(
        request,
        "directory/edit_service.html",
        {"access": access, "form": form, "organisation": organization, "service": service},
        status=_status(request, form),
    )


@community_view(Perm.EDIT_DIRECTORY)
@require_POST
def service_reviewed(request: HttpRequest, access: Access, service_id: int) -> HttpResponse:
    service = _service(access, service_id)
    services.service_review(access=access, service=service)
    messages.success(
        request,
        _("%(name)s is marked as reviewed and still correct.") % {"name": service.name},
    )
    if request.POST.get("next") == "queue" and access.can(Perm.REVIEW_DIRECTORY):
        return redirect("directory:review_queue", community=access.community.slug)
    return redirect(
        "directory:manage_organisation",
        community=access.community.slug,
        organisation_id=service.organization_id,
    )


@community_view(Perm.REVIEW_DIRECTORY)
def review_queue(request: HttpRequest, access: Access) -> HttpResponse:
    page = Paginator(selectors.review_queue(access=access), 50).get_page(request.GET.get("page"))
    return render(request, "directory/review_queue.html", {"access": access, "page": page})


urlpatterns: list[URLPattern] = [
    path("manage/", organisations, name="manage_organisations"),
    path("manage/organisations/new/", organisation_new, name="manage_organisation_new"),
    path(
        "manage/organisations/<int:organisation_id>/",
        organisation,
        name="manage_organisation",
    ),
    path(
        "manage/organisations/<int:organisation_id>/edit/",
        organisation_edit,
        name="manage_organisation_edit",
    ),
    path(
        "manage/organisations/<int:organisation_id>/editors/",
        organisation_editors,
        name="manage_organisation_editors",
    ),
    path(
        "manage/organisations/<int:organisation_id>/services/new/",
        service_new,
        name="manage_service_new",
    ),
    path("manage/services/<int:service_id>/edit/", service_edit, name="manage_service_edit"),
    path(
        "manage/services/<int:service_id>/reviewed/",
        service_reviewed,
        name="manage_service_reviewed",
    ),
    path("review/", review_queue, name="review_queue"),
]
