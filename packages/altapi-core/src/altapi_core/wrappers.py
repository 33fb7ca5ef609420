"""`wrap_handler`: how decorators like `@cache` and `@rate_limit` get at the request.

A decorator under a route decorator receives the user's handler, whose
parameters the app resolves from its signature. `wrap_handler(handler, around)`
returns a stand-in with the same parameters plus one that receives the Request,
so the decorator sees every request and decides whether and how to call the
handler, while the handler's own parameters (path params, `Depends`) still work.
"""

from __future__ import annotations

import functools
import inspect
import types
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from anyio.to_thread import run_sync

from .endpoints import as_response, is_async_callable, resolved_parameters
from .requests import Request
from .responses import Response

__all__ = ["Around", "CallHandler", "Guard", "guard_handler", "wrap_handler"]

CallHandler = Callable[[], Awaitable[Response]]
Around = Callable[[Request, CallHandler], Awaitable[Response]]

_REQUEST = "__altapi_request__"


def wrap_handler(handler: Callable[..., Any], around: Around) -> Callable[..., Awaitable[Response]]:
    """A handler that calls `around(request, call_handler)` on every request.

    `call_handler()` runs the wrapped handler (a plain `def` in the thread pool)
    with its resolved arguments and returns its result as a Response.
    """
    params = resolved_parameters(handler)
    request_param = inspect.Parameter(_REQUEST, inspect.Parameter.KEYWORD_ONLY, annotation=Request)
    if params and params[-1].kind == inspect.Parameter.VAR_KEYWORD:
        params.insert(len(params) - 1, request_param)
    else:
        params.append(request_param)
    name = getattr(handler, "__name__", "handler")
    is_async = is_async_callable(handler)

    async def wrapper(**kwargs: Any) -> Response:
        request = kwargs.pop(_REQUEST)

        async def call_handler() -> Response:
            if is_async:
                result = await handler(**kwargs)
            else:
                result = await run_sync(functools.partial(handler, **kwargs))
            return as_response(result, name)

        return await around(request, call_handler)

    wrapper.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    wrapper.__name__ = name
    wrapper.__qualname__ = getattr(handler, "__qualname__", name)
    wrapper.__doc__ = handler.__doc__
    wrapper.__module__ = getattr(handler, "__module__", __name__)
    wrapper.__altapi_wrapped__ = handler  # type: ignore[attr-defined]
    # Guards of the wrapped handler still run: the endpoint applies them, outside `around`.
    wrapper.__altapi_guards__ = getattr(handler, "__altapi_guards__", ())  # type: ignore[attr-defined]
    return wrapper


class Guard(Protocol):
    """What `guard_handler` runs around a handler, inside the endpoint (no extra frames).

    `check(request)` returns a Response to answer at once (the handler is not
    called), or a token, or a coroutine giving one of those; after the handler, `finish(response, token)` may amend
    its response, and `amend(exc, token)` an HTTPException it raised. A guard may
    also have `attach(app)`, called when a route it guards is registered on `app`
    (to attach an extension it needs, e.g. one that closes its resources at shutdown).
    """

    def check(self, request: Request) -> Any: ...

    def finish(self, response: Response, token: Any) -> None: ...

    def amend(self, exc: Exception, token: Any) -> None: ...


def guard_handler(handler: Callable[..., Any], guard: Guard) -> Callable[..., Any]:
    """A copy of `handler` that the endpoint runs with `guard` around it.

    Lighter than `wrap_handler` (the handler is called directly, with its own
    arguments) for decorators that only decide whether it runs and amend its
    response, like `@rate_limit`. The copy has the same code and signature; the
    original function is left untouched, so it may also be routed unguarded.
    Guards stack: the outermost decorator's guard runs first.
    """
    guards = (guard, *getattr(handler, _GUARDS, ()))
    if isinstance(handler, types.FunctionType):
        copy = types.FunctionType(
            handler.__code__,
            handler.__globals__,
            handler.__name__,
            handler.__defaults__,
            handler.__closure__,
        )
        copy.__kwdefaults__ = handler.__kwdefaults__
        copy.__dict__.update(handler.__dict__)
        copy.__annotations__ = dict(handler.__annotations__)
        copy.__qualname__ = handler.__qualname__
        copy.__module__ = handler.__module__
        copy.__doc__ = handler.__doc__
        setattr(copy, _GUARDS, guards)
        return copy

    async def around(request: Request, call_handler: CallHandler) -> Response:
        token = guard.check(request)
        if isinstance(token, types.CoroutineType):
            token = await token
        if isinstance(token, Response):
            return token
        try:
            response = await call_handler()
        except Exception as exc:
            guard.amend(exc, token)
            raise
        guard.finish(response, token)
        return response

    return wrap_handler(handler, around)


_GUARDS = "__altapi_guards__"
