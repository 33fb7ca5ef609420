"""A handler's dependency graph, compiled once into a flat list of steps.

Planning inspects signatures; solving (once per request) only walks the steps.
See docs/di.md for the rules and the figures.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any

from .codegen import Invoker, Solver, _afirst, _first, compile_solver
from .depends import DependencyError, Depends
from .scope import RequestScope

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
# Given a parameter nothing else resolves, the key of its value in `values` (or None).
ParameterResolver = Callable[[inspect.Parameter], "str | None"]


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


def _split_annotated(annotation: Any) -> tuple[Any, Depends | None]:
    if typing.get_origin(annotation) is typing.Annotated:
        base, *extras = typing.get_args(annotation)
        for extra in extras:
            if isinstance(extra, Depends):
                return base, extra
        return base, None
    return annotation, None


class Planner:
    """Builds one Plan: walks the graph depth-first, deduplicating cached dependencies."""

    def __init__(
        self,
        injector: Injector,
        path_params: Collection[str],
        overrides: Mapping[Any, Any],
        *,
        app_scope: bool = False,
        resolve_parameter: ParameterResolver | None = None,
    ) -> None:
        self.injector = injector
        self.resolve_parameter = resolve_parameter
        self.path_params = frozenset(path_params)
        self.overrides = overrides
        self.app_scope = app_scope
        self.steps: list[Step] = []
        self.cached: dict[Any, int] = {}
        self.needs: set[str] = set()
        self.stack: list[Any] = []  # the callables being planned, for cycle detection

    def arguments(self, call: Any, chain: tuple[str, ...], first_param: str | None) -> Args:
        args: list[tuple[str, int, Any]] = []
        for index, param in enumerate(_parameters(call)):
            source = self._source(param, call, chain, first_param if index == 0 else None)
            if source is not None:
                args.append((param.name, *source))
        return tuple(args)

    def _source(
        self, param: inspect.Parameter, call: Any, chain: tuple[str, ...], first: str | None
    ) -> tuple[int, Any] | None:
        annotation, marker = _split_annotated(param.annotation)
        if isinstance(param.default, Depends):
            marker = param.default
        if marker is not None:
            if marker.dependency is None:
                if not callable(annotation) or annotation is inspect.Parameter.empty:
                    raise DependencyError(
                        f"{' -> '.join(chain)}: Depends() on parameter {param.name!r} "
                        "needs a callable or a class annotation"
                    )
                marker = Depends(
                    annotation,
                    use_cache=marker.use_cache,
                    run_in_thread=marker.run_in_thread,
                    scope=marker.scope,
                )
            return STEP, self.step(marker, chain)
        key = first or self._value_key(annotation, param.name)
        if key is not None:
            if self.app_scope:
                raise DependencyError(
                    f"{' -> '.join(chain)}: an app-scoped dependency cannot take "
                    f"{param.name!r} (only other app-scoped dependencies)"
                )
            self.needs.add(key)
            return VALUE, key
        if param.name in self.path_params and not self.app_scope:
            return PATH, param.name
        if self.resolve_parameter is not None and not self.app_scope:
            # e.g. a typed parameter read from the request: its value waits in values[key]
            key = self.resolve_parameter(param)
            if key is not None:
                self.needs.add(key)
                return VALUE, key
        if param.default is not inspect.Parameter.empty:
            return None  # the callable's own default is used
        raise DependencyError(
            f"{' -> '.join(chain)}: cannot resolve parameter {param.name!r}: it is not "
            "a path parameter, not the request, and has no Depends() default"
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
    """What one callable needs, in the order to produce it."""

    __slots__ = (
        "_injector",
        "_overridden",
        "run",
        "app_scope",
        "args",
        "call",
        "first_param",
        "has_dependencies",
        "invoke",
        "needs",
        "path_params",
        "resolve_parameter",
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
        overrides: Mapping[Any, Any] | None = None,
        app_scope: bool = False,
        resolve_parameter: ParameterResolver | None = None,
    ) -> None:
        self._injector = injector
        self.resolve_parameter = resolve_parameter
        self.app_scope = app_scope
        self.call = call
        self.path_params = tuple(path_params)
        self.first_param = first_param
        planner = Planner(
            injector,
            path_params,
            overrides or {},
            app_scope=app_scope,
            resolve_parameter=resolve_parameter,
        )
        planner.stack.append(call)
        self.args = planner.arguments(call, (_name(call),), first_param)
        self.steps = planner.steps
        self.needs = frozenset(planner.needs)
        self.has_dependencies = bool(self.steps)
        self.stages = _stages(self.steps)
        self._overridden: dict[tuple[Any, ...], Plan] = {}
        # `run` is `solve` without the overrides check, for callers that make it themselves;
        # `invoke` (compiled plans of an async `call` only, else None) solves and returns
        # `await call(**kwargs)`, also without the overrides check.
        compiled = compile_solver(self)
        self.run: Solver
        self.invoke: Invoker | None
        self.run, self.invoke = compiled or (self._solve_generic, None)

    def _with_overrides(self) -> Plan:
        key = tuple(self._injector.overrides.items())
        plan = self._overridden.get(key)
        if plan is None:
            if len(self._overridden) > 16:
                self._overridden.clear()
            plan = Plan(
                self._injector,
                self.call,
                path_params=self.path_params,
                first_param=self.first_param,
                overrides=dict(key),
                app_scope=self.app_scope,
                resolve_parameter=self.resolve_parameter,
            )
            self._overridden[key] = plan
        return plan

    async def solve(
        self, values: dict[str, Any], path_params: Mapping[str, Any], scope: RequestScope
    ) -> dict[str, Any]:
        """The keyword arguments for `call`; opened generators are pushed onto `scope`."""
        if self._injector.overrides:
            return await self._with_overrides().run(values, path_params, scope)
        return await self.run(values, path_params, scope)

    async def _solve_generic(
        self, values: dict[str, Any], path_params: Mapping[str, Any], scope: RequestScope
    ) -> dict[str, Any]:
        results: list[Any] = []
        if self.stages:
            injector = self._injector
            for threaded, steps in self.stages:
                if threaded:
                    await injector.run_sync(
                        _run_threaded,
                        steps,
                        results,
                        values,
                        path_params,
                        scope,
                        injector.run_sync,
                    )
                    continue
                for step in steps:
                    kind = step.kind
                    if kind == APP:
                        results.append(await injector.app_value(step.call))
                        continue
                    kwargs = _bind(step.args, results, values, path_params)
                    if kind == SYNC:
                        results.append(step.call(**kwargs))
                    elif kind == ASYNC:
                        results.append(await step.call(**kwargs))
                    elif kind == GEN:
                        results.append(_start(step.call(**kwargs), scope, None))
                    else:
                        agen = step.call(**kwargs)
                        value = await _afirst(agen)
                        scope.push(agen)
                        results.append(value)
        return _bind(self.args, results, values, path_params)


def _bind(
    args: Args, results: list[Any], values: dict[str, Any], path_params: Mapping[str, Any]
) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    for name, source, ref in args:
        if source == STEP:
            kwargs[name] = results[ref]
        elif source == VALUE:
            kwargs[name] = values[ref]
        else:
            kwargs[name] = path_params[ref]
    return kwargs


def _start(gen: Any, scope: RequestScope, run_sync: Any) -> Any:
    value = _first(gen)
    scope.push(gen, run_sync)
    return value


def _run_threaded(
    steps: list[Step],
    results: list[Any],
    values: dict[str, Any],
    path_params: Mapping[str, Any],
    scope: RequestScope,
    run_sync: Any,
) -> None:
    """Consecutive `run_in_thread` steps: one thread hop for all of them."""
    for step in steps:
        kwargs = _bind(step.args, results, values, path_params)
        if step.kind == GEN:
            results.append(_start(step.call(**kwargs), scope, run_sync))
        else:
            results.append(step.call(**kwargs))


def _stages(steps: list[Step]) -> list[tuple[bool, list[Step]]]:
    stages: list[tuple[bool, list[Step]]] = []
    for step in steps:
        if stages and stages[-1][0] == step.threaded:
            stages[-1][1].append(step)
        else:
            stages.append((step.threaded, [step]))
    return stages
