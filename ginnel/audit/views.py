"""Subject access: a person's own copy of their data, and staff producing one for a person."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from ginnel.audit import readable, selectors, services
from ginnel.audit.forms import StaffExportForm
from ginnel.audit.models import ExportFormat
from ginnel.communities.permissions import Access, Perm, community_view
from ginnel.errors import GinnelError
from ginnel.people.models import Person


def _answer(
    request: HttpRequest, access: Access, person: Person, data: dict[str, Any], fmt: str
) -> HttpResponse:
    if fmt == ExportFormat.JSON:
        response = HttpResponse(
            json.dumps(data, indent=2, ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="my-data.json"'
        response["Cache-Control"] = "no-store"
        return response
    response = render(
        request,
        "audit/readable.html",
        {"access": access, "person": person, "sections": readable.sections(data)},
    )
    response["Cache-Control"] = "no-store"
    return response


@community_view(Perm.EDIT_OWN_RECORD)
@require_GET
def my_data(request: HttpRequest, access: Access) -> HttpResponse:
    person = selectors.person_to_export(access=access, person_id=None)
    return render(request, "audit/my_data.html", {"access": access, "person": person})


@community_view(Perm.EDIT_OWN_RECORD)
@require_GET
def my_data_json(request: HttpRequest, access: Access) -> HttpResponse:
    person = selectors.person_to_export(access=access, person_id=None)
    data = services.export_make(access=access, person=person, format=ExportFormat.JSON)
    return _answer(request, access, person, data, ExportFormat.JSON)


@community_view(Perm.EDIT_OWN_RECORD)
@require_GET
def my_data_view(request: HttpRequest, access: Access) -> HttpResponse:
    person = selectors.person_to_export(access=access, person_id=None)
    data = services.export_make(access=access, person=person, format=ExportFormat.HTML)
    return _answer(request, access, person, data, ExportFormat.HTML)


@community_view(Perm.ALLOCATE_REFERRALS)
@require_http_methods(["GET", "POST"])
def person_data(request: HttpRequest, access: Access, person_id: int) -> HttpResponse:
    person = selectors.person_to_export(access=access, person_id=person_id)
    form = StaffExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fmt = ExportFormat(form.cleaned_data["format"])
        try:
            data = services.export_make(
                access=access, person=person, format=fmt, reason=form.cleaned_data["reason"]
            )
        except GinnelError as error:
            form.add_domain_error(error)
        else:
            return _answer(request, access, person, data, fmt)
    return render(
        request,
        "audit/person_data.html",
        {"access": access, "person": person, "form": form},
        status=400 if form.errors else 200,
    )
