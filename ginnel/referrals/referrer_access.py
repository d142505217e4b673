"""Pages for people at a referring organisation, who log in but are not members.

A GP practice's referrer has a login and a :class:`Referrer` row in the
community (added by a coordinator with ``referrer_add(user=...)``), but no
membership: :func:`communities.permissions.community_view` would refuse them.
:func:`referrer_view` lets in exactly those people and hands the view their
``Referrer`` (the first active one, if a person refers for two organisations
here the view may offer a choice).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from ginnel.communities.models import Community
from ginnel.referrals.models import Referrer, ReferrerKind

ReferrerView = Callable[..., HttpResponse]


def referrers_of(user: Any, community: Community) -> list[Referrer]:
    """The referrer records a logged-in user has in ``community`` at an active organisation."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Referrer.objects.filter(
            community=community,
            user=user,
            kind=ReferrerKind.EXTERNAL,
            organisation__is_active=True,
        )
        .select_related("organisation")
        .order_by("organisation__name", "pk")
    )


def referrer_view(view: ReferrerView) -> Callable[..., HttpResponse]:
    """Resolve ``/c/<community>/…`` for someone at a referring organisation.

    Anonymous visitors are sent to log in; anyone who is not a referrer here
    gets 403. The view is called as ``view(request, referrer, *args, **kwargs)``.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, community: str, *args: Any, **kwargs: Any) -> HttpResponse:
        found = get_object_or_404(Community, slug=community)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        mine = referrers_of(request.user, found)
        if not mine:
            raise PermissionDenied(_("You do not refer to this community for an organisation."))
        return view(request, mine[0], *args, **kwargs)

    return wrapper
