"""A coordinator's page for FHIR intake tokens: issue one (shown once), revoke one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from ginnel.communities.models import Community
from ginnel.communities.permissions import Access, Perm, community_view
from ginnel.errors import GinnelError
from ginnel.referrals import tokens
from ginnel.ui.forms import Form
from ginnel.ui.ids import is_id
from ginnel.ui.picker import Match, PickerField

PER_PAGE = 25


class TokenIssueForm(Form):
    label = forms.CharField(
        label=gettext_lazy("Name of the system that will send referrals"),
        max_length=tokens.MAX_LABEL,
        help_text=gettext_lazy("For example: EMIS Web, SystmOne, or the council's case system."),
        error_messages={
            "required": gettext_lazy("Enter the name of the system that will send referrals."),
            "max_length": gettext_lazy("Enter a name of 120 characters or fewer."),
        },
    )

    def __init__(self, *args: Any, community: Community | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        def search(text: str, limit: int) -> Sequence[Match]:
            if community is None:
                return []
            found = tokens.organisations_search(community=community, text=text, limit=limit)
            return [Match(str(o.pk), o.name, (o.ods_code,) if o.ods_code else (), o) for o in found]

        def get(values: Sequence[str]) -> Sequence[Match]:
            ids = [int(v) for v in values if is_id(v)]
            if community is None or not ids:
                return []
            found = tokens.organisations_get(community=community, ids=ids)
            return [Match(str(o.pk), o.name, (o.ods_code,) if o.ods_code else (), o) for o in found]

        self.fields = {
            "organisation": PickerField(
                label=gettext_lazy("Organisation"),
                search=search,
                get=get,
                help_text=gettext_lazy(
                    "Type part of the organisation's name or its ODS code and search, "
                    "then choose it from the list."
                ),
                error_messages={
                    "required": gettext_lazy(
                        "Search for the organisation, then choose it from the list."
                    )
                },
            ),
            **self.fields,
        }


@community_view(Perm.ALLOCATE_REFERRALS)
@require_http_methods(["GET", "POST"])
@never_cache
def tokens_page(request: HttpRequest, access: Access) -> HttpResponse:
    """Every token with when it was last used; a form to issue one, whose secret shows once."""
    form = TokenIssueForm(request.POST or None, community=access.community)
    issued: tokens.IssuedToken | None = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = tokens.token_issue(
                access=access,
                organisation=form.cleaned_data["organisation"],
                label=form.cleaned_data["label"],
            )
        except GinnelError as error:
            form.add_domain_error(error)
        else:
            form = TokenIssueForm(community=access.community)
    page = Paginator(tokens.tokens_list(access=access), PER_PAGE).get_page(request.GET.get("page"))
    api = request.build_absolute_uri(
        reverse("fhir:service_requests", kwargs={"community": access.community.slug})
    )
    return render(
        request,
        "referrals/tokens.html",
        {"access": access, "form": form, "issued": issued, "page": page, "api": api},
        status=400 if form.errors else 200,
    )


@community_view(Perm.ALLOCATE_REFERRALS)
@require_POST
def token_revoke(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    token = tokens.token_get(access=access, pk=pk)
    if token is None:
        raise Http404
    try:
        tokens.token_revoke(access=access, token=token)
    except GinnelError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The token for %(system)s at %(organisation)s is revoked: it no longer works.")
            % {"system": token.label, "organisation": token.organisation.name},
        )
    return redirect("referrals:tokens", community=access.community.slug)
