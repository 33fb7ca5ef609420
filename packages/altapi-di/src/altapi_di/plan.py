"""A handler's dependency graph, compiled once into a flat list of steps.

Planning inspects signatures; solving (once per request) only walks the steps.
See docs/di.md for the rules and the figures.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Awaitable, Callable, Collection, Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .codegen import Invoker, Solver, compile_plan
from .depends import DependencyError, Depends

if TYPE_CHECKING:
    from .injector import Injector

__all__ = ["Plan"]

# Where an argument comes from.
VALUE = 0  # values[ref]: the request, the websocket, background tasks ...
PATH = 1  # path_params[ref]
STEP = 2  # results[ref]: an earlier step's result

# What a step does.
SYNC, ASYNC, GEN, AGEN, APP = range(5)

Args = tuple[tuple[str, int, Any], ...]


class Step:
    __slots__ = ("args", "call", "kind", "threaded")

    def __init__(self, call: Callable[..., Any], kind: int, args: Args, threaded: bool) -> None:
        self.call = call
        self.kind = kind
        self.args = args
        self.threaded = threaded


def _unwrap(call: Any) -> Any:
    while isinstance(call, functools.partial):
        call = call.func
    return call


def step_kind(call: Any) -> int:
    target = _unwrap(call)
    dunder = getattr(target, "__call__", None)  # noqa: B004 - a callable instance
    for check, kind in (
        (inspect.isasyncgenfunction, AGEN),
        (inspect.isgeneratorfunction, GEN),
        (inspect.iscoroutinefunction, ASYNC),
    ):
        if check(target) or (not inspect.isclass(target) and check(dunder)):
            return kind
    return SYNC


def _name(call: Any) -> str:
    return getattr(call, "__name__", None) or type(call).__name__


def _parameters(call: Any) -> list[inspect.Parameter]:
    try:
        signature = inspect.signature(call, eval_str=True)
    except (NameError, TypeError, SyntaxError):
        signature = inspect.signature(call)
    return [
        p for p in signature.parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


def _split_annotated(annotation: Any, chain: tuple[str, ...], name: str) -> tuple[Any, Any]:
    if typing.get_origin(annotation) is typing.Annotated:
        base, *extras = typing.get_args(annotation)
        for extra in extras:
            if extra is Depends:
                raise DependencyError(_uncalled(chain, name))
            if isinstance(extra, Depends):
                return base, extra
        return base, None
    return annotation, None


def _uncalled(chain: tuple[str, ...], name: str) -> str:
    return (
        f"{' -> '.join(chain)}: parameter {name!r} has the class Depends as its default; "
        "call it: Depends(dependency)"
    )


def _where(chain: tuple[str, ...]) -> str:
    return " -> ".join(chain)


class Planner:
    """Builds one Plan: walks the graph depth-first, deduplicating cached dependencies."""

    def __init__(
        self,
        injector: Injector,
        path_params: Collection[str],
        overrides: Mapping[Any, Any],
        *,
        app_scope: bool = False,
        provides: Collection[Hashable] | None = None,
    ) -> None:
        self.injector = injector
        self.path_params = frozenset(path_params)
        self.overrides = overrides
        self.app_scope = app_scope
        self.provides = None if provides is None else frozenset(provides)
        self.steps: list[Step] = []
        self.cached: dict[Any, int] = {}
        self.needs: set[Hashable] = set()
        self.stack: list[Any] = []  # the callables being planned, for cycle detection

    def arguments(self, call: Any, chain: tuple[str, ...], first_param: str | None) -> Args:
        args: list[tuple[str, int, Any]] = []
        for index, param in enumerate(_parameters(call)):
            source = self._source(param, chain, first_param if index == 0 else None)
            if source is not None:
                args.append((param.name, *source))
        return tuple(args)

    def route_dependencies(self, dependencies: Sequence[Any], chain: tuple[str, ...]) -> None:
        """Plan `dependencies=[Depends(f), ...]`: steps run for their effect, results unused."""
        for position, marker in enumerate(dependencies):
            if not isinstance(marker, Depends) or marker.dependency is None:
                if isinstance(marker, Depends):
                    what, hint = "Depends() without a dependency", "some_function"
                elif marker is Depends:
                    what, hint = "the class Depends", "some_function"
                else:
                    what, hint = repr(marker), getattr(marker, "__name__", "some_function")
                raise DependencyError(
                    f"{_where(chain)}: dependencies[{position}] is {what}, not a dependency; "
                    f"write dependencies=[Depends({hint})]"
                )
            self.step(marker, chain)

    def _source(
        self, param: inspect.Parameter, chain: tuple[str, ...], first: str | None
    ) -> tuple[int, Any] | None:
        annotation, marker = _split_annotated(param.annotation, chain, param.name)
        if param.default is Depends:
            raise DependencyError(_uncalled(chain, param.name))
        if isinstance(param.default, Depends):
            marker = param.default
        if marker is not None:
            if marker.dependency is None:
                marker = self._from_annotation(marker, annotation, chain, param.name)
            return STEP, self.step(marker, chain)
        key = first or self._value_key(annotation, param.name)
        if key is not None:
            self._check_value(key, chain, param.name)
            return VALUE, key
        if param.name in self.path_params and not self.app_scope:
            return PATH, param.name
        resolve = self.injector.resolve_parameter
        if resolve is not None:
            custom = resolve(param.replace(annotation=param.annotation), _where(chain))
            if custom is not None:
                self._check_value(custom, chain, param.name, custom=True)
                return VALUE, custom
        if param.default is not inspect.Parameter.empty:
            return None  # the callable's own default is used
        raise DependencyError(
            f"{_where(chain)}: cannot resolve parameter {param.name!r}: it is not "
            "a path parameter, not the request, and has no Depends() default"
        )

    def _check_value(
        self, key: Hashable, chain: tuple[str, ...], name: str, custom: bool = False
    ) -> None:
        if self.app_scope:
            raise DependencyError(
                f"{_where(chain)}: an app-scoped dependency cannot take "
                f"{name!r} (only other app-scoped dependencies)"
            )
        if not custom and self.provides is not None and key not in self.provides:
            offered = ", ".join(sorted(map(str, self.provides))) or "nothing"
            raise DependencyError(
                f"{_where(chain)}: parameter {name!r} asks for the {key}, which is not "
                f"available here (available: {offered})"
            )
        self.needs.add(key)

    @staticmethod
    def _from_annotation(
        marker: Depends, annotation: Any, chain: tuple[str, ...], name: str
    ) -> Depends:
        """`x: Service = Depends()`: the annotation (a class) is the dependency."""
        if (
            annotation is inspect.Parameter.empty
            or not inspect.isclass(annotation)
            or getattr(annotation, "__module__", None) == "builtins"
        ):
            shown = getattr(annotation, "__name__", repr(annotation))
            what = "no annotation" if annotation is inspect.Parameter.empty else shown
            raise DependencyError(
                f"{_where(chain)}: Depends() on parameter {name!r} needs a dependency: "
                f"write Depends(some_function), or annotate the parameter with a class "
                f"to create (here: {what})"
            )
        return Depends(
            annotation,
            use_cache=marker.use_cache,
            run_in_thread=marker.run_in_thread,
            scope=marker.scope,
        )

    def _value_key(self, annotation: Any, name: str) -> str | None:
        sources = self.injector.sources
        if inspect.isclass(annotation):
            for key, value in sources.items():
                if inspect.isclass(key) and issubclass(annotation, key):
                    return value
        if annotation is inspect.Parameter.empty or annotation is Any:
            by_name = sources.get(name)
            if isinstance(by_name, str):
                return by_name
        return None

    def step(self, marker: Depends, chain: tuple[str, ...]) -> int:
        original = marker.dependency
        assert original is not None  # filled in from the annotation by _source
        call = self.overrides.get(original, original)
        name = _name(call)
        if call in self.stack:
            raise DependencyError(f"dependency cycle: {' -> '.join((*chain, name))}")
        cache_key = (call, marker.scope)
        if marker.use_cache and cache_key in self.cached:
            return self.cached[cache_key]
        if marker.scope == "app" and not self.app_scope:
            self.injector.register_app(original)
            step = Step(original, APP, (), False)
        else:
            self.stack.append(call)
            try:
                args = self.arguments(call, (*chain, name), None)
            finally:
                self.stack.pop()
            kind = step_kind(call)
            threaded = marker.run_in_thread and kind in (SYNC, GEN)
            step = Step(call, kind, args, threaded)
        self.steps.append(step)
        index = len(self.steps) - 1
        if marker.use_cache:
            self.cached[cache_key] = index
        return index


class Plan:
    """What one callable needs, in the order to produce it.

    Two entry points, both the generated code of `codegen` (the one engine),
    made in the constructor: `solve(values, path_params, scope)` gives the
    keyword arguments for `call`; `invoke(...)` (an async `call` only; else it
    raises TypeError) also awaits `call` with them. Both use the overrides in
    force (`injector.overrides`).
    """

    __slots__ = (
        "_overridden",
        "app_scope",
        "args",
        "call",
        "calls_async",
        "dependencies",
        "first_param",
        "has_dependencies",
        "injector",
        "invoke",
        "needs",
        "path_params",
        "provides",
        "solve",
        "stages",
        "steps",
    )

    def __init__(
        self,
        injector: Injector,
        call: Callable[..., Any],
        *,
        path_params: Collection[str] = (),
        first_param: str | None = None,
        dependencies: Sequence[Depends] = (),
        provides: Collection[Hashable] | None = None,
        overrides: Mapping[Any, Any] | None = None,
        app_scope: bool = False,
    ) -> None:
        self.injector = injector
        self.app_scope = app_scope
        self.call = call
        self.path_params = tuple(path_params)
        self.first_param = first_param
        self.dependencies = tuple(dependencies)
        self.provides = provides
        planner = Planner(
            injector, path_params, overrides or {}, app_scope=app_scope, provides=provides
        )
        planner.stack.append(call)
        chain = (_name(call),)
        planner.route_dependencies(self.dependencies, chain)
        self.args = planner.arguments(call, chain, first_param)
        self.steps = planner.steps
        self.needs = frozenset(planner.needs)
        self.has_dependencies = bool(self.steps)
        self.stages = _stages(self.steps)
        self.calls_async = step_kind(call) == ASYNC
        self._overridden: dict[tuple[Any, ...], Plan] = {}
        # A plan made for an overrides table is that table's; the others check the
        # injector's overrides themselves, first thing in the generated code.
        solve, invoke = compile_plan(self, check_overrides=overrides is None)
        self.solve: Solver = solve
        self.invoke: Invoker = invoke if invoke is not None else self._not_async

    def _with_overrides(self) -> Plan:
        key = tuple(self.injector.overrides.items())
        plan = self._overridden.get(key)
        if plan is None:
            if len(self._overridden) > 16:
                self._overridden.clear()
            plan = Plan(
                self.injector,
                self.call,
                path_params=self.path_params,
                first_param=self.first_param,
                dependencies=self.dependencies,
                overrides=dict(key),
                app_scope=self.app_scope,
            )
            self._overridden[key] = plan
        return plan

    def _not_async(self, values: Any, path_params: Any, scope: Any) -> Awaitable[Any]:
        raise TypeError(f"{_name(self.call)} is not async: solve() it and call it yourself")


def _stages(steps: list[Step]) -> list[tuple[bool, list[Step]]]:
    stages: list[tuple[bool, list[Step]]] = []
    for step in steps:
        if stages and stages[-1][0] == step.threaded:
            stages[-1][1].append(step)
        else:
            stages.append((step.threaded, [step]))
    return stages
