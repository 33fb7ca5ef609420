"""`Endpoint`: one route compiled at registration into its pipeline (see pipeline.py)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

from altapi_di import DependencyError, Depends, Injector, Plan

from .exchange import Exchange
from .guards import Around, Guard
from .pipeline import (
    Call,
    Provider,
    guarded,
    guarded_websocket,
    invoker,
    invoker_with_arounds,
    respond,
    takes_only_the_connection,
    values_for,
)

__all__ = ["HTTP_VALUES", "WEBSOCKET_VALUES", "Endpoint", "Exchange", "is_async_callable"]


def is_async_callable(obj: Any) -> bool:
    while isinstance(obj, functools.partial):
        obj = obj.func
    return inspect.iscoroutinefunction(obj) or inspect.iscoroutinefunction(
        getattr(obj, "__call__", None)  # noqa: B004
    )


def _connection(connection: Any, exchange: Exchange) -> Any:
    return connection


def _background(connection: Any, exchange: Exchange) -> Any:
    return exchange.background_tasks()


# What each kind of route can hand a plan, by value key (the keys of app.py's sources).
HTTP_VALUES: dict[Hashable, Provider] = {
    "request": _connection,
    "connection": _connection,
    "background": _background,
}
WEBSOCKET_VALUES: dict[Hashable, Provider] = {"websocket": _connection, "connection": _connection}


class Endpoint:
    """A handler, its dependency plan and the pipeline that serves it (pipeline.py):
    respond, then each guard (outermost first), then the invoker. Around-layers
    (@cache) sit inside the invoker, after the arguments are bound, so a route's
    dependencies (an auth check) run even when the cache answers.

    `respond(connection, path_params, exchange)` is the whole route: for HTTP it
    gives the Response; for a WebSocket it runs the session.
    """

    __slots__ = ("guards", "handler", "name", "needs", "plan", "respond", "route", "websocket")

    def __init__(
        self,
        handler: Callable[..., Any],
        injector: Injector,
        *,
        route: str,
        path_params: Sequence[str] = (),
        websocket: bool = False,
        dependencies: Sequence[Depends] = (),
        guards: Sequence[Guard | Around] = (),
        name: str | None = None,
        errors: Any = None,
        providers: Mapping[Hashable, Provider] | None = None,
    ) -> None:
        self.handler = handler
        self.route = route
        self.websocket = websocket
        self.name: str = name or getattr(handler, "__name__", None) or type(handler).__name__
        self.guards = tuple(guards)
        if providers is None:
            providers = WEBSOCKET_VALUES if websocket else HTTP_VALUES
        try:
            self.plan: Plan = injector.plan(
                handler,
                path_params=path_params,
                first_param="websocket" if websocket else None,
                dependencies=dependencies,
                provides=providers.keys(),
            )
        except DependencyError as exc:
            raise DependencyError(f"route {route}: {exc}") from None
        self.needs = self.plan.needs
        values = values_for(self.needs, providers, injector.overrides)
        arounds = [layer for layer in self.guards if isinstance(layer, Around)]
        checks = [layer for layer in self.guards if not isinstance(layer, Around)]
        if arounds and websocket:
            raise TypeError(
                f"route {route}: {type(arounds[0]).__name__} (e.g. @cache) applies to "
                "HTTP routes only, not to a WebSocket route"
            )
        if arounds:
            call = invoker_with_arounds(handler, self.plan, values, arounds, self.name)
        else:
            key = "websocket" if websocket else "request"
            only = takes_only_the_connection(handler, self.plan, key)
            call = invoker(handler, self.plan, values, connection_only=only)
        for guard in reversed(checks):  # the first guard is the outermost
            call = guarded_websocket(guard, call) if websocket else guarded(guard, call, self.name)
        self.respond: Call = call if websocket else respond(call, self.name, errors)

    def __repr__(self) -> str:
        return f"<Endpoint {self.route} {self.name}>"
