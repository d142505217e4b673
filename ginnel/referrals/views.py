"""Referral pages: each names its permission and calls one selector or service."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from ginnel.communities.models import Membership
from ginnel.communities.permissions import Access, Perm, community_view
from ginnel.errors import GinnelError, PermissionRefused
from ginnel.referrals import selectors

SECTION_TITLES = {
    "new": _("New"),
    "due_today": _("Due today"),
    "overdue": _("Overdue"),
    "waiting": _("Waiting for first contact"),
    "open": _("All open"),
}


@community_view(Perm.VIEW_COMMUNITY)
def caseload(request: HttpRequest, access: Access) -> HttpResponse:
    """A link worker's caseload, one section and one page at a time.

    Coordinators may look at any link worker's with ``?worker=<membership id>``.
    """
    section = request.GET.get("section", "new")
    if section not in selectors.SECTIONS:
        raise Http404
    worker: Membership | None = None
    worker_id = request.GET.get("worker", "")
    if worker_id:
        if not worker_id.isdigit():
            raise Http404
        worker = Membership.objects.filter(community=access.community, pk=worker_id).first()
        if worker is None:
            raise Http404
    try:
        counts = selectors.caseload_counts(access=access, link_worker=worker)
        page = selectors.caseload(
            access=access,
            section=section,
            page=int(request.GET["page"]) if request.GET.get("page", "").isdigit() else 1,
            link_worker=worker,
        )
    except PermissionRefused as refused:
        raise PermissionDenied(refused.message) from refused
    except GinnelError as error:
        raise Http404 from error
    tabs = [(key, SECTION_TITLES[key], getattr(counts, key)) for key in selectors.SECTIONS]
    return render(
        request,
        "referrals/caseload.html",
        {
            "access": access,
            "section": section,
            "section_title": SECTION_TITLES[section],
            "tabs": tabs,
            "page": page,
            "worker": worker,
        },
    )
