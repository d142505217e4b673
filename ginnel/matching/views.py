"""Matching pages: "not for me" and back, what you hid, and introductions."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ginnel.communities.permissions import Access, Perm, community_view
from ginnel.errors import GinnelError
from ginnel.matching import selectors, services
from ginnel.ui.htmx import is_htmx
from ginnel.ui.redirects import next_or


def _back(request: HttpRequest, access: Access) -> str:
    """Where to go after a small form: the page it was on, if it is one of ours."""
    return next_or(request, reverse("web:community_home", args=[access.community.slug]))


@community_view(Perm.VIEW_COMMUNITY)
@require_POST
def dismiss(request: HttpRequest, access: Access) -> HttpResponse:
    label = request.POST.get("label", "").strip()
    try:
        dismissal = services.suggestion_dismiss(
            access=access,
            kind=request.POST.get("kind", ""),
            candidate=request.POST.get("candidate", ""),
            label=label,
        )
    except GinnelError as error:
        if is_htmx(request):
            return HttpResponse(error.message, status=400)
        messages.error(request, error.message)
        return redirect(_back(request, access))
    if is_htmx(request):
        return render(
            request,
            "matching/_dismissed.html",
            {"access": access, "dismissal": dismissal, "next": _back(request, access)},
        )
    messages.success(
        request,
        f"We will not suggest {label or 'this'} to you again. "
        "You can undo this under “Suggestions you hid”.",
    )
    return redirect(_back(request, access))


@community_view(Perm.VIEW_COMMUNITY)
@require_POST
def restore(request: HttpRequest, access: Access, dismissal_id: int) -> HttpResponse:
    try:
        dismissal = services.suggestion_restore(access=access, dismissal_id=dismissal_id)
    except GinnelError as error:
        messages.error(request, error.message)
    else:
        shown = dismissal.label or "It"
        if is_htmx(request):
            return render(
                request, "matching/_restored.html", {"access": access, "dismissal": dismissal}
            )
        messages.success(request, f"{shown} can be suggested to you again.")
    return redirect(_back(request, access))


@community_view(Perm.VIEW_COMMUNITY)
def hidden(request: HttpRequest, access: Access) -> HttpResponse:
    return render(
        request,
        "matching/hidden.html",
        {
            "access": access,
            "dismissals": selectors.dismissals_of(access=access),
            "blocks": selectors.blocks_of(access=access),
        },
    )


@community_view(Perm.VIEW_COMMUNITY)
@require_POST
def block(request: HttpRequest, access: Access, person_id: int) -> HttpResponse:
    try:
        found = services.block_add(access=access, person_id=person_id)
    except GinnelError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"We will not suggest you and {found.blocked.display_name} to each other. "
            "You can change this under “Suggestions you hid”.",
        )
    return redirect(_back(request, access))


@community_view(Perm.VIEW_COMMUNITY)
@require_POST
def unblock(request: HttpRequest, access: Access, person_id: int) -> HttpResponse:
    try:
        services.block_remove(access=access, person_id=person_id)
    except GinnelError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "You can be suggested to each other again.")
    return redirect(_back(request, access))


@community_view(Perm.VIEW_COMMUNITY)
@require_POST
def introduce(request: HttpRequest, access: Access) -> HttpResponse:
    raw_person = request.POST.get("person", "")
    try:
        introduction = services.introduction_request(
            access=access,
            person_id=int(raw_person) if raw_person.isdigit() else None,
            kind=request.POST.get("kind", ""),
            candidate=request.POST.get("candidate", ""),
            note=request.POST.get("note", "").strip(),
        )
    except GinnelError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"A coordinator has been asked to introduce {introduction.person.display_name} "
            f"to {introduction.other.display_name}. They will speak to both first.",
        )
    return redirect(_back(request, access))
