"""Saving services to a list: one tap from a suggestion or a service's page, without JavaScript."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from ginnel.communities.permissions import Access, Perm, community_view
from ginnel.directory.selectors.saved import saved_services
from ginnel.directory.services import saved as saving
from ginnel.errors import GinnelError, PermissionRefused
from ginnel.ui.redirects import next_or


def _back(request: HttpRequest, access: Access) -> str:
    return next_or(request, reverse("directory:saved", args=[access.community.slug]))


def _person_id(request: HttpRequest) -> int | None:
    raw = request.POST.get("person", "").strip()
    return int(raw) if raw.isdigit() else None


@community_view(Perm.VIEW_COMMUNITY)
@require_POST
def save(request: HttpRequest, access: Access, service_uuid: uuid.UUID) -> HttpResponse:
    try:
        saved = saving.service_save(
            access=access, service_uuid=service_uuid, person_id=_person_id(request)
        )
    except PermissionRefused as refused:
        raise PermissionDenied(refused.message) from refused
    except GinnelError as error:
        messages.error(request, error.message)
        return redirect(_back(request, access))
    whose = "your list" if saved.person == saved.saved_by else f"{saved.person.display_name}'s list"
    messages.success(request, f"{saved.service.name} is saved to {whose}.")
    return redirect(_back(request, access))


@community_view(Perm.VIEW_COMMUNITY)
@require_POST
def unsave(request: HttpRequest, access: Access, service_uuid: uuid.UUID) -> HttpResponse:
    try:
        service = saving.service_unsave(
            access=access, service_uuid=service_uuid, person_id=_person_id(request)
        )
    except PermissionRefused as refused:
        raise PermissionDenied(refused.message) from refused
    except GinnelError as error:
        messages.error(request, error.message)
        return redirect(_back(request, access))
    messages.success(request, f"{service.name} is no longer on the list.")
    return redirect(_back(request, access))


@community_view(Perm.VIEW_COMMUNITY)
def saved(request: HttpRequest, access: Access) -> HttpResponse:
    if access.membership is None or not access.is_member:
        raise PermissionDenied
    found = list(saved_services(person=access.membership.person))
    return render(request, "directory/saved.html", {"access": access, "saved": found})


urlpatterns = [
    path("saved/", saved, name="saved"),
    path("services/<uuid:service_uuid>/save/", save, name="save"),
    path("services/<uuid:service_uuid>/unsave/", unsave, name="unsave"),
]
