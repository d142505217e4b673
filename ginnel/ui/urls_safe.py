"""The one rule for web addresses Ginnel stores or shows as links.

Only ``http``, ``https``, ``mailto`` and ``tel`` addresses are kept: a
``javascript:``, ``data:`` or ``vbscript:`` address (or any other scheme) is not
a link, whichever way it came in (an imported feed, a form, a value stored
before this rule). An address without a scheme (``example.com/path``, or
``//example.com``) is taken to be a web address and given ``https://``.

- :func:`safe_url` — the address to store or link to, or None;
- :class:`SafeURLField` — the form field that applies it, with a message by the field;
- the ``safe_href`` template filter (``ginnel.ui.templatetags.safe_links``) — for
  every ``href`` built from a stored value.

See docs/privacy.md ("Hardening: links, text and memory").
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

ALLOWED_SCHEMES = ("http", "https", "mailto", "tel")
MAX_URL_LENGTH = 2000

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
# What a browser strips or folds inside an address ("java\tscript:"), and has no place
# in one: control characters and whitespace.
_UNSAFE_CHARS = re.compile(r"[\x00-\x20\x7f-\x9f\s]")
# A host name: labels of letters, digits and hyphens (any script), a dot, a last label
# of at least two characters; optionally a port.
_HOST = re.compile(
    r"^(?:[\w\-]+\.)+[^\W\d_][\w\-]*\.?(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$"
)
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?$")


def safe_url(value: Any) -> str | None:
    """``value`` as an address Ginnel may store and link to, or None when it may not be one.

    Blank is None. ``example.com`` becomes ``https://example.com``; ``HTTPS://x.org``
    keeps its address with the scheme in lower case; ``mailto:`` and ``tel:`` need
    something after the colon; every other scheme is refused.
    """
    if value is None:
        return None
    text = str(value).strip()
    if not text or len(text) > MAX_URL_LENGTH or _UNSAFE_CHARS.search(text):
        return None
    if text.startswith("//"):
        text = "https:" + text
    match = _SCHEME.match(text)
    if match is None or ("." in match[1] and not text[match.end() :].startswith("//")):
        # No scheme, or "example.com:8080/…" (a host and a port, not a scheme).
        return _schemeless(text)
    scheme = match[1].lower()
    rest = text[match.end() :]
    if scheme not in ALLOWED_SCHEMES:
        return None
    if scheme in ("mailto", "tel"):
        return f"{scheme}:{rest}" if rest.strip("/") else None
    if not rest.startswith("//"):
        return None
    try:
        parts = urlsplit(f"{scheme}:{rest}")
        host = parts.hostname
        parts.port  # noqa: B018 — raises ValueError on a port that is not one
    except ValueError:
        return None
    if not host:
        return None
    return f"{scheme}:{rest}"


def _schemeless(text: str) -> str | None:
    """``example.com/where`` as ``https://example.com/where``; None unless it starts with a host."""
    if text.startswith(("/", "#", "?", "\\")):
        return None  # a path on whatever site shows it: not an address we keep
    host = re.split(r"[/?#]", text, maxsplit=1)[0]
    if "@" in host or not (_HOST.match(host) or _IPV4.match(host)):
        return None
    return safe_url(f"https://{text}")


def is_safe_url(value: Any) -> bool:
    """Whether ``value`` is blank or an address :func:`safe_url` keeps."""
    return value in (None, "") or safe_url(value) is not None


class SafeURLField(forms.CharField):
    """A web address (or a mailto:/tel: link) through :func:`safe_url`; blank is "".

    Give your own wording with ``error_messages={"unsafe": …}``.
    """

    widget = forms.URLInput

    default_error_messages = {
        "unsafe": gettext_lazy(
            "Enter a web address like https://example.org (or an email or phone link "
            "starting mailto: or tel:)"
        ),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 500)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        if not text:
            return ""
        safe = safe_url(text)
        if safe is None:
            raise ValidationError(self.error_messages["unsafe"], code="unsafe")
        return safe
