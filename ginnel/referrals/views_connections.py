"""A referral's connections: what was made, what the engine suggests, and acting for the person.

Only someone who may act on the referral (its link worker, a coordinator)
finds these pages; anyone else is told there is no such page (404), as the
referral's content is special category data. Every page reads the referral
through ``selectors.referral_read`` (``what="connections"``), so the read is
recorded.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ginnel.communities.permissions import Access, Perm, community_view
from ginnel.errors import GinnelError
from ginnel.referrals import selectors, services, services_connections
from ginnel.referrals import selectors_connections as found
from ginnel.referrals.forms_connections import (
    FORM_KEYS,
    DirectoryForm,
    EventForm,
    MemberForm,
    OtherForm,
    OutcomeForm,
    ProposeForm,
    SuggestionForm,
)
from ginnel.referrals.models import OPEN_STATES, Connection, ConnectionKind, Referral, ReferralState
from ginnel.timebank import selectors as timebank_selectors
from ginnel.ui.forms import Form


def _referral(access: Access, pk: int) -> Referral:
    """The referral, read (and the read recorded) for someone who may act on it; else 404."""
    try:
        referral = selectors.referral_read(access=access, referral_id=pk, what="connections")
    except GinnelError as error:
        raise Http404(_("There is no such referral in this community.")) from error
    if not services.may_act_on(access, referral):
        raise Http404(_("There is no such referral in this community."))
    return referral


def _url(access: Access, referral: Referral) -> str:
    return reverse("referrals:connections", args=[access.community.slug, referral.pk])


def _blank_forms(access: Access, referral: Referral) -> dict[str, Form]:
    return {
        "member": MemberForm(prefix="member", access=access, referral=referral),
        "directory": DirectoryForm(prefix="directory", access=access),
        "event": EventForm(prefix="event", access=access),
        "other": OtherForm(prefix="other"),
    }


def _bound_form(request: HttpRequest, access: Access, referral: Referral, key: str) -> Form:
    data = request.POST
    if key == "suggestion":
        return SuggestionForm(data, referral=referral)
    if key == "member":
        return MemberForm(data, prefix="member", access=access, referral=referral)
    if key == "directory":
        return DirectoryForm(data, prefix="directory", access=access)
    if key == "event":
        return EventForm(data, prefix="event", access=access)
    return OtherForm(data, prefix="other")


def _page(
    request: HttpRequest,
    access: Access,
    referral: Referral,
    *,
    posted: Form | None = None,
    posted_key: str = "",
    status: int = 200,
) -> HttpResponse:
    forms = _blank_forms(access, referral)
    if posted is not None and posted_key in forms:
        forms[posted_key] = posted
    engaged = referral.state == ReferralState.ENGAGED
    suggesting = referral.state in OPEN_STATES
    groups = found.suggestions(access=access, referral=referral) if suggesting else []
    return render(
        request,
        "referrals/connections.html",
        {
            "access": access,
            "referral": referral,
            "here": "connections",
            "page": found.connections_of(referral=referral, page=request.GET.get("page", 1)),
            "groups": groups,
            "suggesting": suggesting,
            "engaged": engaged,
            "not_yet": referral.state in (ReferralState.ACCEPTED, ReferralState.CONTACTED),
            "forms": forms,
            "posted": posted,
            "posted_key": posted_key,
            "next": request.get_full_path() if request.method == "GET" else _url(access, referral),
        },
        status=status,
    )


@community_view(Perm.VIEW_COMMUNITY)
@require_http_methods(["GET"])
def connections(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    """The connections made for the person, and suggestions to act on for them."""
    return _page(request, access, _referral(access, pk))


def _record(form: Form, key: str, access: Access, referral: Referral) -> Connection | None:
    data: dict[str, Any] = form.cleaned_data
    if key == "suggestion":
        sealed: found.Unsealed = data["suggestion"]
        arguments: dict[str, Any] = {
            "kind": sealed.kind,
            "target_id": sealed.target_id,
            "suggested_because": sealed.reasons,
        }
    elif key == "member":
        arguments = {"kind": data["kind"], "target_id": data["person"].pk}
    elif key == "directory":
        arguments = {"kind": data["kind"], "target_id": data["entry"].pk}
    elif key == "event":
        arguments = {"kind": ConnectionKind.EVENT, "target_id": data["event"].pk}
    else:
        arguments = {"kind": ConnectionKind.OTHER, "label": data["name"]}
    try:
        return services_connections.connection_add(access=access, referral=referral, **arguments)
    except GinnelError as error:
        form.add_domain_error(error)
        return None


@community_view(Perm.VIEW_COMMUNITY)
@require_POST
def connection_record(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    """Record a connection: a suggestion as it was made, or one chosen by search."""
    referral = _referral(access, pk)
    key = request.POST.get("form", "")
    if key not in FORM_KEYS:
        raise Http404
    form = _bound_form(request, access, referral, key)
    if form.is_valid():
        connection = _record(form, key, access, referral)
        if connection is not None:
            messages.success(
                request,
                _("Recorded: %(person)s was connected to %(what)s.")
                % {"person": referral.person.display_name, "what": connection.target_label},
            )
            return redirect(_url(access, referral))
    searching = not form.errors  # a picker's search step: the form comes back to choose from
    return _page(
        request, access, referral, posted=form, posted_key=key, status=200 if searching else 400
    )


@community_view(Perm.VIEW_COMMUNITY)
@require_POST
def connection_outcome(
    request: HttpRequest, access: Access, pk: int, connection_id: int
) -> HttpResponse:
    """Went, or did not go: recorded once."""
    referral = _referral(access, pk)
    connection = found.connection_of(referral=referral, connection_id=connection_id)
    if connection is None:
        raise Http404
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.connection_outcome_record(
                access=access, connection=connection, went=form.cleaned_data["outcome"] == "went"
            )
        except GinnelError as error:
            form.add_domain_error(error)
        else:
            words = {"person": referral.person.display_name, "what": connection.target_label}
            said = (
                _("Recorded for %(what)s: %(person)s went.")
                if form.cleaned_data["outcome"] == "went"
                else _("Recorded for %(what)s: %(person)s did not go.")
            )
            messages.success(request, said % words)
            return redirect(_url(access, referral))
    return _page(request, access, referral, posted=form, posted_key="outcome", status=400)


@community_view(Perm.VIEW_COMMUNITY)
@require_http_methods(["GET", "POST"])
def connection_propose(
    request: HttpRequest, access: Access, pk: int, listing_id: int
) -> HttpResponse:
    """Ask an offer's owner for help for the person; the connection is recorded with it."""
    referral = _referral(access, pk)
    listing = timebank_selectors.listing_get(access=access, listing_id=listing_id)
    if listing is None or not listing.is_live():
        raise Http404(_("This offer is no longer open."))
    form = ProposeForm(
        request.POST or None,
        referral=referral,
        initial={
            "suggestion": request.GET.get("s", ""),
            "where": next(
                (w for w, f in listing.WHERE_FIELDS.items() if getattr(listing, f)), None
            ),
        },
    )
    if request.method == "POST" and form.is_valid():
        sealed: found.Unsealed | None = form.cleaned_data["suggestion"]
        because = sealed.reasons if sealed and sealed.target_id == listing.owner_id else ""
        try:
            services_connections.exchange_propose_for_referral(
                access=access,
                referral=referral,
                listing=listing,
                where=form.cleaned_data["where"],
                message=form.cleaned_data["message"],
                suggested_because=because,
            )
        except GinnelError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request,
                _(
                    "Your proposal for %(person)s has been sent to %(owner)s, "
                    "and recorded as a connection."
                )
                % {"person": referral.person.display_name, "owner": listing.owner.display_name},
            )
            return redirect(_url(access, referral))
    return render(
        request,
        "referrals/connections_propose.html",
        {
            "access": access,
            "referral": referral,
            "here": "connections",
            "listing": listing,
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )
