from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """True when htmx asked for a fragment (set by django-htmx's middleware)."""
    return bool(getattr(request, "htmx", False))
