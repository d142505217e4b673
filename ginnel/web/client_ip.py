"""The address a request came from, for the login lockout (django-axes).

Behind a reverse proxy every request arrives from the proxy's address, so counting
``REMOTE_ADDR`` would lock an account out for everyone after five wrong guesses.
The proxy passes the real address on in ``X-Forwarded-For`` — but anyone can send
that header, so it is believed only when the request came from a proxy named in
``GINNEL_TRUSTED_PROXIES`` (addresses or networks, e.g. ``10.0.0.0/8``). Empty, the
default: the header is ignored and ``REMOTE_ADDR`` is used.

The forwarded list is read from the right (the entries our own proxies added) and the
first address that is not one of our proxies is the client's.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in trusted)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    found = _address(address)
    return found is not None and any(found in network for network in networks)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: forwarded only through proxies we trust."""
    remote: str | None = request.META.get("REMOTE_ADDR")
    networks = _networks(tuple(getattr(settings, "GINNEL_TRUSTED_PROXIES", ())))
    if not remote or not networks or not _trusted(remote, networks):
        return remote
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    for hop in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        if _address(hop) is None:
            break  # not an address: stop believing the header here
        if not _trusted(hop, networks):
            return hop
    return remote
