"""`Router`: HTTP and WebSocket routes, matching, reverse routing and mounting."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ._compat import Tree
from .errors import NoMatchFound
from .routes import Route

__all__ = ["Router"]

Found = tuple[Any, dict[str, Any]] | None


class Router:
    """Maps (method, path) to a handler and its converted path parameters.

    `match(method, path)` gives (handler, converted path parameters) or None;
    `match_segments(method, segments)` does the same on a path already split (and
    unquoted) into segments; `allowed_methods(path)` gives the methods a path
    answers. All three are the tree's own methods, fetched once in the constructor
    (so a lookup costs no extra Python call) and never replaced: `m = router.match`
    taken at any moment is the same function, equally fast.
    """

    match: Callable[[str, str], Found]
    match_segments: Callable[[str, list[str]], Found]
    allowed_methods: Callable[[Any], frozenset[str]]

    _tree_class: type[Tree] = Tree  # the parity tests swap in each implementation

    def __init__(self, cache_size: int = 0) -> None:
        """`cache_size` > 0 remembers the results of up to that many recent paths.

        Off by default. A hit costs a dict lookup and a copy of the parameters; the
        cache starts again when full, and any add() empties it. See docs/router.md.
        """
        self._http = self._tree_class(cache_size)
        self._ws = self._tree_class()
        self._routes: list[Route] = []
        self._names: dict[str, Route] = {}
        self.match = self._http.match
        self.match_segments = self._http.match_segments
        self.allowed_methods = self._http.allowed_methods

    def prepare(self) -> None:
        """Build the lookups now rather than on the first one after an add() (writing
        out a large table in pure Python takes a while: 0.3 s for 2,000 routes)."""
        self._http.matchers()
        self._ws.matchers()

    def add(
        self,
        path: str,
        handler: Any,
        methods: Iterable[str] = ("GET",),
        name: str | None = None,
    ) -> Route:
        """Register `handler` for `methods` on `path`; conflicts raise RouteConflictError."""
        if isinstance(methods, str):
            methods = [methods]
        route = Route(path, handler, methods, name)
        assert route.methods is not None
        self._http.add(route, route.methods)
        self._register(route)
        return route

    def add_websocket(self, path: str, handler: Any, name: str | None = None) -> Route:
        route = Route(path, handler, None, name)
        self._ws.add(route, frozenset({"WEBSOCKET"}))
        self._register(route)
        return route

    def _register(self, route: Route) -> None:
        self._routes.append(route)
        if route.name is not None:
            self._names.setdefault(route.name, route)

    def match_websocket(self, path: str) -> tuple[Any, dict[str, Any]] | None:
        return self._ws.match("WEBSOCKET", path)

    def url_for(self, name: str, /, **params: Any) -> str:
        """The path of the route called `name`, parameters converted and percent-encoded."""
        route = self._names.get(name)
        if route is None:
            raise NoMatchFound(f"no route named {name!r}")
        return route.pattern.build(name, params)

    def mount(self, prefix: str, router: Router) -> None:
        """Add every route of `router` under `prefix` (copied now: later additions are not seen)."""
        prefix = "/" + prefix.strip("/") if prefix.strip("/") else ""
        for route in router:
            path = prefix + route.path if prefix else route.path
            if prefix and route.path == "/":
                path = prefix
            if route.websocket:
                self.add_websocket(path, route.handler, route.name)
            else:
                assert route.methods is not None
                self.add(path, route.handler, route.methods, route.name)

    @property
    def routes(self) -> list[Route]:
        return list(self._routes)

    def __iter__(self) -> Iterator[Route]:
        return iter(self._routes)

    def __len__(self) -> int:
        return len(self._routes)
