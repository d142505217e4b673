"""The failed sends page: coordinators see what could not be sent, and try it again."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ginnel.communities.permissions import Access, community_view
from ginnel.notifications import failed as failed_sends
from ginnel.notifications.failed import PERMISSION


@community_view(PERMISSION)
@require_GET
def failed(request: HttpRequest, access: Access) -> HttpResponse:
    page = failed_sends.failed_sends(access=access, page=request.GET.get("page"))
    return render(request, "notifications/failed.html", {"access": access, "page": page})


@community_view(PERMISSION)
@require_POST
def failed_retry(request: HttpRequest, access: Access, delivery_id: int) -> HttpResponse:
    if not failed_sends.send_exists(access=access, delivery_id=delivery_id):
        raise Http404(_("There is no such send in this community."))
    if failed_sends.try_again(access=access, delivery_id=delivery_id):
        messages.success(request, _("It will be sent again now."))
    else:
        messages.info(request, _("That send is no longer among the failed ones."))
    return redirect("notifications:failed", community=access.community.slug)
