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
from ginnel.referrals import selectors_coordinator as coordinator
from ginnel.referrals.views_coordinator import filter_form, page_number
from ginnel.ui.ids import is_id

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

    Coordinators may look at any link worker's with ``?worker=<membership id>``
    (and move a case from it to another link worker). Reason, referring
    organisation and neighbourhood narrow the rows and the counts alike.
    """
    section = request.GET.get("section", "new")
    if section not in selectors.SECTIONS:
        raise Http404
    worker: Membership | None = None
    worker_id = request.GET.get("worker", "")
    if worker_id:
        if not is_id(worker_id):
            raise Http404
        worker = Membership.objects.filter(community=access.community, pk=worker_id).first()
        if worker is None:
            raise Http404
    filters_form = filter_form(request, access)
    filters = filters_form.filters()
    try:
        counts = coordinator.caseload_counts(access=access, filters=filters, link_worker=worker)
        page = coordinator.caseload(
            access=access,
            section=section,
            filters=filters,
            page=page_number(request),
            link_worker=worker,
        )
    except PermissionRefused as refused:
        raise PermissionDenied(refused.message) from refused
    except GinnelError as error:
        raise Http404 from error
    may_move = access.can(Perm.ALLOCATE_REFERRALS)
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
            "filter_form": filters_form,
            "filtered": filters.any,
            "keep": [("section", section), *([("worker", worker.pk)] if worker else [])],
            "workers": list(coordinator.link_workers(access=access)) if may_move else [],
        },
        status=400 if filters_form.errors else 200,
    )
