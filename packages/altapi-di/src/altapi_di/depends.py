"""`Depends`: the marker a parameter's default uses to ask for a dependency."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["DependencyError", "Depends"]


class DependencyError(TypeError):
    """A dependency graph that cannot be served: a cycle, or a parameter with no source."""


class Depends:
    """Declare that a parameter's value comes from calling `dependency`.

    `use_cache=False` runs it again each time it appears in one request's graph.
    `run_in_thread=True` runs a blocking sync dependency (and its cleanup) in the
    thread pool; without it a plain `def` runs inline on the event loop.
    `scope="app"` creates it once, at start-up, and closes it at shutdown.
    """

    __slots__ = ("dependency", "run_in_thread", "scope", "use_cache")

    def __init__(
        self,
        dependency: Callable[..., Any] | None = None,
        *,
        use_cache: bool = True,
        run_in_thread: bool = False,
        scope: str = "request",
    ) -> None:
        if dependency is not None and not callable(dependency):
            raise TypeError(f"Depends() needs a callable, got {dependency!r}")
        if scope not in ("request", "app"):
            raise ValueError(f"Depends(scope=...) must be 'request' or 'app', not {scope!r}")
        self.dependency = dependency
        self.use_cache = use_cache
        self.run_in_thread = run_in_thread
        self.scope = scope

    def __repr__(self) -> str:
        name = getattr(self.dependency, "__qualname__", repr(self.dependency))
        extra = "" if self.use_cache else ", use_cache=False"
        extra += ", run_in_thread=True" if self.run_in_thread else ""
        extra += ", scope='app'" if self.scope == "app" else ""
        return f"Depends({name}{extra})"
