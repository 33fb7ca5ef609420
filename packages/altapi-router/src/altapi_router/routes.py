"""`Route`: one registered path with its methods, name and handler (for introspection)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .patterns import Pattern

__all__ = ["Route"]


class Route:
    """A route as registered. `methods` is None for a WebSocket route."""

    __slots__ = ("handler", "methods", "name", "param_names", "path", "pattern", "websocket")

    def __init__(
        self,
        path: str,
        handler: Any,
        methods: Iterable[str] | None,
        name: str | None = None,
        pattern: Pattern | None = None,
    ) -> None:
        self.path = path
        self.handler = handler
        self.websocket = methods is None
        self.methods = None if methods is None else frozenset(m.upper() for m in methods)
        if self.methods is not None and not self.methods:
            raise ValueError(f"route {path!r}: methods must not be empty")
        self.name = name
        self.pattern = pattern if pattern is not None else Pattern(path)
        self.param_names = tuple(self.pattern.param_names)

    def describe(self) -> str:
        methods = "WEBSOCKET" if self.methods is None else ",".join(sorted(self.methods))
        return f"{methods} {self.path!r} (name={self.name!r})"

    def __repr__(self) -> str:
        return f"<Route {self.describe()}>"
