"""The request path: find the answer, run the function middleware and the handler, send.

This is the hot path. Everything it needs was compiled at start-up; per request
it does one router lookup and, unless the framework answers alone (404, 405...),
builds one Request and one Exchange, and awaits (see docs/architecture.md).
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
from .exceptions import HTTPException
from .exchange import Exchange
from .lifespan import run_lifespan
from .requests import ClientDisconnect, Request
from .responses import RedirectResponse, Response
from .types import ASGIApp, Receive, Scope, Send
from .websocket_dispatch import route_path, serve_websocket

__all__ = ["Dispatcher", "FunctionMiddleware", "route_path"]

CallNext = Callable[[Request], Awaitable[Response]]
# What answers a request (Dispatcher.find): its route's (endpoint, path_params), the
# framework's own Response, or the HTTPException an error handler of the app's answers.
Found = tuple[Endpoint, dict[str, Any]] | Response | HTTPException
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
        # Without function middleware the framework's own answers reach no code of the
        # app's (http sends them as found), so an unchanging one is made once.
        self.shares_answers = not function_middleware
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
        # Without function middleware the answer is found before the request is built, so
        # what the framework answers alone (404, 405, OPTIONS, a redirect, a mount) builds
        # no Request, Exchange or context. PERF: with the shared 404 (shares_answers), a
        # 404 in 38.4k -> 25.2k instructions, a 405 49.1k -> 32.0k (benchmarks/core).
        # With function middleware the chain ends at `route`, which finds it the same way;
        # test_dispatch_paths.py holds the two ways to the same answers.
        found = None if self.has_function_middleware else self.find(scope)
        if found.__class__ is not tuple and isinstance(found, Response):
            await found(scope, receive, send)
            return
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
            if found.__class__ is tuple:  # PERF: answer()'s first case inline (-500)
                answering = found[0].respond(request, found[1], exchange)
            elif found is None:  # a middleware may hand on a Request of its own
                scope["altapi.exchange"] = exchange
                answering = self.chain(request)
            else:
                answering = self.answer(request, found)
            try:
                response = await answering
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
        """The end of the function-middleware chain: the answer to `request`."""
        if request._exchange is None:  # a middleware passed on a Request of its own
            request._exchange = request.scope["altapi.exchange"]
        return self.answer(request, self.find(request.scope))

    def answer(self, request: Request, found: Found) -> Awaitable[Response]:
        """The awaitable that gives the response to what `find` found.

        PERF: a plain function handing back the endpoint's (or the error handlers')
        coroutine, with no frame of ours around it.
        """
        if found.__class__ is tuple:
            endpoint, params = found
            return endpoint.respond(request, params, request._exchange)
        if isinstance(found, HTTPException):
            return self.errors.handled(request, found)
        return _ready(found)  # type: ignore[arg-type]

    def find(self, scope: Scope) -> Found:
        """What answers this request: its route, as `(endpoint, path_params)`; else the
        framework's own Response; else the HTTPException one of the app's error
        handlers answers (it needs the request)."""
        path = route_path(scope) if scope.get("root_path") else scope["path"]
        raw = scope.get("raw_path")
        # PERF: partition(), not `in`: `bytes in bytes` first tries the needle as an int,
        # raising and clearing a TypeError each request (~2k instructions); nor find(),
        # which parses its arguments as a tuple (~570 more than partition's one argument).
        if raw is not None and raw.partition(b"%2")[1] and b"%2f" in raw.lower():
            return self.find_segments(scope, path, raw)
        match = self.router.match(scope["method"], path)
        if match is None:
            return self.no_route(scope, path)
        scope["path_params"] = match[1]
        return match

    def find_segments(self, scope: Scope, path: str, raw: bytes) -> Found:
        """Route on raw_path's segments so an encoded slash (%2F) stays inside its segment."""
        segments = [unquote(s) for s in raw.decode("latin-1")[1:].split("/")]
        root = scope.get("root_path", "").strip("/")
        if root:
            segments = segments[root.count("/") + 1 :]
        match = self.router.match_segments(scope["method"], segments)
        if match is None:
            return self.no_route(scope, path, segments)
        scope["path_params"] = match[1]
        return match

    def no_route(self, scope: Scope, path: str, segments: list[str] | None = None) -> Found:
        """The answer when no route matches the method and path: HEAD as GET, a mounted
        app, 405 (or OPTIONS' 204), a trailing-slash redirect, else 404. A path routed on
        its `segments` (an encoded slash) is not redirected."""
        method = scope["method"]
        if method == "HEAD":
            if segments is None:
                match = self.router.match("GET", path)
            else:
                match = self.router.match_segments("GET", segments)
            if match is not None:
                scope["path_params"] = match[1]
                return match
        for prefix, app in self.mounts:
            if prefix == "/" or path == prefix or path.startswith(prefix + "/"):
                root = scope.get("root_path", "")
                child = {**scope, "root_path": root + ("" if prefix == "/" else prefix)}
                return MountedResponse(app, child)
        allowed = self.router.allowed_methods(path if segments is None else segments)
        if allowed:
            allow = _allow_header(allowed)
            answer = (
                Response(status_code=204)
                if method == "OPTIONS"
                else self.errors.framework_answer(405)
            )
            if answer is None:  # the app's handler answers
                return HTTPException(405, None, {"Allow": allow[1].decode("latin-1")})
            answer.raw_headers.append(allow)
            return answer
        if segments is None and self.redirect_slashes and path != "/":
            # PERF: path[-1:], not endswith(), which parses its arguments (~200 instructions)
            other = path[:-1] if path[-1:] == "/" else path + "/"
            if self.router.allowed_methods(other):
                target = scope.get("root_path", "") + other
                query = scope.get("query_string", b"")
                if query:
                    target += "?" + query.decode("latin-1")
                try:
                    return RedirectResponse(target, status_code=307)
                except ValueError:  # CR, LF or NUL in the path: no Location can hold it
                    pass
        return self.errors.framework_answer(404, self.shares_answers) or HTTPException(404)


async def _ready(response: Response) -> Response:
    return response


@functools.lru_cache(maxsize=256)
def _allow_header(allowed: frozenset[str]) -> tuple[bytes, bytes]:
    """The Allow header for a path's methods, encoded (cached: an app has a handful of
    method sets). PERF: appended as it is, not through a response's header checks
    (a 405 in ~700 fewer instructions)."""
    names = set(allowed) | {"OPTIONS"}
    if "GET" in names:
        names.add("HEAD")
    return (b"allow", ", ".join(sorted(names)).encode("latin-1"))


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
