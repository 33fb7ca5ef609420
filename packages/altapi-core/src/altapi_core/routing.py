"""Route declaration: the decorators shared by `AltAPI` and `APIRouter`.

An `APIRouter` only records `RouteSpec`s; `app.include_router()` flattens them
into the app's one compiled router at start-up, so nesting costs nothing per request.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple, TypeVar

from altapi_di import Depends

from .guards import declared, mark_routed

__all__ = ["ROUTE_OPTIONS", "APIRouter", "RouteOption", "RouteSpec", "join_paths", "route_options"]

F = TypeVar("F", bound=Callable[..., Any])


def join_paths(prefix: str, path: str) -> str:
    """`/api` + `/users` -> `/api/users`, with no double or missing slash."""
    if not prefix:
        return path
    prefix = prefix.rstrip("/")
    if path == "/":
        return prefix + "/"
    if not path:
        return prefix or "/"
    return prefix + "/" + path.lstrip("/")


class RouteOption(NamedTuple):
    default: Any
    websocket: bool  # whether a WebSocket route takes it too
    doc: str


# Every option a route decorator takes: the one table to extend (an unknown option
# is a TypeError at registration that lists these).
ROUTE_OPTIONS: dict[str, RouteOption] = {
    "name": RouteOption(None, True, "the route's name for url_path_for (default: the function's)"),
    "dependencies": RouteOption((), True, "[Depends(f), ...] run for their effect first"),
    "guards": RouteOption((), True, "objects with check(connection) run before the handler"),
}


def route_options(where: str, options: Mapping[str, Any], websocket: bool) -> dict[str, Any]:
    """`options` checked against ROUTE_OPTIONS, defaults filled in; `where` names the route."""
    allowed = [name for name, option in ROUTE_OPTIONS.items() if option.websocket or not websocket]
    unknown = [name for name in options if name not in allowed]
    if unknown:
        near = difflib.get_close_matches(unknown[0], allowed, n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        kind = "a WebSocket route" if websocket else "a route"
        raise TypeError(
            f"{where}: unknown route option {unknown[0]!r}{hint}; "
            f"{kind} takes: {', '.join(allowed)}"
        )
    checked = {name: options.get(name, ROUTE_OPTIONS[name].default) for name in allowed}
    for name in ("dependencies", "guards"):
        value = checked[name]
        if value is None:
            value = ()
        if not isinstance(value, list | tuple):
            raise TypeError(f"{where}: {name}= takes a list, not {value!r}")
        checked[name] = tuple(value)
    return checked


def _verbs(methods: Sequence[str] | None) -> tuple[str, ...]:
    if isinstance(methods, str):
        raise TypeError(f"methods must be a list of names, not the string {methods!r}")
    return tuple(dict.fromkeys(m.upper() for m in (methods or ["GET"])))


def describe(methods: Sequence[str] | None, path: str) -> str:
    """`GET /items` or `WEBSOCKET /ws`: how messages name a route."""
    return f"{'WEBSOCKET' if methods is None else ', '.join(methods)} {path}"


@dataclass(frozen=True)
class RouteSpec:
    """One declared route, before compilation: its options are ROUTE_OPTIONS, checked."""

    path: str
    endpoint: Callable[..., Any]
    methods: tuple[str, ...] | None  # None for a WebSocket route
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def websocket(self) -> bool:
        return self.methods is None

    @property
    def name(self) -> str | None:
        return self.options.get("name")

    @property
    def dependencies(self) -> tuple[Depends, ...]:
        return self.options.get("dependencies", ())

    @property
    def guards(self) -> tuple[Any, ...]:
        """`guards=[...]`, then what decorators declared on the function (guards.py)."""
        return (*self.options.get("guards", ()), *declared(self.endpoint))

    def describe(self) -> str:
        return describe(self.methods, self.path)


class RouteDecorators:
    """`get/post/.../route/websocket` on top of one `add_spec(spec)` method."""

    def add_spec(self, spec: RouteSpec) -> None:
        raise NotImplementedError

    def add_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        methods: Sequence[str] | None = None,
        name: str | None = None,
        dependencies: Sequence[Depends] | None = None,
        **options: Any,
    ) -> None:
        if not path.startswith("/"):
            raise ValueError(f"a route path must start with '/': {path!r}")
        verbs = _verbs(methods)
        where = describe(verbs, path)
        options = {"name": name, "dependencies": dependencies, **options}
        self.add_spec(RouteSpec(path, endpoint, verbs, route_options(where, options, False)))
        mark_routed(endpoint, where)

    def add_websocket_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        name: str | None = None,
        dependencies: Sequence[Depends] | None = None,
        **options: Any,
    ) -> None:
        if not path.startswith("/"):
            raise ValueError(f"a route path must start with '/': {path!r}")
        where = describe(None, path)
        options = {"name": name, "dependencies": dependencies, **options}
        self.add_spec(RouteSpec(path, endpoint, None, route_options(where, options, True)))
        mark_routed(endpoint, where)

    def route(
        self, path: str, methods: Sequence[str] | None = None, **options: Any
    ) -> Callable[[F], F]:
        """Register the decorated function for `methods` on `path` (options: ROUTE_OPTIONS)."""
        verbs = _verbs(methods)
        route_options(describe(verbs, path), options, False)  # a misspelt option fails here

        def decorator(func: F) -> F:
            self.add_route(path, func, verbs, **options)
            return func

        return decorator

    def get(self, path: str, **options: Any) -> Callable[[F], F]:
        return self.route(path, ["GET"], **options)

    def post(self, path: str, **options: Any) -> Callable[[F], F]:
        return self.route(path, ["POST"], **options)

    def put(self, path: str, **options: Any) -> Callable[[F], F]:
        return self.route(path, ["PUT"], **options)

    def delete(self, path: str, **options: Any) -> Callable[[F], F]:
        return self.route(path, ["DELETE"], **options)

    def patch(self, path: str, **options: Any) -> Callable[[F], F]:
        return self.route(path, ["PATCH"], **options)

    def head(self, path: str, **options: Any) -> Callable[[F], F]:
        return self.route(path, ["HEAD"], **options)

    def options(self, path: str, **options: Any) -> Callable[[F], F]:
        return self.route(path, ["OPTIONS"], **options)

    def trace(self, path: str, **options: Any) -> Callable[[F], F]:
        return self.route(path, ["TRACE"], **options)

    def connect(self, path: str, **options: Any) -> Callable[[F], F]:
        return self.route(path, ["CONNECT"], **options)

    def websocket(self, path: str, **options: Any) -> Callable[[F], F]:
        route_options(describe(None, path), options, True)

        def decorator(func: F) -> F:
            self.add_websocket_route(path, func, **options)
            return func

        return decorator


class APIRouter(RouteDecorators):
    """A group of routes with a shared `prefix` and `dependencies`; include it in an app."""

    def __init__(self, prefix: str = "", dependencies: Sequence[Depends] | None = None) -> None:
        if prefix and (not prefix.startswith("/") or prefix.endswith("/")):
            raise ValueError(
                f"a router prefix must start with '/' and not end with '/': {prefix!r}"
            )
        self.prefix = prefix
        self.dependencies = tuple(dependencies or ())
        self.specs: list[RouteSpec] = []

    def add_spec(self, spec: RouteSpec) -> None:
        self.specs.append(spec)

    def include_router(
        self, router: APIRouter, prefix: str = "", dependencies: Sequence[Depends] | None = None
    ) -> None:
        for spec in router.flattened(prefix, dependencies):
            self.add_spec(spec)

    def flattened(
        self, prefix: str = "", dependencies: Sequence[Depends] | None = None
    ) -> list[RouteSpec]:
        """This router's routes with its prefix and dependencies (and the given ones) applied."""
        outer = join_paths(prefix, self.prefix) if prefix else self.prefix
        extra = tuple(dependencies or ()) + self.dependencies
        return [
            replace(
                spec,
                path=join_paths(outer, spec.path) if outer else spec.path,
                options={**spec.options, "dependencies": extra + spec.dependencies},
            )
            for spec in self.specs
        ]
