from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from ginnel.communities.selectors import communities_of


def communities(request: HttpRequest) -> dict[str, Any]:
    """The asker's communities, for the header's switcher (lazy: one query when shown)."""
    user = getattr(request, "user", None)
    mine = communities_of(user) if user is not None and user.is_authenticated else []
    return {"my_communities": mine, "source_url": settings.SOURCE_URL}
