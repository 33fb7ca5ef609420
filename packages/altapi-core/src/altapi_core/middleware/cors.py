"""CORSMiddleware: cross-origin resource sharing, with Starlette's options and semantics."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..datastructures import Headers, MutableHeaders
from ..responses import PlainTextResponse
from ..types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CORSMiddleware"]

ALL_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
SAFELISTED_HEADERS = {"accept", "accept-language", "content-language", "content-type"}


class CORSMiddleware:
    """Answers preflight requests and adds CORS headers to responses for allowed origins.

    A preflight from a disallowed origin, method or header gets 400 with the reason.
    """

    def __init__(
        self,
        app: ASGIApp,
        allow_origins: Sequence[str] = (),
        allow_methods: Sequence[str] = ("GET",),
        allow_headers: Sequence[str] = (),
        allow_credentials: bool = False,
        allow_origin_regex: str | None = None,
        expose_headers: Sequence[str] = (),
        max_age: int = 600,
    ) -> None:
        self.app = app
        self.allow_all_origins = "*" in allow_origins
        self.allow_all_headers = "*" in allow_headers
        self.allow_origins = set(allow_origins)
        self.allow_methods = set(
            ALL_METHODS if "*" in allow_methods else (m.upper() for m in allow_methods)
        )
        self.allow_headers = {h.lower() for h in allow_headers} | SAFELISTED_HEADERS
        self.allow_credentials = allow_credentials
        self.origin_regex = re.compile(allow_origin_regex) if allow_origin_regex else None
        # An explicit origin list, a regex or credentials means echoing the origin back.
        self.echo_origin = (
            not self.allow_all_origins or allow_credentials or bool(self.origin_regex)
        )

        self.simple_headers: dict[str, str] = {}
        if self.allow_all_origins and not self.echo_origin:
            self.simple_headers["Access-Control-Allow-Origin"] = "*"
        if allow_credentials:
            self.simple_headers["Access-Control-Allow-Credentials"] = "true"
        if expose_headers:
            self.simple_headers["Access-Control-Expose-Headers"] = ", ".join(expose_headers)

        self.preflight_headers: dict[str, str] = {
            "Access-Control-Allow-Methods": ", ".join(sorted(self.allow_methods)),
            "Access-Control-Max-Age": str(max_age),
        }
        if self.allow_all_origins and not self.echo_origin:
            self.preflight_headers["Access-Control-Allow-Origin"] = "*"
        if not self.allow_all_headers:
            self.preflight_headers["Access-Control-Allow-Headers"] = ", ".join(
                sorted(self.allow_headers)
            )
        if allow_credentials:
            self.preflight_headers["Access-Control-Allow-Credentials"] = "true"

    def is_allowed_origin(self, origin: str) -> bool:
        if self.allow_all_origins:
            return True
        if self.origin_regex is not None and self.origin_regex.fullmatch(origin):
            return True
        return origin in self.allow_origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(raw=scope["headers"])
        origin = headers.get("origin")
        if origin is None:
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self.preflight(origin, headers)(scope, receive, send)
            return
        await self.simple(scope, receive, send, origin, cookie="cookie" in headers)

    def preflight(self, origin: str, headers: Headers) -> PlainTextResponse:
        answer = dict(self.preflight_headers)
        refused = []
        if self.is_allowed_origin(origin):
            if self.echo_origin:
                answer["Access-Control-Allow-Origin"] = origin
                answer["Vary"] = "Origin"
        else:
            refused.append("origin")
        if headers["access-control-request-method"].upper() not in self.allow_methods:
            refused.append("method")
        requested = headers.get("access-control-request-headers", "")
        if self.allow_all_headers and requested:
            answer["Access-Control-Allow-Headers"] = requested
        elif requested:
            names = {h.strip().lower() for h in requested.split(",") if h.strip()}
            if not names <= self.allow_headers:
                refused.append("headers")
        if refused:
            return PlainTextResponse(f"Disallowed CORS {', '.join(refused)}", 400, headers=answer)
        return PlainTextResponse("OK", 200, headers=answer)

    async def simple(
        self, scope: Scope, receive: Receive, send: Send, origin: str, cookie: bool
    ) -> None:
        allowed = self.is_allowed_origin(origin)

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start" and allowed:
                headers = MutableHeaders(raw=list(message["headers"]))
                headers.update(self.simple_headers)
                if self.echo_origin or (
                    self.allow_all_origins and cookie and self.allow_credentials
                ):
                    headers["Access-Control-Allow-Origin"] = origin
                    headers.add_vary_header("Origin")
                message["headers"] = headers.raw
            await send(message)

        await self.app(scope, receive, send_with_cors)
