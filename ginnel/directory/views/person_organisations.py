"""Which organisations a person edits for, seen from the person: reached from their roles page.

The tenancy's roles page knows no directory; the directory registers a link on
it (``roles_page.py``) to this page, where a coordinator or administrator adds
and removes the person's organisations, found by name, a short list at a time.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ginnel.communities.models import MembershipStatus
from ginnel.communities.permissions import Access, Perm, community_view
from ginnel.directory.models import Organization
from ginnel.directory.services import editing as services
from ginnel.errors import GinnelError
from ginnel.people.models import Person
from ginnel.ui.ids import is_id

#: At most this many organisations found by a search are listed.
FOUND_AT_MOST = 20


def _person(access: Access, person_id: int) -> Person:
    person = Person.objects.filter(
        community=access.community, pk=person_id, membership__status=MembershipStatus.ACTIVE
    ).first()
    if person is None:
        raise Http404(_("There is no such member in this community."))
    return person


def _theirs(access: Access, person: Person) -> list[Organization]:
    return list(person.edits_for.filter(community=access.community).order_by("name", "pk"))


@community_view(Perm.REVIEW_DIRECTORY)
@require_http_methods(["GET", "POST"])
def person_organisations(request: HttpRequest, access: Access, person_id: int) -> HttpResponse:
    person = _person(access, person_id)
    error = ""
    if request.method == "POST":
        raw = request.POST.get("organisation", "")
        action = request.POST.get("action", "")
        organization = (
            Organization.objects.filter(community=access.community, pk=int(raw)).first()
            if is_id(raw)
            else None
        )
        if organization is None or action not in ("add", "remove"):
            error = _("Choose an organisation to add or remove.")
        else:
            editors = list(organization.editors.all())
            if action == "add" and person not in editors:
                editors.append(person)
            if action == "remove":
                editors = [p for p in editors if p.pk != person.pk]
            try:
                services.organization_editors_set(
                    access=access, organization=organization, editors=editors
                )
            except GinnelError as refused:
                error = refused.message
            else:
                values = {"person": person.display_name, "organisation": organization.name}
                if action == "add":
                    done = (
                        _(
                            "%(person)s now edits for %(organisation)s, and is reminded "
                            "when its entries are due for review."
                        )
                        % values
                    )
                else:
                    done = (
                        _(
                            "%(person)s no longer edits for %(organisation)s, "
                            "and is not reminded about its entries."
                        )
                        % values
                    )
                messages.success(request, done)
                return redirect(request.path)
    query = request.GET.get("q", "").strip()[:100]
    theirs = _theirs(access, person)
    found: list[Organization] = []
    if query:
        found = list(
            Organization.objects.filter(community=access.community, name__icontains=query)
            .exclude(pk__in=[o.pk for o in theirs])
            .order_by("name", "pk")[:FOUND_AT_MOST]
        )
    return render(
        request,
        "directory/person_organisations.html",
        {
            "access": access,
            "person": person,
            "theirs": theirs,
            "query": query,
            "found": found,
            "error": error,
        },
        status=400 if error else 200,
    )


urlpatterns: list[URLPattern] = [
    path(
        "manage/people/<int:person_id>/organisations/",
        person_organisations,
        name="person_organisations",
    ),
]
