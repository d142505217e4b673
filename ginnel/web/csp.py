"""Content-Security-Policy: a page may load script, style and images from our own
origin only, never run inline script or inline style, and never be framed.

Ginnel's pages are written for it: no ``<script>`` blocks, no ``style=""``
attributes, no ``on…=`` handlers; htmx is told not to inject its indicator style
(``htmx-config`` in ``base.html``). The one addition: with directory maps switched
on (``GINNEL_MAP_TILES``), images may also come from the tile server's origin.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"


def _tile_origin() -> str:
    tiles = getattr(settings, "GINNEL_MAP_TILES", "")
    parts = urlsplit(tiles)
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return ""


def policy() -> str:
    """The header's value, one directive after another."""
    images = " ".join(filter(None, ["'self'", "data:", _tile_origin()]))
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {images}",
            "frame-ancestors 'none'",
            "form-action 'self'",
            "base-uri 'self'",
            "object-src 'none'",
        ]
    )


class ContentSecurityPolicyMiddleware:
    """Adds the policy to every response that does not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = policy()
        return response
