"""The router's exceptions, shared by the compiled and the pure-Python tree."""

from __future__ import annotations

__all__ = ["NoMatchFound", "RouteConflictError"]


class RouteConflictError(ValueError):
    """Two route definitions that cannot both be served (raised by `Router.add`)."""


class NoMatchFound(LookupError):
    """`url_for` was given an unknown name, or missing or extra parameters."""
