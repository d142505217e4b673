"""Saving services to a list: one tap from a search result, a service's page or a suggestion.

Works without JavaScript (a form that comes back to the page, where the button now says
"Saved"); with htmx the button alone is swapped for its new state.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ginnel.communities.permissions import Access, Perm, community_view
from ginnel.directory.models import Service
from ginnel.directory.selectors.saved import saved_services
from ginnel.directory.services import saved as saving
from ginnel.errors import GinnelError, PermissionRefused
from ginnel.people.models import Person
from ginnel.ui.htmx import is_htmx
from ginnel.ui.ids import parse_id
from ginnel.ui.redirects import next_or


def _back(request: HttpRequest, access: Access) -> str:
    return next_or(request, reverse("directory:saved", args=[access.community.slug]))


def _person_id(request: HttpRequest) -> int | None:
    raw = request.POST.get("person", "").strip()
    return parse_id(raw)


def _button(
    request: HttpRequest,
    access: Access,
    service: Service,
    person: Person,
    *,
    is_saved: bool,
) -> HttpResponse:
    """The button in its new state, for htmx to put in place of the old one."""
    me = access.membership.person if access.membership is not None else None
    helped = person if me is None or person.pk != me.pk else None
    return render(
        request,
        "directory/_save_button.html",
        {
            "access": access,
            "service": service,
            "is_saved": is_saved,
            "helped": helped,
            "next": _back(request, access),
        },
    )


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
    if is_htmx(request):
        return _button(request, access, saved.service, saved.person, is_saved=True)
    if saved.person == saved.saved_by:
        said = _("%(service)s is saved to your list.") % {"service": saved.service.name}
    else:
        said = _("%(service)s is saved to %(person)s’s list.") % {
            "service": saved.service.name,
            "person": saved.person.display_name,
        }
    messages.success(request, said)
    return redirect(_back(request, access))


@community_view(Perm.VIEW_COMMUNITY)
@require_POST
def unsave(request: HttpRequest, access: Access, service_uuid: uuid.UUID) -> HttpResponse:
    try:
        service, person = saving.service_unsave(
            access=access, service_uuid=service_uuid, person_id=_person_id(request)
        )
    except PermissionRefused as refused:
        raise PermissionDenied(refused.message) from refused
    except GinnelError as error:
        messages.error(request, error.message)
        return redirect(_back(request, access))
    if is_htmx(request):
        return _button(request, access, service, person, is_saved=False)
    messages.success(
        request, _("%(service)s is no longer on the list.") % {"service": service.name}
    )
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
