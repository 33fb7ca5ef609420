"""Request keys: the client address, optionally behind trusted proxies."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import Any

from altapi_core import Request

__all__ = ["client_ip", "client_ip_behind"]

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_ip(request: Request) -> str:
    """The peer address of the connection; headers are ignored, so it cannot be spoofed."""
    client = request.scope.get("client")
    return client[0] if client else "unknown"


def client_ip_behind(trusted_proxies: Iterable[str]) -> Callable[[Any], str]:
    """A key function reading X-Forwarded-For, but only from the given proxies.

    When the peer is a trusted proxy, the key is the right-most X-Forwarded-For hop
    that is not itself trusted (hops to its left could have been written by the
    client); otherwise it is the peer address.
    """
    networks: list[_Network] = [ipaddress.ip_network(p, strict=False) for p in trusted_proxies]

    def trusted(host: str) -> bool:
        try:
            address = ipaddress.ip_address(host.strip())
        except ValueError:
            return False
        return any(address in network for network in networks)

    def key(request: Any) -> str:
        peer = client_ip(request)
        if not trusted(peer):
            return peer
        hops = [
            hop.strip()
            for value in request.headers.getlist("x-forwarded-for")
            for hop in value.split(",")
            if hop.strip()
        ]
        for hop in reversed(hops):
            if not trusted(hop):
                return hop
        return hops[0] if hops else peer

    return key
