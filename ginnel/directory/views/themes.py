"""Administrators' page of themes and needs: rename a term, retire it, restore it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from ginnel.communities.permissions import Access, Perm, community_view
from ginnel.directory.models import KINDS_TAXONOMY, TaxonomyTerm
from ginnel.directory.services import themes as services
from ginnel.errors import GinnelError, PermissionRefused
from ginnel.ui.forms import Form

PER_PAGE = 50


class RenameForm(Form):
    name = forms.CharField(
        label=gettext_lazy("New name"),
        max_length=services.NAME_LENGTH,
        error_messages={"required": gettext_lazy("Enter the theme's new name.")},
    )


def _terms(access: Access) -> QuerySet[TaxonomyTerm]:
    return (
        TaxonomyTerm.objects.filter(community=access.community)
        .exclude(taxonomy__name=KINDS_TAXONOMY)
        .select_related("taxonomy", "parent")
        .order_by("taxonomy__name", "name", "id")
    )


def _term(access: Access, term_id: int) -> TaxonomyTerm:
    term = (
        TaxonomyTerm.objects.filter(community=access.community, pk=term_id)
        .exclude(taxonomy__name=KINDS_TAXONOMY)
        .select_related("taxonomy")
        .first()
    )
    if term is None:
        raise Http404(_("There is no such theme in this community."))
    return term


@community_view(Perm.MANAGE_COMMUNITY)
def themes(request: HttpRequest, access: Access) -> HttpResponse:
    page = Paginator(_terms(access), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "directory/themes.html", {"access": access, "page": page})


@community_view(Perm.MANAGE_COMMUNITY)
@require_http_methods(["GET", "POST"])
def theme(request: HttpRequest, access: Access, term_id: int) -> HttpResponse:
    term = _term(access, term_id)
    form = RenameForm(request.POST or None, initial={"name": term.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.term_rename(access=access, term_id=term.pk, name=form.cleaned_data["name"])
        except PermissionRefused as refused:
            raise PermissionDenied(refused.message) from refused
        except GinnelError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request,
                _("The theme is now called %(name)s.") % {"name": form.cleaned_data["name"]},
            )
            return redirect("directory:themes", community=access.community.slug)
    status = 400 if request.method == "POST" and form.errors else 200
    return render(
        request,
        "directory/theme_edit.html",
        {"access": access, "term": term, "form": form},
        status=status,
    )


def _retire(request: HttpRequest, access: Access, term_id: int, *, retire: bool) -> HttpResponse:
    term = _term(access, term_id)
    try:
        services.term_retire(access=access, term_id=term.pk, retire=retire)
    except PermissionRefused as refused:
        raise PermissionDenied(refused.message) from refused
    except GinnelError as error:
        messages.error(request, error.message)
    else:
        if retire:
            said = _(
                "%(name)s is retired: it is no longer offered for new entries, and stays on "
                "the ones that have it."
            )
        else:
            said = _("%(name)s is offered for new entries again.")
        messages.success(request, said % {"name": term.name})
    return redirect("directory:themes", community=access.community.slug)


@community_view(Perm.MANAGE_COMMUNITY)
@require_POST
def theme_retire(request: HttpRequest, access: Access, term_id: int) -> HttpResponse:
    return _retire(request, access, term_id, retire=True)


@community_view(Perm.MANAGE_COMMUNITY)
@require_POST
def theme_restore(request: HttpRequest, access: Access, term_id: int) -> HttpResponse:
    return _retire(request, access, term_id, retire=False)


urlpatterns: list[URLPattern] = [
    path("manage/themes/", themes, name="themes"),
    path("manage/themes/<int:term_id>/", theme, name="theme"),
    path("manage/themes/<int:term_id>/retire/", theme_retire, name="theme_retire"),
    path("manage/themes/<int:term_id>/restore/", theme_restore, name="theme_restore"),
]
