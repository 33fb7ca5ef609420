"""HTTPSRedirectMiddleware: send http:// and ws:// requests to https:// and wss://."""

from __future__ import annotations

from ..datastructures import URL
from ..responses import RedirectResponse
from ..types import ASGIApp, Receive, Scope, Send

__all__ = ["HTTPSRedirectMiddleware"]


class HTTPSRedirectMiddleware:
    """Redirects with 307 (method and body kept), or `status_code=308` for a permanent one."""

    def __init__(self, app: ASGIApp, status_code: int = 307) -> None:
        if status_code not in (301, 302, 307, 308):
            raise ValueError(f"redirect status must be 301, 302, 307 or 308, not {status_code}")
        self.app = app
        self.status_code = status_code

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scheme = scope.get("scheme")
        if scope["type"] not in ("http", "websocket") or scheme not in ("http", "ws"):
            await self.app(scope, receive, send)
            return
        url = URL.from_scope(scope)
        secure = {"http": "https", "ws": "wss"}[scheme]
        netloc = url.hostname or ""
        if url.port not in (None, 80, 443):
            netloc = f"{netloc}:{url.port}"
        target = url.replace(scheme=secure, netloc=netloc)
        if scope["type"] == "websocket":
            if "websocket.http.response" in scope.get("extensions", {}):
                # The handshake is answered with the redirect itself (ASGI denial response).
                location = RedirectResponse(target).headers["location"].encode("latin-1")
                await send(
                    {
                        "type": "websocket.http.response.start",
                        "status": self.status_code,
                        "headers": [(b"location", location), (b"content-length", b"0")],
                    }
                )
                await send({"type": "websocket.http.response.body", "body": b""})
            else:
                await send({"type": "websocket.close", "code": 1008, "reason": f"use {target}"})
            return
        await RedirectResponse(target, status_code=self.status_code)(scope, receive, send)
