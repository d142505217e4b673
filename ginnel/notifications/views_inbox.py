"""The inbox: a person's notifications, newest unread first; opening one; marking them read.

Each entry reads as its kind's ``title.txt`` says (rendered with the
notification's context, the person's name, the community's and the link); a
kind no longer registered, or whose template has gone, reads as a plain line
so the inbox never fails on an old row. Only the asker's own notifications in
this community are ever shown or changed: any other id is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from ginnel.communities.permissions import Access, Perm, community_view
from ginnel.notifications import kinds, selectors, services
from ginnel.notifications.models import Notification
from ginnel.ui.paging import page_number
from ginnel.ui.redirects import local_or, next_or


@dataclass(frozen=True)
class Entry:
    """One line of the inbox: the notification and its title, in words."""

    notification: Notification
    title: str

    @property
    def unread(self) -> bool:
        return self.notification.read_at is None

    @property
    def ago(self) -> str:
        """ "3 hours ago": the largest unit only, as a person would say it."""
        if timezone.now() - self.notification.created_at < timedelta(minutes=1):
            return _("just now")
        return _("%(time)s ago") % {"time": timesince(self.notification.created_at, depth=1)}


def _title(notification: Notification, access: Access) -> str:
    """The kind's one-line title as plain text (the page escapes it), or a plain fallback."""
    try:
        folder = kinds.get(notification.kind).templates
        found: Any = get_template(f"{folder}/title.txt")
    except (LookupError, TemplateDoesNotExist):
        return _("A notification about something in %(community)s") % {
            "community": access.community.name
        }
    assert access.membership is not None  # noqa: S101 (an inbox is a member's)
    context = {
        **(notification.context or {}),
        "recipient": access.membership.person.display_name,
        "community": access.community.name,
        "url": notification.url,
    }
    # The Django backend's template, rendered without HTML escaping: this is text.
    text = found.template.render(Context(context, autoescape=False))
    return " ".join(str(text).split())


def _inbox_url(access: Access) -> str:
    return reverse("notifications:inbox", args=[access.community.slug])


@community_view(Perm.VIEW_COMMUNITY)
def inbox(request: HttpRequest, access: Access) -> HttpResponse:
    page = selectors.inbox(access=access, page=page_number(request.GET.get("page")))
    entries = [Entry(notification=n, title=_title(n, access)) for n in page.object_list]
    return render(
        request,
        "notifications/inbox.html",
        {
            "access": access,
            "page": page,
            "entries": entries,
            "any_unread": any(e.unread for e in entries) or page.number > 1,
        },
    )


def _own_or_404(access: Access, notification_id: int) -> Notification:
    if not services.mark_read(access=access, notification_id=notification_id):
        raise Http404(_("There is no such notification of yours."))
    return Notification.objects.only("url").get(pk=notification_id)


@community_view(Perm.VIEW_COMMUNITY)
@require_http_methods(["GET", "POST"])
def open_notification(request: HttpRequest, access: Access, notification_id: int) -> HttpResponse:
    """Mark it read and go to the thing it is about (only ever a page of this site)."""
    notification = _own_or_404(access, notification_id)
    return redirect(local_or(request, notification.url, _inbox_url(access)))


@community_view(Perm.VIEW_COMMUNITY)
@require_POST
def read(request: HttpRequest, access: Access, notification_id: int) -> HttpResponse:
    """Mark one read without opening it; back to the inbox."""
    _own_or_404(access, notification_id)
    return redirect(next_or(request, _inbox_url(access)))


@community_view(Perm.VIEW_COMMUNITY)
@require_POST
def read_all(request: HttpRequest, access: Access) -> HttpResponse:
    marked = services.mark_all_read(access=access)
    if marked:
        messages.success(
            request,
            ngettext(
                "%(count)d notification marked as read.",
                "%(count)d notifications marked as read.",
                marked,
            )
            % {"count": marked},
        )
    return redirect(_inbox_url(access))
