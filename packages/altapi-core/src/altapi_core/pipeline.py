"""The layers of a route's pipeline, each one small function chosen at registration.

An `Endpoint` chains them once, outermost first (see docs/architecture.md):

    respond(...)          errors become responses; the result becomes a Response
                          (JSON, or as `status_code`/`response_model` say)
      guarded(...)        one per guard (@rate_limit, guards=[...]): may answer first
        invoker(...)      binds the arguments (values + the DI plan), calls the handler
     or bound_invoker(...)  the same, the typed parameters read from the request first
                          (bound.py; every error in one 422)
     or binding(...) + invoker_with_arounds(...)  binds the arguments, then the
                          around-layers (@cache) decide whether and how to call the handler

Every layer is a `Call`: `(connection, path_params, exchange) -> awaitable`; the
innermost gives the handler's result, the others a Response. A WebSocket route
chains `guarded_websocket` layers around its invoker instead.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Collection, Hashable, Mapping, Sequence
from types import CoroutineType
from typing import Any

from anyio.to_thread import run_sync

from altapi_di import Plan
from altapi_di.plan import VALUE

from .exchange import Exchange
from .guards import Around, CallHandler, Guard
from .responses import JSONResponse, Response

__all__ = [
    "Call",
    "Values",
    "as_response",
    "calling",
    "guarded",
    "guarded_websocket",
    "invoker",
    "invoker_with_arounds",
    "respond",
    "takes_only",
    "the_connection",
    "values_for",
]

Call = Callable[[Any, dict[str, Any], Exchange], Awaitable[Any]]
Values = Callable[[Any, Exchange], Mapping[Hashable, Any]]
# What a plan's value key is made from: the connection (Request or WebSocket) and the exchange.
Provider = Callable[[Any, Exchange], Any]


def as_response(result: Any, handler_name: str) -> Response:
    """A handler's result as a Response: any other value is sent as JSON."""
    if isinstance(result, Response):
        return result
    try:
        return JSONResponse(result)
    except TypeError:
        raise TypeError(
            f"handler {handler_name!r} returned {type(result).__name__}, which JSON cannot "
            "carry; return a Response or a value API.md lists (dict, list, model, ...)"
        ) from None


ToResponse = Callable[[Any], Response]


def to_response(name: str, shape: ToResponse | None = None) -> ToResponse:
    """How a route's results become Responses: `shape` (status_code, response_model;
    see encoding.py) when the route has one, else `as_response`."""
    if shape is not None:
        return shape
    return functools.partial(_as_response_of, name)


def _as_response_of(name: str, result: Any) -> Response:
    return result if isinstance(result, Response) else as_response(result, name)


# --- argument binding and invoke ---------------------------------------------------------


def the_connection(connection: Any, exchange: Exchange) -> Any:
    """The provider of the connection itself (the request, or the WebSocket)."""
    return connection


def values_for(
    needs: Collection[Hashable],
    providers: Mapping[Hashable, Provider],
    overrides: Mapping[Any, Any],
) -> Values:
    """The function that makes a plan's `values` for one request, from `providers`.

    While `overrides` (the injector's dependency_overrides) is not empty, every
    provider's value is made: an override may ask for what the route did not.
    """
    everything = list(providers.items())

    def every_value(connection: Any, exchange: Exchange) -> Mapping[Hashable, Any]:
        return {key: get(connection, exchange) for key, get in everything}

    if not needs:

        def no_values(connection: Any, exchange: Exchange) -> Mapping[Hashable, Any]:
            return every_value(connection, exchange) if overrides else _EMPTY

        return no_values
    if set(needs) == {"request"} and providers.get("request") is the_connection:

        def request_value(connection: Any, exchange: Exchange) -> Mapping[Hashable, Any]:
            # PERF: the usual case, one small dict and no loop
            return every_value(connection, exchange) if overrides else {"request": connection}

        return request_value
    missing = [key for key in needs if key not in providers]
    if missing:
        raise TypeError(f"no provider for the value {missing[0]!r} a parameter asks for")
    getters = [(key, providers[key]) for key in needs]

    def values(connection: Any, exchange: Exchange) -> Mapping[Hashable, Any]:
        if overrides:
            return every_value(connection, exchange)
        return {key: get(connection, exchange) for key, get in getters}

    return values


def takes_only(handler: Callable[..., Any], plan: Plan, key: Hashable) -> bool:
    """One positional parameter, the plan's value `key`, and no dependencies: `def
    page(request)` (key "request"), or `async def create(item: Item)` (the body's key)."""
    if plan.steps or [source for _, *source in plan.args] != [[VALUE, key]]:
        return False
    params = list(inspect.signature(handler).parameters.values())
    return len(params) == 1 and params[0].kind in (
        params[0].POSITIONAL_ONLY,
        params[0].POSITIONAL_OR_KEYWORD,
    )


def calling(handler: Callable[..., Any], is_async: bool) -> Callable[[dict[str, Any]], Any]:
    """`handler(**kwargs)` as an awaitable: a plain `def` runs in a worker thread."""
    if is_async:
        return lambda kwargs: handler(**kwargs)
    return lambda kwargs: run_sync(functools.partial(handler, **kwargs))


def invoker(
    handler: Callable[..., Any], plan: Plan, values: Values, *, connection_only: bool = False
) -> Call:
    """The innermost layer: the handler called with its arguments (a plain `def` in a
    worker thread); gives the handler's result."""
    if connection_only:
        # PERF: `def page(request)` skips the plan: the handler's own coroutine, no values
        # dict, no solver frame (GET / in benchmarks/core: 41.0k -> 38.6k instructions).
        # tests/test_pipeline.py ties it to the planned path.
        if plan.calls_async:

            def call_with_connection(connection: Any, path_params: Any, exchange: Exchange) -> Any:
                return handler(connection)

            return call_with_connection

        def call_with_connection_in_thread(
            connection: Any, path_params: Any, exchange: Exchange
        ) -> Any:
            return run_sync(handler, connection)

        return call_with_connection_in_thread
    if plan.calls_async:
        invoke = plan.invoke  # solves and awaits the handler in one coroutine

        def call(connection: Any, path_params: dict[str, Any], exchange: Exchange) -> Any:
            return invoke(values(connection, exchange), path_params, exchange)

        return call
    solve = plan.solve
    call_handler = calling(handler, is_async=False)

    async def call_in_thread(
        connection: Any, path_params: dict[str, Any], exchange: Exchange
    ) -> Any:
        kwargs = await solve(values(connection, exchange), path_params, exchange)
        return await call_handler(kwargs)

    return call_in_thread


def invoker_with_arounds(
    handler: Callable[..., Any],
    plan: Plan,
    values: Values,
    arounds: Sequence[Around],
    name: str,
    finish: ToResponse | None = None,
) -> Call:
    """The innermost layer when around-layers (e.g. @cache) wrap the handler: the
    arguments are bound first (dependencies run, a route's `dependencies=` guard
    included), then each around-layer, outermost first, decides whether and how to
    call the handler; gives a Response."""
    solve = plan.solve
    call = calling(handler, plan.calls_async)
    layers = [layer.around for layer in reversed(arounds)]  # innermost first
    shape = finish or to_response(name)

    async def call_around(request: Any, path_params: dict[str, Any], exchange: Exchange) -> Any:
        kwargs = await solve(values(request, exchange), path_params, exchange)

        async def call_handler() -> Response:
            return shape(await call(kwargs))

        call_next: CallHandler = call_handler
        for around in layers:
            call_next = functools.partial(around, request, call_next)
        return await call_next()

    return call_around


# --- guards ---------------------------------------------------------------------------


def _noop(*args: Any) -> None:
    return None


def guarded(guard: Guard, inner: Call, name: str, shape: ToResponse | None = None) -> Call:
    """A guard's check before the rest; its `finish`/`amend` see the outcome."""
    shape = shape or to_response(name)
    check = guard.check
    finish = getattr(guard, "finish", _noop)
    amend = getattr(guard, "amend", _noop)

    async def call_guarded(request: Any, path_params: dict[str, Any], exchange: Exchange) -> Any:
        token = check(request)
        if token.__class__ is CoroutineType:  # an async check
            token = await token
        if isinstance(token, Response):
            return token  # refused: the handler does not run
        try:
            response = shape(await inner(request, path_params, exchange))
        except Exception as exc:
            amend(exc, token)
            raise
        finish(response, token)
        return response

    return call_guarded


def guarded_websocket(guard: Guard, inner: Call) -> Call:
    """A guard on a WebSocket route: a refusal refuses the handshake (see `deny`)."""
    check = guard.check

    async def call_guarded(websocket: Any, path_params: dict[str, Any], exchange: Exchange) -> Any:
        token = check(websocket)
        if token.__class__ is CoroutineType:
            token = await token
        if isinstance(token, Response):
            await websocket.deny(token)
            return None
        return await inner(websocket, path_params, exchange)

    return call_guarded


# --- the outermost layer -----------------------------------------------------------------


def respond(inner: Call, name: str, errors: Any, shape: ToResponse | None = None) -> Call:
    """Errors mapped to responses by the app's handlers; the result made a Response
    (by `shape` when the route has `status_code` or `response_model`)."""

    async def call_and_respond(
        request: Any, path_params: dict[str, Any], exchange: Exchange
    ) -> Response:
        try:
            result = await inner(request, path_params, exchange)
            if shape is not None:
                return shape(result)
            return result if isinstance(result, Response) else as_response(result, name)
        except Exception as exc:
            exchange.error = exc
            if errors is None:
                raise
            return await errors.handled(request, exc)

    return call_and_respond


_EMPTY: Mapping[Hashable, Any] = {}
