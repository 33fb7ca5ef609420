"""The request path: find the route, run the function middleware and the handler, send.

This is the hot path. Everything it needs was compiled at start-up; per request
it does one router lookup, builds one Request and one Exchange, and awaits.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote

import anyio

from .context import _current as _current_request
from .endpoints import Endpoint
from .errors import ErrorHandlers, report_server_error
from .exchange import Exchange
from .lifespan import run_lifespan
from .requests import ClientDisconnect, Request
from .responses import RedirectResponse, Response
from .types import ASGIApp, Receive, Scope, Send
from .websocket_dispatch import route_path, serve_websocket

__all__ = ["Dispatcher", "FunctionMiddleware", "route_path"]

CallNext = Callable[[Request], Awaitable[Response]]
FunctionMiddleware = Callable[[Request, CallNext], Awaitable[Response]]


class MountedResponse(Response):
    """Hands the request to a mounted ASGI app. Headers a middleware sets here are
    added to the app's own; `status_code` is unknown (None) until the app answers."""

    def __init__(self, app: ASGIApp, scope: Scope) -> None:
        self.app = app
        self.child_scope = scope
        self.status_code = None  # type: ignore[assignment]
        self.background = None
        self.raw_headers = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        extra = self.raw_headers
        if not extra:
            await self.app(self.child_scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            await send(message)

        await self.app(self.child_scope, receive, send_with_headers)


class Dispatcher:
    """Routes HTTP requests; built by the app when it starts."""

    def __init__(
        self,
        app: Any,
        router: Any,
        mounts: list[tuple[str, ASGIApp]],
        errors: ErrorHandlers,
        function_middleware: list[FunctionMiddleware],
        *,
        max_body_size: int | None,
        redirect_slashes: bool,
    ) -> None:
        self.app = app
        self.router = router
        self.mounts = sorted(mounts, key=lambda m: len(m[0]), reverse=True)
        self.errors = errors
        self.max_body_size = max_body_size
        self.redirect_slashes = redirect_slashes
        self.has_function_middleware = bool(function_middleware)
        chain: CallNext = self.route
        for middleware in function_middleware:
            chain = _bind(middleware, chain)
        self.chain = chain

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self.http(scope, receive, send)
        elif kind == "websocket":
            await serve_websocket(self.app, scope, receive, send)
        elif kind == "lifespan":
            await run_lifespan(self.app, scope, receive, send)
        else:
            raise RuntimeError(f"unknown ASGI scope type {kind!r}")

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send, self.max_body_size)
        # A one-item list, emptied when the request ends, not the request itself: the
        # server copies this context into what it schedules from inside send() (uvicorn's
        # keep-alive timer), and a copy holding the request kept it and all it references
        # alive until the connection's next request. PERF: ~60-140 -> ~1 garbage
        # collections per 10k requests on 64 keep-alive connections (test_gc_under_load).
        current = [request]
        _current_request.set(current)
        try:
            exchange = request._exchange = Exchange()
            if self.has_function_middleware:  # it may hand on a Request of its own
                scope["altapi.exchange"] = exchange
            try:
                response = await self.chain(request)
            except ClientDisconnect as exc:
                await _finish(exchange, exc, request)
                return
            except Exception as exc:
                response = await self.errors.server_error(request, exc)
                try:
                    await response(scope, receive, send)
                finally:
                    await _finish(exchange, exc, request)
                report_server_error(scope, exc)  # logged; the connection stays open
                return
            try:
                await response(scope, receive, send)
            except BaseException as exc:
                await _finish(exchange, exc, request)
                raise
            pending = exchange.finish()
            if pending is not None:
                await pending
            if request._form is not None:
                await request.close()  # uploaded files' temporary storage
        finally:
            current.clear()

    def route(self, request: Request) -> Awaitable[Response]:
        # PERF: a plain function returning the endpoint's coroutine: one frame less.
        scope = request.scope
        if request._exchange is None:  # a middleware passed on a Request of its own
            request._exchange = scope["altapi.exchange"]
        path = route_path(scope) if scope.get("root_path") else scope["path"]
        raw = scope.get("raw_path")
        # PERF: partition(), not `in`: `bytes in bytes` first tries the needle as an int,
        # raising and clearing a TypeError each request (~2k instructions); nor find(),
        # which parses its arguments as a tuple (~570 more than partition's one argument).
        if raw is not None and raw.partition(b"%2")[1] and b"%2f" in raw.lower():
            return self.route_segments(request, path, raw)
        match = self.router.match(scope["method"], path)
        if match is None:
            return self.no_route(request, path)
        endpoint, params = match
        scope["path_params"] = params
        return endpoint.respond(request, params, request._exchange)

    async def route_segments(self, request: Request, path: str, raw: bytes) -> Response:
        """Route on raw_path's segments so an encoded slash (%2F) stays inside its segment."""
        segments = [unquote(s) for s in raw.decode("latin-1")[1:].split("/")]
        root = request.scope.get("root_path", "").strip("/")
        if root:
            segments = segments[root.count("/") + 1 :]
        method = request.scope["method"]
        match = self.router.match_segments(method, segments)
        if match is None and method == "HEAD":
            match = self.router.match_segments("GET", segments)
        if match is not None:
            return await self.respond(request, *match)
        if self.router.allowed_methods(segments):
            return await self.no_route(request, path, segments)
        return await self.errors.http_error(request, 404)

    async def respond(
        self, request: Request, endpoint: Endpoint, params: dict[str, Any]
    ) -> Response:
        request.scope["path_params"] = params
        return await endpoint.respond(request, params, request._exchange)  # errors handled there

    def no_route(
        self, request: Request, path: str, segments: list[str] | None = None
    ) -> Awaitable[Response]:
        """The answer when no route matches the method and path: HEAD as GET, a mounted
        app, 405 (or OPTIONS' 204), a trailing-slash redirect, else 404.

        PERF: a plain function handing back the awaitable to await, like `route`: a 404
        is the error handlers' own coroutine, with no frame of ours around it.
        """
        scope = request.scope
        method = scope["method"]
        if method == "HEAD":
            match = self.router.match("GET", path)
            if match is not None:
                return self.respond(request, *match)
        for prefix, app in self.mounts:
            if prefix == "/" or path == prefix or path.startswith(prefix + "/"):
                root = scope.get("root_path", "")
                child = {**scope, "root_path": root + ("" if prefix == "/" else prefix)}
                return _ready(MountedResponse(app, child))
        allowed = self.router.allowed_methods(path if segments is None else segments)
        if allowed:
            allow = _allow_header(allowed)
            if method == "OPTIONS":
                return _ready(Response(status_code=204, headers={"Allow": allow}))
            return self.errors.http_error(request, 405, headers={"Allow": allow})
        if self.redirect_slashes and path != "/":
            # PERF: path[-1:], not endswith(), which parses its arguments (~200 instructions)
            other = path[:-1] if path[-1:] == "/" else path + "/"
            if self.router.allowed_methods(other):
                target = scope.get("root_path", "") + other
                query = scope.get("query_string", b"")
                if query:
                    target += "?" + query.decode("latin-1")
                return _ready(RedirectResponse(target, status_code=307))
        return self.errors.http_error(request, 404)


async def _ready(response: Response) -> Response:
    return response


@functools.lru_cache(maxsize=256)
def _allow_header(allowed: frozenset[str]) -> str:
    """The Allow header for a path's methods (cached: an app has a handful of method sets)."""
    names = set(allowed) | {"OPTIONS"}
    if "GET" in names:
        names.add("HEAD")
    return ", ".join(sorted(names))


def _bind(middleware: FunctionMiddleware, call_next: CallNext) -> CallNext:
    async def call(request: Request) -> Response:
        response = await middleware(request, call_next)
        if not isinstance(response, Response):
            name = getattr(middleware, "__name__", middleware)
            raise TypeError(f"middleware {name!r} returned {response!r}, not a Response")
        return response

    return call


async def _finish(exchange: Exchange, error: BaseException, request: Request) -> None:
    with anyio.CancelScope(shield=True):
        try:
            pending = exchange.finish(error)
            if pending is not None:
                await pending
        finally:
            if request._form is not None:
                await request.close()
