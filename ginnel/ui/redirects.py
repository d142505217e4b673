"""Where a small form sends the browser back to: the page it came from, if it is ours."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def local_or(request: HttpRequest, wanted: str, default: str) -> str:
    """``wanted`` when it is a path on this site, otherwise ``default``."""
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return default


def next_or(request: HttpRequest, default: str) -> str:
    """The form's ``next`` when it is a path on this site, otherwise ``default``."""
    return local_or(request, request.POST.get("next", ""), default)
