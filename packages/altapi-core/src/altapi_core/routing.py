"""Route declaration: the decorators shared by `AltAPI` and `APIRouter`.

An `APIRouter` only records `RouteSpec`s; `app.include_router()` flattens them
into the app's one compiled router at start-up, so nesting costs nothing per request.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from altapi_di import Depends

from .route_options import RouteOptions

__all__ = ["APIRouter", "RouteSpec", "join_paths"]

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


@dataclass(frozen=True)
class RouteSpec:
    """One declared route, before compilation."""

    path: str
    endpoint: Callable[..., Any]
    methods: tuple[str, ...] | None  # None for a WebSocket route
    name: str | None = None
    dependencies: tuple[Depends, ...] = field(default=())
    options: RouteOptions = field(default_factory=RouteOptions)

    @property
    def label(self) -> str:
        """How errors name the route: `GET /items/{id}`."""
        return f"{'WEBSOCKET' if self.methods is None else ','.join(self.methods)} {self.path}"

    @property
    def websocket(self) -> bool:
        return self.methods is None


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
        if isinstance(methods, str):
            raise TypeError(f"methods must be a list of names, not the string {methods!r}")
        verbs = tuple(dict.fromkeys(m.upper() for m in (methods or ["GET"])))
        parsed = RouteOptions.parse(f"{','.join(verbs)} {path}", options)
        self.add_spec(RouteSpec(path, endpoint, verbs, name, tuple(dependencies or ()), parsed))

    def add_websocket_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        name: str | None = None,
        dependencies: Sequence[Depends] | None = None,
    ) -> None:
        if not path.startswith("/"):
            raise ValueError(f"a route path must start with '/': {path!r}")
        self.add_spec(RouteSpec(path, endpoint, None, name, tuple(dependencies or ())))

    def route(
        self,
        path: str,
        methods: Sequence[str] | None = None,
        name: str | None = None,
        dependencies: Sequence[Depends] | None = None,
        **options: Any,
    ) -> Callable[[F], F]:
        RouteOptions.parse(f"{','.join(methods or ['GET'])} {path}", options)  # fail early

        def decorator(func: F) -> F:
            self.add_route(path, func, methods or ["GET"], name, dependencies, **options)
            return func

        return decorator

    def _verb(self, method: str) -> Callable[..., Callable[[F], F]]:
        def register(
            path: str,
            *,
            name: str | None = None,
            dependencies: Sequence[Depends] | None = None,
            **options: Any,
        ) -> Callable[[F], F]:
            return self.route(path, [method], name, dependencies, **options)

        return register

    def get(self, path: str, **options: Any) -> Callable[[F], F]:
        return self._verb("GET")(path, **options)

    def post(self, path: str, **options: Any) -> Callable[[F], F]:
        return self._verb("POST")(path, **options)

    def put(self, path: str, **options: Any) -> Callable[[F], F]:
        return self._verb("PUT")(path, **options)

    def delete(self, path: str, **options: Any) -> Callable[[F], F]:
        return self._verb("DELETE")(path, **options)

    def patch(self, path: str, **options: Any) -> Callable[[F], F]:
        return self._verb("PATCH")(path, **options)

    def head(self, path: str, **options: Any) -> Callable[[F], F]:
        return self._verb("HEAD")(path, **options)

    def options(self, path: str, **options: Any) -> Callable[[F], F]:
        return self._verb("OPTIONS")(path, **options)

    def trace(self, path: str, **options: Any) -> Callable[[F], F]:
        return self._verb("TRACE")(path, **options)

    def connect(self, path: str, **options: Any) -> Callable[[F], F]:
        return self._verb("CONNECT")(path, **options)

    def websocket(
        self,
        path: str,
        *,
        name: str | None = None,
        dependencies: Sequence[Depends] | None = None,
    ) -> Callable[[F], F]:
        def decorator(func: F) -> F:
            self.add_websocket_route(path, func, name, dependencies)
            return func

        return decorator


class APIRouter(RouteDecorators):
    """A group of routes with a shared `prefix` and `dependencies`; include it in an app."""

    def __init__(
        self,
        prefix: str = "",
        dependencies: Sequence[Depends] | None = None,
        tags: Sequence[str] | None = None,
    ) -> None:
        if prefix and (not prefix.startswith("/") or prefix.endswith("/")):
            raise ValueError(
                f"a router prefix must start with '/' and not end with '/': {prefix!r}"
            )
        self.prefix = prefix
        self.dependencies = tuple(dependencies or ())
        self.tags = tuple(tags or ())
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
                dependencies=extra + spec.dependencies,
                options=spec.options.with_tags(self.tags),
            )
            for spec in self.specs
        ]
