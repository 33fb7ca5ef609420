"""`RateLimitMiddleware`: one global limit on every HTTP request of an app."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from altapi_core import Request
from altapi_core.types import ASGIApp, Message, Receive, Scope, Send

from .decorators import Guard, KeyFunc
from .limiter import RateLimiter, unique_name

__all__ = ["RateLimitMiddleware"]


class RateLimitMiddleware:
    """`AltAPI(middleware=[Middleware(RateLimitMiddleware, limit=100, period=60)])`.

    HTTP requests are counted per key (default: client IP); WebSocket and lifespan
    traffic passes through (use `RateLimiter.hit` in a WebSocket handler).
    """

    def __init__(
        self,
        app: ASGIApp,
        limit: int,
        period: float,
        key_func: KeyFunc | None = None,
        *,
        skip_when: KeyFunc | None = None,
        trusted_proxies: Iterable[str] | None = None,
        ietf_headers: bool = False,
        **limiter_options: Any,
    ) -> None:
        self.app = app
        limiter_options.setdefault("name", unique_name("RateLimitMiddleware"))
        self.limiter = RateLimiter(limit, period, **limiter_options)
        self.guard = Guard(self.limiter, key_func, skip_when, trusted_proxies, ietf_headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, self._close_at_shutdown(send))
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        decision = await self.guard.decide(Request(scope, receive))
        if decision is None:
            await self.app(scope, receive, send)
            return
        if not decision.allowed:
            await self.guard.refusal(decision)(scope, receive, send)
            return
        extra = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in self.guard.headers(decision).items()
        ]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _close_at_shutdown(self, send: Send) -> Send:
        """The app's shutdown is where a worker lets go of the table (see .extension)."""

        async def send_then_close(message: Message) -> None:
            if message["type"] == "lifespan.shutdown.complete":
                self.limiter.close()
            await send(message)

        return send_then_close
