"""Events: the calendar by week, the clash view, event editing and the iCal feeds."""

from __future__ import annotations

import secrets
import uuid
from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ginnel.communities.models import Community
from ginnel.communities.permissions import Access, Perm, community_view
from ginnel.directory import ical, wording
from ginnel.directory.forms_events import CancelForm, EventForm
from ginnel.directory.models import Event, EventFeed, Organization, TaxonomyTerm
from ginnel.directory.selectors import events as selectors
from ginnel.directory.selectors.organisations import organization_contact
from ginnel.directory.selectors.review import organization_editable_by
from ginnel.directory.services import events as services
from ginnel.directory.views.editing import REFUSED, _attempt, _organisation, _status


def _week_links(monday: date) -> dict[str, object]:
    return {
        "monday": monday,
        "sunday": monday + timedelta(days=6),
        "week": selectors.week_label(monday),
        "previous_week": selectors.week_label(monday - timedelta(days=7)),
        "next_week": selectors.week_label(monday + timedelta(days=7)),
        "this_week": selectors.week_label(selectors.week_parse(None)),
    }


def _feed_urls(access: Access) -> dict[str, str]:
    token = services.feed_token_get(community=access.community)
    return {
        "feed_token": token,
        "community_feed": reverse("directory:feed_community", args=[access.community.slug, token]),
    }


@community_view(Perm.VIEW_COMMUNITY)
def calendar(request: HttpRequest, access: Access) -> HttpResponse:
    monday = selectors.week_parse(request.GET.get("week"))
    return render(
        request,
        "directory/calendar_week.html",
        {
            "access": access,
            "days": selectors.calendar_week(community=access.community, monday=monday),
            "today": timezone.localdate(),
            **_week_links(monday),
            **_feed_urls(access),
        },
    )


@community_view(Perm.EDIT_DIRECTORY)
def clashes(request: HttpRequest, access: Access) -> HttpResponse:
    monday = selectors.week_parse(request.GET.get("week"))
    same_day, same_week = selectors.clashes_for_week(community=access.community, monday=monday)
    return render(
        request,
        "directory/clash_week.html",
        {"access": access, "same_day": same_day, "same_week": same_week, **_week_links(monday)},
    )


def _event(access: Access, event_uuid: uuid.UUID) -> Event:
    event = selectors.event_get(community=access.community, event_uuid=event_uuid)
    if event is None:
        raise Http404(_("There is no such event in this community."))
    return event


def _editable(access: Access, event: Event) -> bool:
    if event.organization is None:
        return access.can(Perm.REVIEW_DIRECTORY)
    return access.can(Perm.EDIT_DIRECTORY) and organization_editable_by(
        access=access, organization=event.organization
    )


@community_view(Perm.VIEW_COMMUNITY)
def event_detail(request: HttpRequest, access: Access, event_uuid: uuid.UUID) -> HttpResponse:
    event = _event(access, event_uuid)
    now = timezone.now()
    upcoming = (
        selectors.occurrences(event, now, now + timedelta(days=120))[:8]
        if event.cancelled_at is None
        else []
    )
    organiser = event.organization or (event.service.organization if event.service else None)
    place = event.location
    address = place.addresses.order_by("id").first() if place is not None else None
    starts = timezone.localtime(event.starts_at)
    return render(
        request,
        "directory/event_detail.html",
        {
            "access": access,
            "event": event,
            "organiser": organiser,
            "contact": organization_contact(organization=organiser) if organiser else None,
            "address": ", ".join(
                p
                for p in (
                    address.address_1,
                    address.address_2,
                    address.city,
                    address.postal_code,
                )
                if p
            )
            if address is not None
            else "",
            "repeats": wording.repeats(
                freq=event.freq,
                interval=event.interval,
                byday=event.byday,
                weekday=starts.weekday(),
            ),
            "upcoming": upcoming,
            "themes": list(event.themes.all()),
            "can_edit": _editable(access, event),
            **_feed_urls(access),
        },
    )


@community_view(Perm.EDIT_DIRECTORY)
@require_http_methods(["GET", "POST"])
def event_new(request: HttpRequest, access: Access, organisation_id: int) -> HttpResponse:
    return _event_form(request, access, _organisation(access, organisation_id), None)


@community_view(Perm.EDIT_DIRECTORY)
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, access: Access, event_uuid: uuid.UUID) -> HttpResponse:
    event = _event(access, event_uuid)
    if not _editable(access, event) or event.organization is None:
        raise PermissionDenied(REFUSED)
    return _event_form(request, access, event.organization, event)


def _event_form(
    request: HttpRequest, access: Access, organization: Organization, event: Event | None
) -> HttpResponse:
    initial = EventForm.initial_for(event) if event is not None else {}
    form = EventForm(
        request.POST or None,
        initial=initial,
        community=access.community,
        organization=organization,
        event=event,
    )
    if request.method == "POST" and form.is_valid():
        saved = _attempt(
            form,
            lambda: services.event_save(
                access=access,
                organization=organization,
                event=event,
                version=form.cleaned_data["version"],
                data=form.to_data(),
            ),
        )
        if saved is not None:
            messages.success(request, _("%(title)s has been saved.") % {"title": saved.title})
            return redirect(
                "directory:event", community=access.community.slug, event_uuid=saved.uuid
            )
    return render(
        request,
        "directory/event_form.html",
        {"access": access, "form": form, "organisation": organization, "event": event},
        status=_status(request, form),
    )


@community_view(Perm.EDIT_DIRECTORY)
@require_http_methods(["GET", "POST"])
def event_cancel(request: HttpRequest, access: Access, event_uuid: uuid.UUID) -> HttpResponse:
    event = _event(access, event_uuid)
    if not _editable(access, event):
        raise PermissionDenied(REFUSED)
    form = CancelForm(request.POST or None, initial={"version": event.version})
    if request.method == "POST" and form.is_valid():
        done = _attempt(
            form,
            lambda: services.event_cancel(
                access=access, event=event, version=form.cleaned_data["version"]
            ),
        )
        if done is not None:
            messages.success(request, _("%(title)s has been cancelled.") % {"title": event.title})
            return redirect(
                "directory:event", community=access.community.slug, event_uuid=event.uuid
            )
    return render(
        request,
        "directory/event_cancel.html",
        {"access": access, "form": form, "event": event},
        status=_status(request, form),
    )


@community_view(Perm.REVIEW_DIRECTORY)
@require_POST
def feed_reset(request: HttpRequest, access: Access) -> HttpResponse:
    services.feed_token_reset(access=access)
    messages.success(
        request,
        _(
            "The calendar feeds have a new address. Calendars subscribed to the old one will "
            "stop updating: give people the new one."
        ),
    )
    return redirect("directory:calendar", community=access.community.slug)


# Feeds: read by calendar apps, which cannot log in, so the address carries a secret. -------


def _feed_community(community: str, token: str) -> Community:
    found = get_object_or_404(Community, slug=community)
    feed = EventFeed.objects.filter(community=found).first()
    if feed is None or not secrets.compare_digest(feed.token.encode(), token.encode()):
        raise Http404(_("There is no such calendar."))
    return found


def _feed_response(request: HttpRequest, events: object, name: str, filename: str) -> HttpResponse:
    body = ical.calendar_build(
        events,  # type: ignore[arg-type]
        host=request.get_host().split(":")[0],
        name=name,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response


@require_GET
def feed_community(request: HttpRequest, community: str, token: str) -> HttpResponse:
    found = _feed_community(community, token)
    return _feed_response(
        request,
        selectors.feed_events(community=found),
        _("%(community)s events") % {"community": found.name},
        f"{found.slug}-events",
    )


@require_GET
def feed_organisation(
    request: HttpRequest, community: str, token: str, organisation_uuid: uuid.UUID
) -> HttpResponse:
    found = _feed_community(community, token)
    organization = get_object_or_404(Organization, community=found, uuid=organisation_uuid)
    return _feed_response(
        request,
        selectors.feed_events(community=found, organization=organization),
        _("%(organisation)s events (%(community)s)")
        % {"organisation": organization.name, "community": found.name},
        f"{found.slug}-organisation-{organization.uuid}",
    )


@require_GET
def feed_term(
    request: HttpRequest, community: str, token: str, term_uuid: uuid.UUID
) -> HttpResponse:
    found = _feed_community(community, token)
    term = get_object_or_404(TaxonomyTerm, community=found, uuid=term_uuid)
    return _feed_response(
        request,
        selectors.feed_events(community=found, term=term),
        _("%(theme)s events (%(community)s)") % {"theme": term.name, "community": found.name},
        f"{found.slug}-theme-{term.uuid}",
    )


urlpatterns: list[URLPattern] = [
    path("events/", calendar, name="calendar"),
    path("events/clashes/", clashes, name="clashes"),
    path("events/feed/reset/", feed_reset, name="feed_reset"),
    path("events/<uuid:event_uuid>/", event_detail, name="event"),
    path("events/<uuid:event_uuid>/edit/", event_edit, name="event_edit"),
    path("events/<uuid:event_uuid>/cancel/", event_cancel, name="event_cancel"),
    path("manage/organisations/<int:organisation_id>/events/new/", event_new, name="event_new"),
    path("feeds/<str:token>/events.ics", feed_community, name="feed_community"),
    path(
        "feeds/<str:token>/organisations/<uuid:organisation_uuid>.ics",
        feed_organisation,
        name="feed_organisation",
    ),
    path("feeds/<str:token>/themes/<uuid:term_uuid>.ics", feed_term, name="feed_term"),
]
