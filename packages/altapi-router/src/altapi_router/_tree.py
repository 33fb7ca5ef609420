"""The segment radix tree: the hot part of the router.

The pure-Python router matches with the tree written out as code (`_codegen`);
`_walk` is the reference the generated code follows, and is used as is for a tree
too deep to write out. The compiled `_ctree` keeps one of these for building and
freezes it for matching. See docs/router.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import RouteConflictError
from .patterns import Compound, Param
from .routes import Route

__all__ = ["NO_METHODS", "Found", "Matcher", "Tree"]

Found = tuple[Any, dict[str, Any]] | None  # (handler, path parameters), or no match
Matcher = Callable[[str, Any], Found]  # (method, path or segments) -> Found
NO_METHODS: frozenset[str] = frozenset()  # what allowed_methods gives for a path no route matches

# Edge kinds. `str` and `int`, the common parameters, are matched inline.
_STR = 0
_INT = 1
_CONVERTER = 2
_COMPOUND = 3
_GREEDY = 4


class _Edge:
    """A parameter edge out of a node; tried in rank order after the static children."""

    __slots__ = ("key", "kind", "matcher", "node", "rank")

    def __init__(self, key: str, kind: int, matcher: Any, rank: int, node: _Node) -> None:
        self.key = key
        self.kind = kind
        self.matcher = matcher
        self.rank = rank
        self.node = node


class _Node:
    __slots__ = ("edges", "routes", "static")

    def __init__(self) -> None:
        self.static: dict[str, _Node] = {}
        self.edges: list[_Edge] = []
        self.routes: dict[str, Route] | None = None


def _walk(node: _Node, segs: list[str], i: int, n: int, values: list[Any], method: str) -> Any:
    """The first route (in precedence order) matching segs[i:] with `method`, or None."""
    if i == n:
        routes = node.routes
        if routes is None:
            return None
        return routes.get(method)
    seg = segs[i]
    child = node.static.get(seg)
    if child is not None:
        found = _walk(child, segs, i + 1, n, values, method)
        if found is not None:
            return found
    if not node.edges:
        return None
    depth = len(values)
    for edge in node.edges:
        kind = edge.kind
        if kind == _STR:
            if not seg:
                continue
            values.append(seg)
        elif kind == _INT:
            # isdigit() alone accepts "²" and other Unicode digits; isascii() keeps it exact.
            if not (seg.isascii() and seg.isdigit()):
                continue
            values.append(int(seg))
        elif kind == _GREEDY:
            routes = edge.node.routes
            found = routes.get(method) if routes is not None else None
            if found is None:
                continue
            values.append("/".join(segs[i:]))
            return found
        elif kind == _CONVERTER:
            try:
                values.append(edge.matcher.convert(seg))
            except ValueError:
                continue
        else:
            try:
                values.extend(edge.matcher.convert(seg))
            except ValueError:
                continue
        found = _walk(edge.node, segs, i + 1, n, values, method)
        if found is not None:
            return found
        del values[depth:]
    return None


def _collect(node: _Node, segs: list[str], i: int, n: int, out: set[str]) -> None:
    """Add to `out` the methods of every route whose path matches segs[i:]."""
    if i == n:
        if node.routes is not None:
            out.update(node.routes)
        return
    seg = segs[i]
    child = node.static.get(seg)
    if child is not None:
        _collect(child, segs, i + 1, n, out)
    for edge in node.edges:
        if edge.kind == _GREEDY:
            if edge.node.routes is not None:
                out.update(edge.node.routes)
            continue
        try:
            edge.matcher.convert(seg)
        except ValueError:
            continue
        _collect(edge.node, segs, i + 1, n, out)


_KINDS = {"str": _STR, "int": _INT, "path": _GREEDY}


def _params(names: tuple[str, ...], values: list[Any]) -> dict[str, Any]:
    # PERF: dict(zip(names, values)) costs ~370 ns for one pair; this loop ~100 ns.
    params = {}
    for k in range(len(names)):
        params[names[k]] = values[k]
    return params


MAX_CACHED_PATH = 256  # longer paths are not kept in the result cache


def _cached(match: Matcher, cache: dict[str, Any], size: int) -> Matcher:
    """`match` remembering found results by path: at most `size` of them, then it starts
    again (no recency to track). Each hit returns a copy of the parameters."""

    def cached(method: str, path: str) -> Found:
        entry = cache.get(path)
        if entry is not None and entry[0] == method:
            return entry[1], entry[2].copy()
        found = match(method, path)
        if found is not None and len(path) <= MAX_CACHED_PATH:
            if len(cache) >= size:
                cache.clear()
            cache[path] = (method, found[0], found[1].copy())
        return found

    return cached


class Tree:
    """Routes keyed by method at the leaves of a tree of path segments."""

    def __init__(self, cache_size: int = 0) -> None:
        self._root = _Node()
        self._matchers: tuple[Matcher, Matcher] | None = None
        # The written-out matcher, or (until the first match after an add) the one
        # that writes it out: state of the tree, read by the stable `match` method.
        self._match: Matcher = self._write_out_and_match
        self._cache_size = cache_size
        self._cache: dict[str, tuple[str, Any, dict[str, Any]]] | None = (
            {} if cache_size > 0 else None
        )

    def add(self, route: Route, methods: frozenset[str]) -> None:
        node = self._root
        for segment in route.pattern.segments:
            if isinstance(segment, str):
                child = node.static.get(segment)
                if child is None:
                    child = node.static[segment] = _Node()
                node = child
            else:
                node = self._edge(node, segment).node
        routes = node.routes if node.routes is not None else {}
        for method in methods:
            if method in routes:
                raise RouteConflictError(
                    f"{method} {route.path!r} (name={route.name!r}) conflicts with "
                    f"{routes[method].path!r} (name={routes[method].name!r}), "
                    "which already answers it"
                )
        for method in methods:
            routes[method] = route
        node.routes = routes
        self._matchers = None  # written out again on the next match
        self._match = self._write_out_and_match
        if self._cache is not None:
            self._cache.clear()

    def _edge(self, node: _Node, segment: Param | Compound) -> _Edge:
        for edge in node.edges:
            if edge.key == segment.key:
                return edge
        if isinstance(segment, Compound):
            edge = _Edge(segment.key, _COMPOUND, segment, 0, _Node())
        else:
            converter = segment.converter
            kind = _KINDS.get(converter.name, _CONVERTER)
            if converter.greedy:
                kind = _GREEDY
            edge = _Edge(segment.key, kind, converter, converter.rank, _Node())
        # Stable insertion: lower rank first, ties in registration order.
        at = len(node.edges)
        while at > 0 and node.edges[at - 1].rank > edge.rank:
            at -= 1
        node.edges.insert(at, edge)
        return edge

    def matchers(self) -> tuple[Matcher, Matcher]:
        """`match` and `match_segments` for the routes added so far, as plain functions.

        They are the tree written out as code (`_codegen`), made on the first call
        after an add(); a tree too deep for that is walked instead.
        """
        if self._matchers is None:
            from ._codegen import compile_matchers

            match, match_segments = compile_matchers(self._root) or (self._walk_path, self._walk)
            if self._cache is not None:
                match = _cached(match, self._cache, self._cache_size)
            self._matchers = match, match_segments
            self._match = match
        return self._matchers

    def _write_out_and_match(self, method: str, path: str) -> Found:
        return self.matchers()[0](method, path)

    def match(self, method: str, path: str) -> Found:
        return self._match(method, path)

    def match_segments(self, method: str, segs: list[str]) -> Found:
        return self.matchers()[1](method, segs)

    def _walk_path(self, method: str, path: str) -> Found:
        return self._walk(method, path[1:].split("/")) if path.startswith("/") else None

    def _walk(self, method: str, segs: list[str]) -> Found:
        values: list[Any] = []
        found = _walk(self._root, segs, 0, len(segs), values, method)
        if found is None:
            return None
        return found.handler, _params(found.param_names, values)

    def allowed_methods(self, path: str | list[str]) -> frozenset[str]:
        segs = path[1:].split("/") if isinstance(path, str) else path
        out: set[str] = set()
        _collect(self._root, segs, 0, len(segs), out)
        return frozenset(out) if out else NO_METHODS
