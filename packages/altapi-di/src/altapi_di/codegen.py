"""Turn a Plan into straight-line Python, compiled once at registration: the one engine.

For a handler with a generator dependency, a nested one and an async one the
generated solver reads like the code one would write by hand:

    async def solve(values, path_params, scope):
        g0 = c0()
        v0 = next(g0, _NOTHING)
        if v0 is _NOTHING:
            first(g0)  # raises: the generator did not yield
        scope.push(g0)
        v1 = c1(db=v0)
        v2 = await c2()
        return {"db": v0, "repo": v1, "conf": v2}

Consecutive `run_in_thread` steps become one nested `def stage()` run with a
single thread hop; an app-scoped step is `await app_value(c3)`.
# PERF: against a generic step loop, this halves the cost of solving a
# 3-dependency plan (see docs/dependencies.md for the figures).
When the planned callable is async, a twin `invoke` ends with
`return await call(db=v0, repo=v1, conf=v2)` instead of building the keyword
dict: the handler is solved and awaited in one coroutine, with no `**kwargs`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from .depends import DependencyError

if TYPE_CHECKING:
    from .plan import Args, Plan, Step

__all__ = ["compile_plan"]

Solver = Callable[[Mapping[Any, Any], Any, Any], Awaitable[dict[str, Any]]]
Invoker = Callable[[Mapping[Any, Any], Any, Any], Awaitable[Any]]


_NOTHING = object()


def _first(gen: Any) -> Any:
    try:
        return next(gen)
    except StopIteration:
        raise DependencyError(f"generator dependency {gen.__name__} did not yield") from None


async def _afirst(agen: Any) -> Any:
    try:
        return await agen.__anext__()
    except StopAsyncIteration:
        raise DependencyError(f"generator dependency {agen.__name__} did not yield") from None


def _expr(source: int, ref: Any, refs: dict[Any, str]) -> str:
    from .plan import PATH, STEP, VALUE

    if source == STEP:
        return f"v{ref}"
    if source == VALUE:
        return f"values[{refs[ref]}]"
    assert source == PATH
    return f"path_params[{ref!r}]"


def _call_args(args: Args, refs: dict[Any, str]) -> str:
    return ", ".join(f"{name}={_expr(source, ref, refs)}" for name, source, ref in args)


def _step_lines(index: int, step: Step, refs: dict[Any, str], indent: str) -> list[str]:
    from .plan import AGEN, APP, ASYNC, GEN, SYNC

    call = f"c{index}({_call_args(step.args, refs)})"
    if step.kind == APP:
        return [f"{indent}v{index} = await app_value(c{index})"]
    if step.kind == SYNC:
        return [f"{indent}v{index} = {call}"]
    if step.kind == ASYNC:
        return [f"{indent}v{index} = await {call}"]
    if step.kind == GEN and step.threaded:
        return [
            f"{indent}g{index} = {call}",
            f"{indent}v{index} = first(g{index})",
            f"{indent}scope.push_threaded(g{index}, run_sync)",
        ]
    if step.kind == GEN:
        # PERF: next() inlined; a finished generator is named by first() only then.
        return [
            f"{indent}g{index} = {call}",
            f"{indent}v{index} = next(g{index}, _NOTHING)",
            f"{indent}if v{index} is _NOTHING:",
            f"{indent}    first(g{index})",
            f"{indent}scope.push(g{index})",
        ]
    assert step.kind == AGEN
    return [
        f"{indent}g{index} = {call}",
        f"{indent}v{index} = await afirst(g{index})",
        f"{indent}scope.push(g{index})",
    ]


def _body(plan: Plan, refs: dict[Any, str]) -> list[str]:
    body: list[str] = []
    index = 0
    for stage, (threaded, steps) in enumerate(plan.stages):
        indices = range(index, index + len(steps))
        index += len(steps)
        if not threaded:
            for i, step in zip(indices, steps, strict=True):
                body += _step_lines(i, step, refs, "    ")
            continue
        # One thread hop for consecutive run_in_thread steps.
        made = ", ".join(f"v{i}" for i in indices) + ","
        body.append(f"    def stage{stage}():")
        for i, step in zip(indices, steps, strict=True):
            body += _step_lines(i, step, refs, "        ")
        body += [f"        return {made}", f"    {made} = await run_sync(stage{stage})"]
    return body


def compile_plan(plan: Plan, check_overrides: bool) -> tuple[Solver, Invoker | None]:
    """The generated `solve`, and `invoke` when the planned call is async (else None).

    With `check_overrides`, each begins by handing over to the plan made for the
    injector's overrides when there are any (`Plan._with_overrides`).
    """
    namespace: dict[str, Any] = {
        "first": _first,
        "afirst": _afirst,
        "_NOTHING": _NOTHING,
        "run_sync": plan.injector.run_sync,
        "app_value": plan.injector.app_value,
    }
    for index, step in enumerate(plan.steps):
        namespace[f"c{index}"] = step.call
    # Value keys may be any hashable (see Injector's resolve_parameter): each is a name.
    refs: dict[Any, str] = {}
    for key in plan.needs:
        if isinstance(key, str):
            refs[key] = repr(key)
        else:
            refs[key] = f"k{len(refs)}"
            namespace[refs[key]] = key
    body = _body(plan, refs)
    if check_overrides:
        namespace["overrides"] = plan.injector.overrides
        namespace["overridden"] = plan._with_overrides
        solve_check = [
            "    if overrides:",
            "        return await overridden().solve(values, path_params, scope)",
        ]
        invoke_check = [
            "    if overrides:",
            "        return await overridden().invoke(values, path_params, scope)",
        ]
    else:
        solve_check = invoke_check = []
    result = ", ".join(f"{name!r}: {_expr(source, ref, refs)}" for name, source, ref in plan.args)
    source = [
        "async def solve(values, path_params, scope):",
        *solve_check,
        *body,
        f"    return {{{result}}}",
    ]
    if plan.calls_async:
        namespace["call"] = plan.call
        source += [
            "async def invoke(values, path_params, scope):",
            *invoke_check,
            *body,
            f"    return await call({_call_args(plan.args, refs)})",
        ]
    name = f"<altapi_di solver for {plan.call!r}>"
    exec(compile("\n".join(source), name, "exec"), namespace)
    return namespace["solve"], namespace.get("invoke")
