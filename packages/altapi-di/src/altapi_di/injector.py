"""`Injector`: where values come from, overrides, and app-lifetime dependencies."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Collection, Hashable, Mapping, Sequence
from typing import Any

from .depends import Depends
from .plan import Plan
from .scope import RequestScope

__all__ = ["Injector", "ResolveParameter"]

ResolveParameter = Callable[[inspect.Parameter, str], Hashable | None]


async def _inline(func: Callable[..., Any], *args: Any) -> Any:
    return func(*args)


class Injector:
    """Compiles plans for handlers and owns the app-scoped dependencies.

    `sources` maps a type (matched by subclass) or a parameter name to the key
    under which `Plan.solve` finds the value, e.g. `{Request: "request"}`.
    `run_sync(func, *args)` runs blocking work in a thread (altapi-core passes
    anyio's); without it, "threaded" work runs inline.

    `resolve_parameter(parameter, where)` (optional) is asked about each parameter
    the planner cannot otherwise resolve (not `Depends`, not a source, not a path
    parameter), before it falls back to the parameter's default or raises. It gets
    the `inspect.Parameter` (its annotation resolved, `Annotated` extras kept) and
    the chain that leads to it (`"handler -> dependency"`), and returns None (not
    mine) or a hashable key: the plan then lists the key in `plan.needs` and passes
    `values[key]` for that parameter, like a source's value.
    """

    def __init__(
        self,
        sources: Mapping[object, str] | None = None,
        *,
        run_sync: Callable[..., Awaitable[Any]] | None = None,
        resolve_parameter: ResolveParameter | None = None,
    ) -> None:
        self.sources: dict[object, str] = dict(sources or {})
        self.resolve_parameter = resolve_parameter
        self.run_sync = run_sync or _inline
        self.overrides: dict[Any, Any] = {}
        self._app_plans: dict[Any, Plan] = {}
        self._app_values: dict[Any, Any] = {}
        self._app_scope = RequestScope()

    def plan(
        self,
        call: Callable[..., Any],
        *,
        path_params: Collection[str] = (),
        first_param: str | None = None,
        dependencies: Sequence[Depends] = (),
        provides: Collection[Hashable] | None = None,
    ) -> Plan:
        """Compile `call`'s parameters once; cycles and unknown parameters raise now.

        `dependencies` run first, for their effect (a route's `dependencies=[...]`).
        `provides`, when given, lists the source keys the caller will put in
        `values`; a parameter asking for another source is an error now.
        """
        return Plan(
            self,
            call,
            path_params=path_params,
            first_param=first_param,
            dependencies=dependencies,
            provides=provides,
        )

    # --- app-scoped dependencies -----------------------------------------------------------

    def register_app(self, dependency: Callable[..., Any]) -> None:
        """Plan an app-scoped dependency (it may only use other app-scoped ones)."""
        if dependency not in self._app_plans:

            def produce(value: Any = Depends(dependency)) -> Any:
                return value  # pragma: no cover - only its signature is planned

            produce.__qualname__ = getattr(dependency, "__qualname__", "app dependency")
            self._app_plans[dependency] = Plan(self, produce, app_scope=True)

    async def app_value(self, dependency: Callable[..., Any]) -> Any:
        """The app-scoped value, created on first use if start-up has not made it."""
        try:
            return self._app_values[dependency]
        except KeyError:
            pass
        kwargs = await self._app_plans[dependency].solve({}, {}, self._app_scope)
        return self._app_values.setdefault(dependency, kwargs["value"])

    async def startup(self) -> None:
        """Create every app-scoped dependency (called by the app's lifespan)."""
        for dependency in self._app_plans:
            await self.app_value(dependency)

    async def shutdown(self) -> None:
        """Close app-scoped generator dependencies, newest first."""
        self._app_values.clear()
        await self._app_scope.aclose()
