"""Turn a Plan into straight-line Python, compiled once at registration.

For a handler with a generator dependency, a nested one and an async one the
generated solver reads like the code one would write by hand:

    async def solve(values, path_params, scope):
        exits = scope._exits
        g0 = c0()
        v0 = next(g0, _NOTHING)
        if v0 is _NOTHING:
            first(g0)  # raises: the generator did not yield
        exits.append((g0, None))
        v1 = c1(db=v0)
        v2 = await c2()
        return {"db": v0, "repo": v1, "conf": v2}

# PERF: against the generic step loop, this halves the cost of solving a
# 3-dependency plan (see docs/dependencies.md for the figures).
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


def compile_solver(plan: Plan) -> Solver | None:
    """The generated solver, or None when the plan needs the generic loop."""
    from .plan import AGEN, ASYNC, GEN, SYNC

    namespace: dict[str, Any] = {"first": _first, "afirst": _afirst, "_NOTHING": _NOTHING}
    lines = ["async def solve(values, path_params, scope):"]
    if any(step.kind in (GEN, AGEN) for step in plan.steps):
        lines.append("    exits = scope._exits  # RequestScope.push, inlined")
    for index, step in enumerate(plan.steps):
        if step.threaded or step.kind not in (SYNC, ASYNC, GEN, AGEN):
            return None
        namespace[f"c{index}"] = step.call
        call = f"c{index}({_call_args(step.args)})"
        if step.kind == SYNC:
            lines.append(f"    v{index} = {call}")
        elif step.kind == ASYNC:
            lines.append(f"    v{index} = await {call}")
        elif step.kind == GEN:
            # PERF: next() inlined; a finished generator is named by first() only then.
            lines += [
                f"    g{index} = {call}",
                f"    v{index} = next(g{index}, _NOTHING)",
                f"    if v{index} is _NOTHING:",
                f"        first(g{index})",
                f"    exits.append((g{index}, None))",
            ]
        else:
            lines += [
                f"    g{index} = {call}",
                f"    v{index} = await afirst(g{index})",
                f"    exits.append((g{index}, None))",
            ]
    result = ", ".join(f"{name!r}: {_expr(source, ref)}" for name, source, ref in plan.args)
    lines.append(f"    return {{{result}}}")
    exec(compile("\n".join(lines), f"<altapi_di solver for {plan.call!r}>", "exec"), namespace)
    solver: Solver = namespace["solve"]
    return solver
