"""Turn a Plan into straight-line Python, compiled once at registration.

For a handler with a generator dependency, a nested one and an async one the
generated solver reads like the code one would write by hand:

    async def solve(values, path_params, scope):
        g0 = c0()
        v0 = next(g0, _NOTHING)
        if v0 is _NOTHING:
            first(g0)  # raises: the generator did not yield
        scope.append((g0, None))
        v1 = c1(db=v0)
        v2 = await c2()
        return {"db": v0, "repo": v1, "conf": v2}

# PERF: against the generic step loop, this halves the cost of solving a
# 3-dependency plan (see docs/dependencies.md for the figures).
When the planned callable is async, a twin `invoke` ends with
`return await call(db=v0, repo=v1, conf=v2)` instead of building the keyword
dict: the handler is solved and awaited in one coroutine, with no `**kwargs`.
Plans with thread-pool or app-scoped steps keep the generic loop.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from .depends import DependencyError

if TYPE_CHECKING:
    from .plan import Args, Plan

__all__ = ["compile_solver"]

Solver = Callable[[dict[str, Any], Any, Any], Awaitable[dict[str, Any]]]
Invoker = Callable[[dict[str, Any], Any, Any], Awaitable[Any]]


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


def _expr(source: int, ref: Any) -> str:
    from .plan import PATH, STEP, VALUE

    if source == STEP:
        return f"v{ref}"
    if source == VALUE:
        return f"values[{ref!r}]"
    assert source == PATH
    return f"path_params[{ref!r}]"


def _call_args(args: Args) -> str:
    return ", ".join(f"{name}={_expr(source, ref)}" for name, source, ref in args)


def compile_solver(plan: Plan) -> tuple[Solver, Invoker | None] | None:
    """The generated `solve` and `invoke` (None unless the call is async), or None
    when the plan needs the generic loop."""
    from .plan import AGEN, ASYNC, GEN, SYNC, step_kind

    namespace: dict[str, Any] = {"first": _first, "afirst": _afirst, "_NOTHING": _NOTHING}
    body = []
    for index, step in enumerate(plan.steps):
        if step.threaded or step.kind not in (SYNC, ASYNC, GEN, AGEN):
            return None
        namespace[f"c{index}"] = step.call
        call = f"c{index}({_call_args(step.args)})"
        if step.kind == SYNC:
            body.append(f"    v{index} = {call}")
        elif step.kind == ASYNC:
            body.append(f"    v{index} = await {call}")
        elif step.kind == GEN:
            # PERF: next() inlined; a finished generator is named by first() only then.
            body += [
                f"    g{index} = {call}",
                f"    v{index} = next(g{index}, _NOTHING)",
                f"    if v{index} is _NOTHING:",
                f"        first(g{index})",
                f"    scope.append((g{index}, None))",  # RequestScope.push, inlined
            ]
        else:
            body += [
                f"    g{index} = {call}",
                f"    v{index} = await afirst(g{index})",
                f"    scope.append((g{index}, None))",  # RequestScope.push, inlined
            ]
    result = ", ".join(f"{name!r}: {_expr(source, ref)}" for name, source, ref in plan.args)
    source = ["async def solve(values, path_params, scope):", *body, f"    return {{{result}}}"]
    is_async = step_kind(plan.call) == ASYNC
    if is_async:
        namespace["call"] = plan.call
        source += [
            "async def invoke(values, path_params, scope):",
            *body,
            f"    return await call({_call_args(plan.args)})",
        ]
    name = f"<altapi_di solver for {plan.call!r}>"
    exec(compile("\n".join(source), name, "exec"), namespace)
    return namespace["solve"], namespace["invoke"] if is_async else None
