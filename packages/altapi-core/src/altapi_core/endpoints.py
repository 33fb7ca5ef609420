"""A handler compiled once at registration: its dependency plan and how to call it."""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Collection, Sequence
from types import CoroutineType
from typing import Any

from anyio.to_thread import run_sync

from altapi_di import Depends, Injector, Plan, RequestScope

from .background import BackgroundTasks
from .binding import RequestBinder
from .encoding import ResultEncoder
from .responses import Response
from .route_options import RouteOptions

__all__ = ["Endpoint", "Exchange", "as_response", "is_async_callable"]


def is_async_callable(obj: Any) -> bool:
    while isinstance(obj, functools.partial):
        obj = obj.func
    return inspect.iscoroutinefunction(obj) or inspect.iscoroutinefunction(
        getattr(obj, "__call__", None)  # noqa: B004
    )


_AS_JSON = ResultEncoder()


def as_response(result: Any, handler_name: str) -> Response:
    """A handler's result as a Response: any other value is sent as JSON."""
    if isinstance(result, Response):
        return result
    try:
        return _AS_JSON(result)
    except TypeError:
        raise TypeError(
            f"handler {handler_name!r} returned {type(result).__name__}, which JSON cannot "
            "carry; return a Response or a JSON-able value (see the docs' list)"
        ) from None


class Exchange(RequestScope):
    """What one request accumulates for after its response: the generator dependencies
    it opened (it is their RequestScope), background tasks, the error seen."""

    # PERF: class-level defaults and no __init__: creating one is a bare list
    # allocation, and dependencies need no scope of their own (~800 instructions).
    tasks: BackgroundTasks | None = None
    error: BaseException | None = None

    async def finish(self, error: BaseException | None = None) -> None:
        """Run background tasks (unless the request failed), then close dependencies."""
        try:
            if self.tasks is not None and error is None:
                await self.tasks()
        finally:
            if self:
                await self.aclose(error if error is not None else self.error)


def _converted_path_params(handler: Any, names: Collection[str]) -> frozenset[str]:
    """The path parameters, left as strings by the router, that the handler wants converted."""
    if not names:
        return frozenset()
    converted = set()
    try:
        parameters = inspect.signature(handler, eval_str=True).parameters.values()
    except (NameError, TypeError, ValueError):
        return frozenset()
    for param in parameters:
        annotation = param.annotation
        if typing.get_origin(annotation) is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            converted.add(param.name)  # a marker may add constraints: let the binder check
        if param.name in names and annotation not in (str, Any, inspect.Parameter.empty):
            converted.add(param.name)
    return frozenset(converted & set(names))


def resolved_parameters(handler: Callable[..., Any]) -> list[inspect.Parameter]:
    """The handler's parameters with string annotations resolved, as the planner sees them."""
    try:
        hints = typing.get_type_hints(handler)
    except Exception:
        hints = {}
    return [
        p.replace(annotation=hints.get(p.name, p.annotation))
        for p in inspect.signature(handler).parameters.values()
    ]


def _with_dependencies(handler: Callable[..., Any], dependencies: Sequence[Depends]) -> Any:
    """A stand-in whose signature adds the route's `dependencies=[...]` as extra parameters."""
    params = [
        p for p in resolved_parameters(handler) if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    ]
    params.sort(key=lambda p: p.kind == p.KEYWORD_ONLY)
    extra = [
        inspect.Parameter(f"__altapi_dep{i}", inspect.Parameter.KEYWORD_ONLY, default=dep)
        for i, dep in enumerate(dependencies)
    ]

    def stand_in(**kwargs: Any) -> Any:  # never called: only its signature is planned
        raise AssertionError

    stand_in.__signature__ = inspect.Signature(params + extra)  # type: ignore[attr-defined]
    stand_in.__name__ = getattr(handler, "__name__", "handler")
    stand_in.__annotations__ = {p.name: p.annotation for p in params if p.annotation is not p.empty}
    return stand_in


class Endpoint:
    """Calls a handler with its arguments and turns its result into a Response."""

    __slots__ = (
        "_background",
        "binder",
        "_encoder",
        "_guard",
        "_invoke",
        "_overrides",
        "_wants_request",
        "errors",
        "guards",
        "_request_only",
        "_route_dependencies",
        "handler",
        "is_async",
        "name",
        "needs",
        "options",
        "plan",
        "uses_di",
    )

    def __init__(
        self,
        handler: Callable[..., Any],
        injector: Injector,
        *,
        path_params: Sequence[str] = (),
        first_param: str | None = None,
        dependencies: Sequence[Depends] = (),
        name: str | None = None,
        errors: Any = None,
        route: str | None = None,
        options: RouteOptions | None = None,
        string_path_params: Collection[str] = (),
    ) -> None:
        self.handler = handler
        self.options = options or RouteOptions()
        self.errors = errors  # ErrorHandlers: an exception becomes its handler's response
        self.guards: tuple[Any, ...] = tuple(getattr(handler, "__altapi_guards__", ()))
        # PERF: one guard (the usual case) skips the token list and the zips (~3k instructions).
        self._guard = self.guards[0] if len(self.guards) == 1 else None
        self.name: str = name or getattr(handler, "__name__", None) or type(handler).__name__
        self.is_async = is_async_callable(handler)
        target = _with_dependencies(handler, dependencies) if dependencies else handler
        # `{id}` (a string to the router) with `id: int` in the signature: the binder converts.
        converted = _converted_path_params(handler, string_path_params)
        binder = RequestBinder(route or self.name, converted)
        self.plan: Plan = injector.plan(
            target,
            path_params=[name for name in path_params if name not in converted],
            first_param=first_param,
            resolve_parameter=None if first_param == "websocket" else binder.add,
        )
        # Chosen once: a route with no typed parameter has no binding layer at all.
        self.binder: RequestBinder | None = binder if binder.fields else None
        self._encoder: ResultEncoder | None = None
        if self.options.shapes_result:
            self._encoder = ResultEncoder(self.options.status_code, self.options.response_model)
        self.needs = self.plan.needs
        self.uses_di = self.plan.has_dependencies
        self._background = "background" in self.needs
        self._overrides = injector.overrides  # a dict: empty unless a test overrides
        self._wants_request = bool(self.needs)
        self._route_dependencies = bool(dependencies)
        # Solves and awaits the handler in one go; used unless the endpoint must do more.
        self._invoke = self.plan.invoke if self.is_async and not self._background else None
        # PERF: `def h(request)`, the commonest handler, skips the plan entirely.
        params = list(inspect.signature(handler).parameters.values())
        self._request_only = (
            not self.uses_di
            and not dependencies
            and len(params) == 1
            and params[0].kind in (params[0].POSITIONAL_ONLY, params[0].POSITIONAL_OR_KEYWORD)
            and self.needs == {"request"}
            and first_param is None
        )

    async def arguments(
        self, values: dict[str, Any], path_params: dict[str, Any], exchange: Exchange
    ) -> dict[str, Any]:
        if self._background:
            if exchange.tasks is None:
                exchange.tasks = BackgroundTasks()
            values["background"] = exchange.tasks
        kwargs = await self.plan.solve(values, path_params, exchange)
        if self._route_dependencies:  # run for their effect; the handler does not take them
            for key in [k for k in kwargs if k.startswith("__altapi_dep")]:
                del kwargs[key]
        return kwargs

    def _strip(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in kwargs.items() if not k.startswith("__altapi_dep")}

    async def call(self, kwargs: dict[str, Any]) -> Any:
        if self.is_async:
            return await self.handler(**kwargs)
        return await run_sync(functools.partial(self.handler, **kwargs))

    async def respond(
        self, request: Any, path_params: dict[str, Any], exchange: Exchange
    ) -> Response:
        """The handler's Response; its exception goes to the error handlers."""
        guard = self._guard
        token: Any = _UNCHECKED
        tokens: list[Any] | None = None
        try:
            if guard is not None:  # e.g. @rate_limit: may answer before the handler runs
                token = guard.check(request)
                if token.__class__ is CoroutineType:  # an async check
                    token = await token
                if isinstance(token, Response):
                    return token
            elif self.guards:
                tokens = []
                for each in self.guards:
                    taken = each.check(request)
                    if taken.__class__ is CoroutineType:  # an async check
                        taken = await taken
                    if isinstance(taken, Response):
                        return taken
                    tokens.append(taken)
            if self._request_only:
                if self.is_async:
                    result = await self.handler(request)
                else:
                    result = await run_sync(self.handler, request)
            elif self.binder is not None:  # typed parameters: read before the plan runs
                values = {"request": request}
                if self.binder.needs_body:
                    await self.binder.read_body(request, values)
                else:
                    self.binder.read(request, values)
                if self._invoke is not None and not self._overrides:
                    result = await self._invoke(values, path_params, exchange)
                else:
                    result = await self.call(await self.arguments(values, path_params, exchange))
            elif self._invoke is not None and not self._overrides:
                # PERF: the compiled plan awaits the handler itself: no solver coroutine,
                # no keyword dict (~1.5k instructions a request).
                values = {"request": request} if self._wants_request else _NO_VALUES
                result = await self._invoke(values, path_params, exchange)
            else:
                if self._background or self._route_dependencies:
                    kwargs = await self.arguments({"request": request}, path_params, exchange)
                else:
                    # PERF: Plan.solve inlined (one coroutine less) unless overrides are set.
                    plan = self.plan
                    if self._overrides:  # an override may need the request the route did not
                        kwargs = await plan.solve({"request": request}, path_params, exchange)
                    elif self._wants_request:
                        kwargs = await plan.run({"request": request}, path_params, exchange)
                    else:
                        kwargs = await plan.run(_NO_VALUES, path_params, exchange)
                if self.is_async:
                    result = await self.handler(**kwargs)
                else:
                    result = await run_sync(functools.partial(self.handler, **kwargs))
            if self._encoder is not None:
                response = self._encoder(result)
            elif isinstance(result, Response):
                response = result
            else:
                response = as_response(result, self.name)
            if guard is not None:
                guard.finish(response, token)
            elif tokens:
                for each, taken in zip(self.guards, tokens):  # noqa: B905 - same length
                    each.finish(response, taken)
            return response
        except Exception as exc:
            if guard is not None:
                if token is not _UNCHECKED:
                    guard.amend(exc, token)
            elif tokens:
                for each, taken in zip(self.guards, tokens):  # noqa: B905 - same length
                    each.amend(exc, taken)
            exchange.error = exc
            if self.errors is None:
                raise
            return await self.errors.handled(request, exc)


# A guard's token before its check has returned (nothing to amend then).
_UNCHECKED: Any = object()
# The values of a plan that needs none (read, never written).
_NO_VALUES: dict[str, Any] = {}
