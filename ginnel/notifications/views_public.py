"""The one-click unsubscribe page: reached from an email, with no login.

GET shows what the link will stop and one button; it changes nothing (mail
scanners follow links). POST stops it: the button on that page, or a mail
client's RFC 8058 one-click request (a POST whose body is
``List-Unsubscribe=One-Click``, with no cookies and no CSRF token — which is
why this one view is exempt from CSRF checks: the signed token in its address
is what authorises it, and all it can do is switch one kind off by one channel).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ginnel.notifications import kinds, services_preferences
from ginnel.notifications.kinds import Channel, Frequency
from ginnel.notifications.unsubscribe import read_token
from ginnel.people.models import Person


def _kind_label(code: str) -> str:
    try:
        return str(kinds.get(code).label)
    except LookupError:
        return _("Notifications of a kind no longer sent")


def _digest_wording(frequency: str, channel: Channel) -> dict[str, str]:
    """A digest's link: it stops every kind that comes in that digest by that channel."""
    if frequency == Frequency.WEEKLY and channel == Channel.LETTER:
        return {
            "heading": _("Stop the weekly digest letters"),
            "button": _("Stop these letters"),
            "done": _("You will not get weekly digest letters any more."),
        }
    if channel == Channel.LETTER:
        return {
            "heading": _("Stop the daily digest letters"),
            "button": _("Stop these letters"),
            "done": _("You will not get daily digest letters any more."),
        }
    if frequency == Frequency.WEEKLY:
        return {
            "heading": _("Stop the weekly digest emails"),
            "button": _("Stop these emails"),
            "done": _("You will not get weekly digest emails any more."),
        }
    return {
        "heading": _("Stop the daily digest emails"),
        "button": _("Stop these emails"),
        "done": _("You will not get daily digest emails any more."),
    }


def _wording(channel: Channel, code: str) -> dict[str, str]:
    """The page's words for this channel, each written whole."""
    frequency = services_preferences.digest_frequency(code)
    if frequency is not None:
        return _digest_wording(frequency, channel)
    what = _kind_label(code)
    if channel == Channel.SMS:
        return {
            "heading": _("Stop text messages about: %(what)s") % {"what": what},
            "button": _("Stop these text messages"),
            "done": _("You will not get text messages about “%(what)s” any more.") % {"what": what},
        }
    if channel == Channel.LETTER:
        return {
            "heading": _("Stop letters about: %(what)s") % {"what": what},
            "button": _("Stop these letters"),
            "done": _("You will not get letters about “%(what)s” any more.") % {"what": what},
        }
    return {
        "heading": _("Stop emails about: %(what)s") % {"what": what},
        "button": _("Stop these emails"),
        "done": _("You will not get emails about “%(what)s” any more.") % {"what": what},
    }


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    asked = read_token(token)
    person = None
    if asked is not None:
        person = Person.objects.filter(pk=asked.person_id).select_related("community").first()
    if asked is None or person is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    context = {
        "token": token,
        "words": _wording(asked.channel, asked.kind),
        "community_name": person.community.name,
    }
    if request.method == "POST":
        services_preferences.unsubscribe_apply(asked=asked)
        return render(request, "notifications/unsubscribe_done.html", context)
    return render(request, "notifications/unsubscribe.html", context)
