"""`Endpoint`: one route compiled at registration into its pipeline (see pipeline.py)."""

from __future__ import annotations

import functools
import inspect
import types
import typing
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from typing import Any

from altapi_di import DependencyError, Depends, Injector, Plan

from .binding import RequestBinder
from .bound import binding, bound_invoker, bound_values, closing_when_invalid
from .encoding import ResultEncoder
from .exchange import Exchange
from .fields import Field, FieldKey, describe
from .guards import Around, Guard
from .pipeline import (
    Call,
    Provider,
    guarded,
    guarded_websocket,
    invoker,
    invoker_with_arounds,
    respond,
    takes_only,
    the_connection,
    values_for,
)
from .responses import Response
from .route_options import RouteOptions

__all__ = ["HTTP_VALUES", "WEBSOCKET_VALUES", "Endpoint", "Exchange", "is_async_callable"]


def is_async_callable(obj: Any) -> bool:
    while isinstance(obj, functools.partial):
        obj = obj.func
    return inspect.iscoroutinefunction(obj) or inspect.iscoroutinefunction(
        getattr(obj, "__call__", None)  # noqa: B004
    )


def _background(connection: Any, exchange: Exchange) -> Any:
    return exchange.background_tasks()


# What each kind of route can hand a plan, by value key (the keys of app.py's sources).
HTTP_VALUES: dict[Hashable, Provider] = {
    "request": the_connection,
    "connection": the_connection,
    "background": _background,
}
WEBSOCKET_VALUES: dict[Hashable, Provider] = {
    "websocket": the_connection,
    "connection": the_connection,
}


class Endpoint:
    """A handler, its dependency plan and the pipeline that serves it (pipeline.py):
    respond, then each guard (outermost first), then the invoker. Around-layers
    (@cache) sit inside the invoker, after the arguments are bound, so a route's
    dependencies (an auth check) run even when the cache answers.

    `respond(connection, path_params, exchange)` is the whole route: for HTTP it
    gives the Response; for a WebSocket it runs the session.
    """

    __slots__ = (
        "binder",
        "guards",
        "handler",
        "name",
        "needs",
        "options",
        "plan",
        "respond",
        "route",
        "websocket",
    )

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
        options: Mapping[str, Any] | None = None,
        string_path_params: Collection[str] = (),
    ) -> None:
        self.handler = handler
        self.route = route
        self.websocket = websocket
        self.name: str = name or getattr(handler, "__name__", None) or type(handler).__name__
        self.guards = tuple(guards)
        for layer in self.guards:
            if not isinstance(layer, Guard | Around):
                raise TypeError(
                    f"route {route}: {layer!r} in guards is not a guard: a guard has "
                    "check(connection) (and may have finish/amend), an around-layer around()"
                )
        self.options = RouteOptions.of(options or {})
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
            # `{id}` (a string to the router) with `id: int` in the signature: converted here.
            fields = [k.field for k in self.plan.needs if isinstance(k, FieldKey)]
            fields += _path_fields(handler, self.name, string_path_params)
        except DependencyError as exc:
            raise DependencyError(f"route {route}: {exc}") from None
        self.needs = self.plan.needs
        # Chosen once: a route with no typed parameter has no binding layer at all.
        self.binder = RequestBinder(route, fields) if fields else None
        given = [k for k in self.needs if not isinstance(k, FieldKey)]
        if self.binder is not None:
            # so that values() makes a new dict the binder fills
            given.append("websocket" if websocket else "request")
            if websocket and self.binder.needs_body:
                raise TypeError(
                    f"route {route}: a WebSocket handshake has no body to read parameters "
                    f"{[f.name for f in (*self.binder.body, *self.binder.form)]} from"
                )
        values = values_for(given, providers, injector.overrides)
        shape = None
        model = self.options.response_model
        if model is None and not websocket:
            model = _return_model(handler)  # `-> User` filters as response_model=User does
        if self.options.status_code is not None or model is not None:
            shape = ResultEncoder(self.options.status_code, model)
        arounds = [layer for layer in self.guards if isinstance(layer, Around)]
        checks = [layer for layer in self.guards if not isinstance(layer, Around)]
        if arounds and websocket:
            raise TypeError(
                f"route {route}: {type(arounds[0]).__name__} (e.g. @cache) applies to "
                "HTTP routes only, not to a WebSocket route"
            )
        if arounds:
            call = invoker_with_arounds(
                handler,
                self.plan,
                bound_values if self.binder else values,
                arounds,
                self.name,
                shape,
            )
            if self.binder is not None:
                call = binding(self.binder, values, call)
        elif self.binder is not None:
            whole = self.binder.whole_body if self.binder.json_only else None
            body_only = whole is not None and takes_only(handler, self.plan, whole.key)
            call = bound_invoker(
                handler,
                self.plan,
                values,
                self.binder,
                injector.overrides,
                body_only=body_only,
            )
            if websocket:
                call = closing_when_invalid(call)
        else:
            key = "websocket" if websocket else "request"
            only = takes_only(handler, self.plan, key)
            call = invoker(handler, self.plan, values, connection_only=only)
        for guard in reversed(checks):  # the first guard is the outermost
            if websocket:
                call = guarded_websocket(guard, call)
            else:
                call = guarded(guard, call, self.name, shape)
        self.respond: Call = call if websocket else respond(call, self.name, errors, shape)

    def __repr__(self) -> str:
        return f"<Endpoint {self.route} {self.name}>"


def _return_model(handler: Any) -> Any:
    """The handler's return annotation when it is a type a result can be checked against
    (FastAPI uses it as the response_model); None for none, Any, None, or a Response."""
    try:
        annotation = typing.get_type_hints(handler).get("return")
    except Exception:  # an annotation that does not resolve: nothing to check against
        return None
    if annotation in (None, type(None), Any):
        return None
    parts = typing.get_args(annotation) if typing.get_origin(annotation) in _UNIONS else ()
    for part in (annotation, *parts):
        if isinstance(part, type) and issubclass(part, Response):
            return None
    try:
        ResultEncoder(None, annotation)
    except TypeError:
        return None  # not a type msgspec or pydantic can check: sent as it is
    return annotation


_UNIONS = (typing.Union, types.UnionType)


def _path_fields(handler: Any, where: str, names: Collection[str]) -> list[Field]:
    """The path parameters, left as strings by the router, that the handler wants converted
    (an annotation other than str, or a Path() marker)."""
    if not names:
        return []
    try:
        parameters = inspect.signature(handler, eval_str=True).parameters.values()
    except (NameError, TypeError, ValueError):
        return []
    fields = []
    for param in parameters:
        if param.name not in names:
            continue
        annotation = param.annotation
        marked = typing.get_origin(annotation) is typing.Annotated
        if marked or annotation not in (str, Any, inspect.Parameter.empty):
            fields.append(describe(param, where, path=True))
    return fields
