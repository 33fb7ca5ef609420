"""Turning exceptions into responses: handlers by class or status, the 500 and debug pages."""

from __future__ import annotations

import html
import logging
import traceback
from collections.abc import Callable, Mapping
from typing import Any

from anyio.to_thread import run_sync

from .endpoints import is_async_callable
from .exceptions import HTTPException, default_detail
from .responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

__all__ = ["RAISE_SERVER_EXCEPTIONS", "ErrorHandlers", "ExceptionHandler", "report_server_error"]

logger = logging.getLogger("altapi.error")

# An ASGI extension a server (the TestClient) puts in scope["extensions"] to get back
# the exception behind a 500 instead of having it logged.
RAISE_SERVER_EXCEPTIONS = "altapi.raise_server_exceptions"

ExceptionHandler = Callable[[Any, Any], Any]


def http_error_response(
    status_code: int, detail: Any, headers: Mapping[str, str] | None
) -> Response:
    if status_code in (204, 304) or status_code < 200:
        return Response(status_code=status_code, headers=headers)
    return JSONResponse({"detail": detail}, status_code, headers)


def _debug_response(request: Any, exc: BaseException) -> Response:
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    accept = request.headers.get("accept", "") if request is not None else ""
    if "text/html" in accept:
        page = (
            "<!doctype html><html><head><meta charset='utf-8'><title>500 Internal Server Error"
            "</title><style>body{font-family:system-ui,sans-serif;margin:2em}"
            "pre{background:#f5f5f5;padding:1em;overflow:auto}</style></head><body>"
            f"<h1>{html.escape(type(exc).__name__)}: {html.escape(str(exc))}</h1>"
            f"<p>{html.escape(request.method)} {html.escape(request.path)}</p>"
            f"<pre>{html.escape(trace)}</pre></body></html>"
        )
        return HTMLResponse(page, status_code=500)
    return PlainTextResponse(trace, status_code=500)


class ErrorHandlers:
    """`exception_handlers={404: fn, ValueError: fn}`; each fn is `(request, exc) -> Response`."""

    def __init__(self, debug: bool = False) -> None:
        self.debug = debug
        self.by_status: dict[int, ExceptionHandler] = {}
        self.by_class: dict[type[BaseException], ExceptionHandler] = {}
        self._shared: dict[int, Response] = {}

    def add(self, key: int | type[BaseException], handler: ExceptionHandler) -> None:
        if isinstance(key, int):
            self.by_status[key] = handler
        elif isinstance(key, type) and issubclass(key, BaseException):
            self.by_class[key] = handler
        else:
            raise TypeError(
                f"exception handler key must be a status code or exception class: {key!r}"
            )

    def for_exception(self, exc: BaseException) -> ExceptionHandler | None:
        if self.by_class:
            for cls in type(exc).__mro__:
                if cls in self.by_class:
                    return self.by_class[cls]
        return None

    async def _call(self, handler: ExceptionHandler, request: Any, exc: BaseException) -> Response:
        if is_async_callable(handler):
            response = await handler(request, exc)
        else:
            response = await run_sync(handler, request, exc)
        if not isinstance(response, Response):
            raise TypeError(f"exception handler {handler!r} returned {response!r}, not a Response")
        return response

    def framework_answer(self, status_code: int, shared: bool = False) -> Response | None:
        """The framework's own answer to an error it makes (404, 405...), or None when
        the app has a handler for that status or for HTTPException (see `handled`).

        `shared=True` gives the same Response each time, its headers a tuple so that
        nothing can change them, to a caller that sends it as it is and shows it to no
        code of the app's (the dispatcher without function middleware). PERF: a 404 in
        2.15 -> 1.65 µs (benchmarks/core), no response made and freed per request.
        """
        if status_code in self.by_status or HTTPException in self.by_class:
            return None
        if not shared:
            return http_error_response(status_code, default_detail(status_code), None)
        response = self._shared.get(status_code)
        if response is None:
            response = http_error_response(status_code, default_detail(status_code), None)
            response.raw_headers = tuple(response.raw_headers)  # type: ignore[assignment]
            self._shared[status_code] = response
        return response

    async def handled(self, request: Any, exc: Exception) -> Response:
        """The response for an exception raised by a handler, or re-raise it if none applies."""
        handler = self.for_exception(exc)
        if handler is None and isinstance(exc, HTTPException):
            handler = self.by_status.get(exc.status_code)
            if handler is None:
                return http_error_response(exc.status_code, exc.detail, exc.headers)
        if handler is None:
            raise exc
        return await self._call(handler, request, exc)

    async def server_error(self, request: Any, exc: BaseException) -> Response:
        """The 500 for an unhandled exception: a handler for 500/Exception, else plain or debug."""
        handler = self.by_status.get(500) or self.by_class.get(Exception)
        if handler is not None:
            try:
                return await self._call(handler, request, exc)
            except Exception:
                logger.exception("the 500 handler itself failed")
        if self.debug:
            return _debug_response(request, exc)
        return PlainTextResponse("Internal Server Error", status_code=500)


def report_server_error(scope: Any, exc: BaseException) -> None:
    """Log the exception behind a 500 that was sent whole, keeping the connection open.

    Re-raising would make the server close a kept-alive connection, losing the next
    request a client had already sent on it (Starlette re-raises). A server that asks
    for the exception with the RAISE_SERVER_EXCEPTIONS extension gets it raised.
    """
    if RAISE_SERVER_EXCEPTIONS in (scope.get("extensions") or ()):
        raise exc
    logger.error("Exception in %s %s", scope.get("method"), scope.get("path"), exc_info=exc)


class ServerErrorBoundary:
    """Outermost wrapper when user ASGI middleware is installed: a 500 for what escapes it."""

    def __init__(self, app: Any, errors: ErrorHandlers) -> None:
        self.app = app
        self.errors = errors

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if not started:
                from .requests import Request

                request = Request(scope, receive)
                response = await self.errors.server_error(request, exc)
                await response(scope, receive, send)
                report_server_error(scope, exc)
                return
            raise  # the response is incomplete: the server must close the connection
