"""Guards and around-layers: what decorators like `@rate_limit` and `@cache` declare.

A decorator under a route decorator records its layer on the handler itself
(`declare`); the route decorator reads them (`declared`) and the endpoint builds
them into the route's pipeline (see pipeline.py). A decorator written above the
route decorator would come too late, so `declare` refuses a routed function.

A guard (`@rate_limit`, or `guards=[...]` on a route) decides before the
handler runs: `check(connection)` returns a Response to answer at once, or a
token (or a coroutine giving one of those); on HTTP routes, after the handler,
`finish(response, token)` may amend its response and `amend(exc, token)` an
HTTPException it raised. A guard may also have `attach(app)`, called when a
route it guards is registered (to attach an extension it needs, e.g. one that
closes its resources at shutdown). Guards apply to WebSocket routes too: a refusal there
refuses the handshake. An around-layer (`@cache`) has `around(request,
call_handler)` and decides whether and how to call the handler (HTTP only).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, runtime_checkable

from .responses import Response

__all__ = ["Around", "CallHandler", "Guard", "declare", "declared", "mark_routed"]

CallHandler = Callable[[], Awaitable[Response]]


@runtime_checkable
class Guard(Protocol):
    def check(self, connection: Any) -> Any: ...


@runtime_checkable
class Around(Protocol):
    def around(self, request: Any, call_handler: CallHandler) -> Awaitable[Response]: ...


_LAYERS = "__altapi_layers__"
_ROUTED = "__altapi_routed__"


def declare(handler: Any, layer: Guard | Around, decorator: str) -> None:
    """Record `layer` on `handler` for the route decorator (outermost decorator first).

    Raises TypeError when `handler` is already routed: `@decorator` written above
    `@app.get(...)` would never see a request.
    """
    if getattr(handler, _ROUTED, None):
        route = getattr(handler, _ROUTED)
        raise TypeError(
            f"{decorator} is above the route decorator of {route}, so it would never run; "
            f"write it under the route decorator:\n    @app.get(...)\n    {decorator}\n"
            f"    async def {getattr(handler, '__name__', 'handler')}(...): ..."
        )
    if not isinstance(layer, Guard | Around):
        raise TypeError(f"{layer!r} is neither a guard (check) nor an around-layer (around)")
    layers = getattr(handler, _LAYERS, None)
    if layers is None:
        layers = []
        setattr(handler, _LAYERS, layers)
    layers.insert(0, layer)  # decorators apply bottom-up: the one applied last is outermost


def declared(handler: Any) -> tuple[Guard | Around, ...]:
    """The layers decorators declared on `handler`, outermost first."""
    return tuple(getattr(handler, _LAYERS, ()))


def mark_routed(handler: Any, route: str) -> None:
    """Note that `handler` is routed, so a decorator applied later can say it is too late."""
    try:
        if not getattr(handler, _ROUTED, None):
            setattr(handler, _ROUTED, route)
    except (AttributeError, TypeError):  # a builtin or a slotted callable: nothing to note
        pass
