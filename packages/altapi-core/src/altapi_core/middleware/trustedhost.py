"""TrustedHostMiddleware: refuse requests whose Host header is not an allowed host."""

from __future__ import annotations

from collections.abc import Sequence

from ..datastructures import URL, Headers
from ..responses import PlainTextResponse, RedirectResponse
from ..types import ASGIApp, Receive, Scope, Send

__all__ = ["TrustedHostMiddleware"]


class TrustedHostMiddleware:
    """`allowed_hosts` entries are exact names or `*.example.com` (any subdomain);
    `"*"` allows all. A bad or missing Host gets 400. With `www_redirect`, a request
    for `example.com` when only `www.example.com` is allowed is redirected there."""

    def __init__(
        self, app: ASGIApp, allowed_hosts: Sequence[str] = ("*",), www_redirect: bool = True
    ) -> None:
        for pattern in allowed_hosts:
            if "*" in pattern[1:] or (
                pattern.startswith("*") and pattern != "*" and not pattern.startswith("*.")
            ):
                raise ValueError(f"a host pattern may only start with '*.': {pattern!r}")
        self.app = app
        self.allow_any = "*" in allowed_hosts
        self.allowed_hosts = [h.lower() for h in allowed_hosts]
        self.www_redirect = www_redirect

    def _matches(self, host: str) -> bool:
        for pattern in self.allowed_hosts:
            if host == pattern or (pattern.startswith("*.") and host.endswith(pattern[1:])):
                return True
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.allow_any or scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = Headers(raw=scope["headers"]).get("host", "").split(":", 1)[0].lower()
        if host and self._matches(host):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": "Invalid host header"})
            return
        if host and self.www_redirect and self._matches("www." + host):
            url = URL.from_scope(scope)
            response: PlainTextResponse = RedirectResponse(
                url.replace(netloc="www." + url.netloc), 307
            )  # type: ignore[assignment]
        else:
            response = PlainTextResponse("Invalid host header", status_code=400)
        await response(scope, receive, send)
