"""Matching pages: "not for me" and back, what you hid, and introductions."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ginnel.communities.permissions import Access, Perm, community_view
from ginnel.errors import GinnelError
from ginnel.matching import selectors, services
from ginnel.matching.models import IntroductionState
from ginnel.ui.htmx import is_htmx
from ginnel.ui.ids import parse_id
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
    if label:
        done = _(
            "We will not suggest %(label)s to you again. "
            "You can undo this under “Suggestions you hid”."
        ) % {"label": label}
    else:
        done = _(
            "We will not suggest this to you again. You can undo this under “Suggestions you hid”."
        )
    messages.success(request, done)
    return redirect(_back(request, access))


@community_view(Perm.VIEW_COMMUNITY)
@require_POST
def restore(request: HttpRequest, access: Access, dismissal_id: int) -> HttpResponse:
    try:
        dismissal = services.suggestion_restore(access=access, dismissal_id=dismissal_id)
    except GinnelError as error:
        messages.error(request, error.message)
    else:
        if is_htmx(request):
            return render(
                request, "matching/_restored.html", {"access": access, "dismissal": dismissal}
            )
        if dismissal.label:
            again = _("%(label)s can be suggested to you again.") % {"label": dismissal.label}
        else:
            again = _("It can be suggested to you again.")
        messages.success(request, again)
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
            _(
                "We will not suggest you and %(name)s to each other. "
                "You can change this under “Suggestions you hid”."
            )
            % {"name": found.blocked.display_name},
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
        messages.success(request, _("You can be suggested to each other again."))
    return redirect(_back(request, access))


def _for_whom(request: HttpRequest) -> int | None:
    """The person an action is taken for: ``person`` (a form's field) or ``for``."""
    raw = request.POST.get("person", "") or request.POST.get("for", "")
    return parse_id(raw)


@community_view(Perm.VIEW_COMMUNITY)
@require_POST
def introduce(request: HttpRequest, access: Access) -> HttpResponse:
    try:
        introduction = services.introduction_request(
            access=access,
            person_id=_for_whom(request),
            kind=request.POST.get("kind", ""),
            candidate=request.POST.get("candidate", ""),
            note=request.POST.get("note", "").strip(),
        )
    except GinnelError as error:
        messages.error(request, error.message)
    else:
        mine = (
            access.membership is not None and introduction.person_id == access.membership.person.pk
        )
        # Names are never the last word: one ending in a full stop ("James W.") would show two.
        if mine:
            done = _(
                "A coordinator will speak to you and %(other)s first, then introduce you. "
                "You can follow it under “Your introductions”."
            ) % {"other": introduction.other.display_name}
        else:
            done = _(
                "A coordinator will speak to %(person)s and %(other)s first, then introduce them."
            ) % {
                "person": introduction.person.display_name,
                "other": introduction.other.display_name,
            }
        messages.success(request, done)
    return redirect(_back(request, access))


def _state(raw: str) -> str:
    return raw if raw in IntroductionState.values else IntroductionState.REQUESTED


def _queue(
    request: HttpRequest, access: Access, *, state: str, error: str = "", status: int = 200
) -> HttpResponse:
    counts = selectors.introduction_counts(access=access)
    return render(
        request,
        "matching/introductions.html",
        {
            "access": access,
            "state": state,
            "states": [(value, label, counts[value]) for value, label in IntroductionState.choices],
            "page": selectors.introductions_queue(
                access=access, state=state, page=request.GET.get("page", "1")
            ),
            "error": error,
        },
        status=status,
    )


@community_view(Perm.COORDINATE_TIMEBANK)
def introductions(request: HttpRequest, access: Access) -> HttpResponse:
    """The coordinators' queue of introductions: waiting, made, not made."""
    return _queue(request, access, state=_state(request.GET.get("state", "")))


@community_view(Perm.COORDINATE_TIMEBANK)
@require_POST
def introduction_decide(request: HttpRequest, access: Access, introduction_id: int) -> HttpResponse:
    decision = request.POST.get("decision", "")
    back = reverse("matching:introductions", args=[access.community.slug])
    if decision not in ("made", "declined"):
        return _queue(
            request,
            access,
            state=IntroductionState.REQUESTED,
            error=_("Choose whether the introduction was made or not."),
            status=400,
        )
    if not selectors.introduction_exists(access=access, introduction_id=introduction_id):
        raise Http404(_("There is no such introduction in this community."))
    try:
        introduction = services.introduction_decide(
            access=access, introduction_id=introduction_id, made=decision == "made"
        )
    except GinnelError as error:
        messages.error(request, error.message)
        return redirect(back)
    values = {"person": introduction.person.display_name, "other": introduction.other.display_name}
    if introduction.state == IntroductionState.MADE:
        done = _("The introduction of %(person)s and %(other)s is marked as made.") % values
    else:
        done = _("The introduction of %(person)s and %(other)s is marked as not made.") % values
    messages.success(request, done)
    return redirect(back)


@community_view(Perm.VIEW_COMMUNITY)
def my_introductions(request: HttpRequest, access: Access) -> HttpResponse:
    """Introductions about the member: asked for them, and made to them."""
    return render(
        request,
        "matching/my_introductions.html",
        {"access": access, "introductions": selectors.introductions_about_me(access=access)},
    )
