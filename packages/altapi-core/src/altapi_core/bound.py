"""The argument-binding layers of a route with typed parameters (see pipeline.py).

The route's `RequestBinder` (binding.py) reads the parameters into the plan's
values before the plan runs; a request with any bad parameter gets one 422
listing every error, and the handler is not called.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Any

from altapi_di import Plan

from .binding import NOT_DECODED
from .exceptions import WebSocketException
from .exchange import Exchange
from .pipeline import Call, Values, calling
from .validation import RequestValidationError

__all__ = ["binding", "bound_invoker", "bound_values", "closing_when_invalid"]

_NO_OVERRIDES: Mapping[Any, Any] = {}


def bound_invoker(
    handler: Callable[..., Any],
    plan: Plan,
    values: Values,
    binder: Any,
    overrides: Mapping[Any, Any] = _NO_OVERRIDES,
    *,
    body_only: bool = False,
) -> Call:
    """`invoker` for a route with typed parameters: the binder reads them into the plan's
    values (and converts string path parameters) first; a RequestValidationError (422)
    listing every error of the request is raised instead of calling anything.

    While `overrides` (the injector's dependency_overrides) is not empty, the typed
    parameters of an overridden dependency are not read (`call_overridden`).

    `body_only`: an async handler whose one parameter is a JSON body of a msgspec type
    (`binder.json_only` and `takes_only(handler, plan, binder.whole_body.key)`)."""
    read, read_body, needs_body = binder.read, binder.read_body, binder.needs_body
    call_handler = calling(handler, plan.calls_async)

    async def call_overridden(
        connection: Any, path_params: dict[str, Any], exchange: Exchange
    ) -> Any:
        given = values(connection, exchange)
        await _read(binder.without(overrides), connection, given, path_params)
        kwargs = await plan.solve(given, path_params, exchange)
        return await call_handler(kwargs)

    if plan.calls_async and not needs_body:
        invoke = plan.invoke

        def call(connection: Any, path_params: dict[str, Any], exchange: Exchange) -> Any:
            if overrides:
                return call_overridden(connection, path_params, exchange)
            given = values(connection, exchange)  # a new dict: values_for is asked for "request"
            read(connection, given, path_params)
            return invoke(given, path_params, exchange)

        return call
    if plan.calls_async:
        invoke = plan.invoke

        async def call_with_body(
            connection: Any, path_params: dict[str, Any], exchange: Exchange
        ) -> Any:
            if overrides:
                return await call_overridden(connection, path_params, exchange)
            given = values(connection, exchange)
            await read_body(connection, given, path_params)
            return await invoke(given, path_params, exchange)

        if body_only:
            return _calling_with_body(handler, binder, call_with_body, overrides)
        return call_with_body
    solve = plan.solve

    async def call_in_thread(
        connection: Any, path_params: dict[str, Any], exchange: Exchange
    ) -> Any:
        if overrides:
            return await call_overridden(connection, path_params, exchange)
        given = values(connection, exchange)
        await _read(binder, connection, given, path_params)
        kwargs = await solve(given, path_params, exchange)
        return await call_handler(kwargs)

    return call_in_thread


def _calling_with_body(
    handler: Callable[..., Any], binder: Any, general: Call, overrides: Mapping[Any, Any]
) -> Call:
    """`async def create(item: Item)`: the decoded body handed straight to the handler.
    `general` (the planned path) lists the errors of a body that does not decode, and
    serves while overrides are set. tests/test_bound.py ties the two."""
    decoded = binder.decoded

    async def call_with_model(
        connection: Any, path_params: dict[str, Any], exchange: Exchange
    ) -> Any:
        # PERF: no values dict, read_body or plan frame: 62.1k -> 57.3k instructions a request
        if not overrides:
            value = decoded(connection, await connection.body())
            if value is not NOT_DECODED:
                return await handler(value)
        return await general(connection, path_params, exchange)

    return call_with_model


def closing_when_invalid(inner: Call) -> Call:
    """A WebSocket route's typed parameters that do not validate close the socket with
    1008 (policy violation), as FastAPI does, instead of an HTTP 422."""

    async def call_checked(websocket: Any, path_params: dict[str, Any], exchange: Exchange) -> Any:
        try:
            return await inner(websocket, path_params, exchange)
        except RequestValidationError as exc:
            raise WebSocketException(1008, "invalid request parameters") from exc

    return call_checked


def binding(binder: Any, values: Values, inner: Call) -> Call:
    """Typed parameters read before `inner` (an invoker_with_arounds), which finds the
    values in `exchange.values` (see `bound_values`)."""

    async def call_bound(connection: Any, path_params: dict[str, Any], exchange: Exchange) -> Any:
        given = values(connection, exchange)
        await _read(binder, connection, given, path_params)
        exchange.values = given
        return await inner(connection, path_params, exchange)

    return call_bound


async def _read(binder: Any, connection: Any, given: Any, path_params: dict[str, Any]) -> None:
    """Every typed parameter into `given`, the body read first when one is needed."""
    if binder.needs_body:
        await binder.read_body(connection, given, path_params)
    else:
        binder.read(connection, given, path_params)


def bound_values(connection: Any, exchange: Exchange) -> Mapping[Hashable, Any]:
    """The values the `binding` layer read for this request."""
    return exchange.values
